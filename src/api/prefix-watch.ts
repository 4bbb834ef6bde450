/**
 * `GET /api/v1/watch?prefix=P`: the routes of one prefix as server-sent events. The first
 * `routes` event holds the prefix's routes at once (the body `/api/v1/routes?prefix=P` answers,
 * routes named as there), then one more each time they change: an announce, withdraw or
 * attribute change of that prefix, or a peer or router going down, up or flushed.
 *
 * Cost: the RIB has a change hook ({@link RibWatcher}) that is set only while someone watches,
 * so ingest with no watcher pays one field test per write. With watchers, a write of a watched
 * prefix (a Map lookup) or a peer-level change schedules a re-read of the prefix at most once per
 * {@link WatchOptions.coalesceMs}; the event is sent only when the answer differs from the last one
 * sent. Bounded: at most {@link WatchOptions.maxWatchers} streams at once (503 LIMIT_EXCEEDED past
 * it), a `: heartbeat` comment line every {@link WatchOptions.heartbeatMs} keeps proxies from
 * closing an idle stream, and a stream is dropped as soon as its client goes.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Family } from '../ip/address.js';
import { type Prefix, parsePrefix } from '../ip/prefix.js';
import type { CommunityNames } from '../rib/community-names.js';
import type { Rib, RibWatcher } from '../rib/rib.js';
import { nameRoutes } from './community-names.js';
import { ApiError, errorSchema } from './errors.js';

/** Defaults of {@link WatchOptions}. */
export const DEFAULT_MAX_WATCHERS = 100;
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_COALESCE_MS = 200;

/** Limits of the watch route. */
export interface WatchOptions {
  /** Most streams open at once (default {@link DEFAULT_MAX_WATCHERS}; `serve --max-watchers`). */
  readonly maxWatchers?: number;
  /** Interval of heartbeat comment lines (default {@link DEFAULT_HEARTBEAT_MS}). */
  readonly heartbeatMs?: number;
  /** Least time between two events of one prefix (default {@link DEFAULT_COALESCE_MS}). */
  readonly coalesceMs?: number;
}

/** One watched prefix: its streams, the last answer sent, and a pending re-read. */
interface Watched {
  readonly prefix: Prefix;
  readonly streams: Set<ServerResponse>;
  last: string;
  timer: NodeJS.Timeout | undefined;
}

const keyOf = (family: Family, w0: number, w1: number, w2: number, w3: number, length: number): string => `${family}/${w0}/${w1}/${w2}/${w3}/${length}`;
const prefixKey = (p: Prefix): string => keyOf(p.family, p.w0, p.w1, p.w2, p.w3, p.length);

/** The watched prefixes of one server, and the RIB hook that tells them of changes. */
export class PrefixWatch implements RibWatcher {
  private readonly watched = new Map<string, Watched>();
  private streams = 0;
  private readonly maxWatchers: number;
  private readonly coalesceMs: number;

  constructor(
    private readonly rib: Rib,
    private readonly names: CommunityNames,
    options: WatchOptions = {},
  ) {
    this.maxWatchers = options.maxWatchers ?? DEFAULT_MAX_WATCHERS;
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
  }

  /** The event body for `prefix`: what `/api/v1/routes?prefix=P` answers. */
  answer(prefix: Prefix): string {
    const routes = this.rib.routes(prefix);
    return JSON.stringify({ prefixes: routes === undefined ? [] : [nameRoutes(routes, this.names)], nextCursor: null });
  }

  /** Throws 503 `LIMIT_EXCEEDED` when no stream can be added now. */
  checkRoom(): void {
    if (this.streams >= this.maxWatchers) throw new ApiError(503, 'LIMIT_EXCEEDED', `this server allows ${this.maxWatchers} watch streams at once; try again later`);
  }

  /** Add a stream of `prefix`; sends its first event. */
  add(prefix: Prefix, stream: ServerResponse): void {
    this.checkRoom();
    const key = prefixKey(prefix);
    let w = this.watched.get(key);
    if (w === undefined) {
      w = { prefix, streams: new Set(), last: this.answer(prefix), timer: undefined };
      this.watched.set(key, w);
    }
    w.streams.add(stream);
    this.streams++;
    if (this.streams === 1) this.rib.setWatcher(this);
    stream.write(`event: routes\ndata: ${w.last}\n\n`);
  }

  /** Drop a stream (its client went, or the server closes). */
  remove(prefix: Prefix, stream: ServerResponse): void {
    const key = prefixKey(prefix);
    const w = this.watched.get(key);
    if (w === undefined || !w.streams.delete(stream)) return;
    this.streams--;
    if (w.streams.size === 0) {
      clearTimeout(w.timer);
      this.watched.delete(key);
    }
    if (this.streams === 0) this.rib.setWatcher(undefined);
  }

  /** End every stream (server closing). */
  closeAll(): void {
    for (const w of [...this.watched.values()]) for (const stream of [...w.streams]) {
      this.remove(w.prefix, stream);
      stream.end();
    }
  }

  prefixChanged(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): void {
    const w = this.watched.get(keyOf(family, w0, w1, w2, w3, length));
    if (w !== undefined) this.schedule(w);
  }

  anyChanged(): void {
    for (const w of this.watched.values()) this.schedule(w);
  }

  /** Re-read `w` after the coalescing delay (once however many changes come meanwhile). */
  private schedule(w: Watched): void {
    if (w.timer !== undefined) return;
    w.timer = setTimeout(() => {
      w.timer = undefined;
      if (w.streams.size === 0) return;
      const now = this.answer(w.prefix);
      if (now === w.last) return;
      w.last = now;
      for (const stream of w.streams) stream.write(`event: routes\ndata: ${now}\n\n`);
    }, this.coalesceMs);
  }
}

/** Register the route on `app`. */
export function registerPrefixWatch(app: FastifyInstance, rib: Rib, names: CommunityNames, options: WatchOptions = {}): PrefixWatch {
  const watch = new PrefixWatch(rib, names, options);
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  app.addHook('preClose', async () => watch.closeAll());
  app.get(
    '/api/v1/watch',
    {
      schema: {
        summary: 'Routes of a prefix, then each change, as server-sent events',
        description:
          'A `text/event-stream`. The first `routes` event holds the routes of the prefix now (the body of `/api/v1/routes?prefix=P`: `{"prefixes": [...], "nextCursor": null}`, `prefixes` empty when it has none); ' +
          `then one \`routes\` event each time they change (announce, withdraw, attribute change, peer or router down, up or flushed), at most one per prefix every ${options.coalesceMs ?? DEFAULT_COALESCE_MS} ms. ` +
          `A \`: heartbeat\` comment line every ${heartbeatMs / 1000} s keeps the stream open through proxies. ` +
          'A bad prefix is refused (400) before the stream starts; past the server\'s limit of streams at once (`serve --max-watchers`), 503 `LIMIT_EXCEEDED`.',
        tags: ['routes'],
        produces: ['text/event-stream'],
        querystring: {
          type: 'object',
          required: ['prefix'],
          properties: { prefix: { type: 'string', maxLength: 64, description: 'IPv4 or IPv6 prefix, e.g. 192.0.2.0/24.' } },
          additionalProperties: false,
        },
        response: {
          200: { description: 'A `text/event-stream` of `routes` events.', type: 'string' },
          400: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const prefix = parsePrefix((request.query as { prefix: string }).prefix);
      watch.checkRoom(); // before the stream starts: past it, no error status can be sent
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), heartbeatMs);
      const done = (): void => {
        clearInterval(heartbeat);
        watch.remove(prefix, stream);
      };
      request.raw.socket.on('close', done);
      stream.on('close', done);
      stream.on('error', done);
      watch.add(prefix, stream);
    },
  );
  return watch;
}
