/**
 * `ribstore serve`: the collector service. BMP in on one port, the HTTP API out on another,
 * an in-process RIB between them; optional MRT preload. Stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { RibstoreError } from '../../errors.js';
import { AllowList } from '../../collector/allow-list.js';
import { formatDuration, parseDuration, parseListenAddress, parsePositiveInteger, parseSize } from '../../collector/options.js';
import { parseRouterIdMode } from '../../collector/router-identity.js';
import { type ServiceOptions, startService } from '../../service/service.js';
import type { ApiThread } from '../../api/http-thread.js';
import { CommunityNames } from '../../rib/community-names.js';
import type { BmpPublisherOptions } from '../../bus/publisher.js';
import { validSubject } from '../../bus/follower.js';
import type { Command } from '../commands.js';

const help = `Usage: ribstore serve [options]

Run the BMP collector with an embedded RIB and the HTTP API. Routers connect over BMP
(RFC 7854) and stream their routes; query them over HTTP (see /openapi.json).
With no options it listens for BMP on 0.0.0.0:11019 and HTTP on 127.0.0.1:8080.

Options:
  --bmp-listen [HOST:]PORT   BMP listen address (default 0.0.0.0:11019; host default 0.0.0.0)
  --http-listen [HOST:]PORT  HTTP API listen address (default 127.0.0.1:8080; host default 127.0.0.1)
  --keep DURATION            how long a disconnected router's routes are kept before they are
                             flushed, e.g. 90s, 5m, 1h (default 5m)
  --allow CIDR               only accept BMP sessions from these router addresses; repeat the
                             flag or separate with commas (default: any address)
  --mrt FILE                 load an MRT RIB dump (plain, .gz or .bz2) at start; repeatable; a
                             truncated file loads its complete records, with a warning
  --data-dir DIR             keep RIB snapshots in DIR: restore the newest intact one at start,
                             write one every --snapshot-interval and on SIGINT/SIGTERM
  --snapshot-interval DURATION
                             time between snapshots with --data-dir (default 10m; 0: only
                             when stopping)
  --snapshot-keep N          complete snapshots kept in --data-dir (default 3)
  --max-sessions N           most concurrent BMP sessions (default 256)
  --max-sessions-per-address N
                             most concurrent BMP sessions from one source address (default 32;
                             a NAT or BMP proxy carries several routers)
  --max-pending-sessions N   most connections waiting for their BMP Initiation (default 64); when
                             a limit is reached the oldest of them is closed to make room, so idle
                             connections cannot lock routers out
  --initiation-timeout DURATION
                             close a connection whose Initiation has not arrived by then
                             (default 10s)
  --router-id-from address|sysname|auto
                             how routers are named: by source address, by Initiation sysName,
                             or auto (default): the address for the first router seen there and
                             SYSNAME@ADDRESS for other sysNames behind the same address
  --replace-quiet DURATION   a new session of a router from another address or with another
                             sysName replaces the live one only after the live one has been
                             quiet this long (default 30s); sooner it is refused
  --loc-rib-quiet DURATION   after a reconnect, sweep a router's stale Loc-RIB routes once its
                             re-send has replaced none of them for this long, when it sends no
                             Loc-RIB End-of-RIB (default 10s; GoBGP sends none)
  --idle-timeout DURATION    close a session that sent nothing for this long (default 1h; 0:
                             never); BMP has no keepalive, so route updates and Statistics
                             Reports are the signs of life
  --max-message-size SIZE    largest BMP message accepted, e.g. 1M (default 1M); a larger one
                             closes that session
  --queue-limit SIZE         per-session backlog of received bytes above which the socket is
                             paused (default 64M)
  --queue-total SIZE         backlog of all sessions together above which a receiving
                             session's socket is paused (default 64M)
  --publish URL              publish every received BMP message to NATS JetStream at URL
                             (e.g. nats://127.0.0.1:4222), OpenBMP v1.7 framed, on subject
                             ribstore.bmp.COLLECTOR.ROUTER of stream RIBSTORE_BMP; NATS down at
                             start or later: collecting goes on, publishing resumes on reconnect
  --publish-overflow drop|pause
                             when the publish buffer is full: drop messages (counted) or hold
                             BMP ingest until it drains (default drop)
  --publish-buffer SIZE      publish buffer bound (default 64M)
  --publish-max-age DURATION stream retention by age (default 0: unlimited)
  --publish-max-bytes SIZE   stream retention by size (default 0: unlimited)
  --follow URL               be a query replica: build the RIB from the OpenBMP records of a
                             NATS JetStream stream at URL (what another ribstore publishes
                             with --publish, or GoBMP's raw records), each router's messages
                             applied as its BMP session would be; BMP sessions are still
                             accepted beside it
  --subjects SUBJ            with --follow: the subject to follow, wildcards allowed (default
                             ribstore.bmp.>; one collector: ribstore.bmp.rc1.>)
  --collector-name NAME      this collector's name on the bus: OpenBMP admin id and subject
                             token (default ribstore)
  --max-page N               most items one API page may hold (default 10000)
  --max-watchers N           most /api/v1/watch streams open at once (default 100)
  --api-workers N            worker threads that answer /api/v1/routes more-specifics scans
                             from the RIB's shared memory, off the ingest thread (default 0:
                             every answer on the main thread, measured faster on 2 cores); a
                             worker that dies is replaced and its requests in flight get
                             503 UNAVAILABLE; only with --api-thread main (N > 0 alone
                             implies it)
  --api-thread worker|main   which thread owns the HTTP listening socket (default worker, main
                             with --api-workers N > 0). worker: a worker thread accepts, parses
                             and answers /api/v1/lookup and /api/v1/routes from the RIB's
                             shared memory, off the ingest thread, and proxies every other
                             request to the main thread (which listens on 127.0.0.1, a port
                             of its own, for it); a worker that dies is logged and replaced.
                             main: the main thread, which also applies BMP, answers everything.
                             Measured while a table streams: lookup p99 9-25 ms (worker) vs
                             27-36 ms (main), the table ~20 % slower to load (see bench/README.md)
  --community-names FILE     names for communities and large communities, shown beside them in
                             route answers and on the page (lines "PATTERN NAME", e.g.
                             "65000:1xx Learned in city $2"; see the README); well-known
                             communities (NO_EXPORT, BLACKHOLE, ...) are named without it
  --log-level LEVEL          fatal, error, warn, info, debug, trace or silent (default info);
                             logs are JSON lines on stderr
  -h, --help                 show this help

Examples:
  ribstore serve
  ribstore serve --bmp-listen 11019 --http-listen 0.0.0.0:8080 --keep 10m --allow 192.0.2.0/24
  ribstore serve --mrt rib.20240101.0000.bz2 --http-listen 8080
  ribstore serve --data-dir /var/lib/ribstore --snapshot-interval 5m
  ribstore serve --mrt rib.bz2 --community-names communities.txt
  ribstore serve --publish nats://127.0.0.1:4222 --collector-name rc1 --publish-max-age 24h
  ribstore serve --follow nats://127.0.0.1:4222 --subjects ribstore.bmp.rc1.> --data-dir /var/lib/ribstore
`;

/** A duration flag that must be more than zero. */
function positiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms <= 0) throw new RibstoreError('INVALID_ARGUMENT', `${flag} must be more than 0, got ${JSON.stringify(text)}`);
  return ms;
}

/**
 * Default of `--api-workers`: 0, every answer on the main thread. Issue 10 asks for cores - 1,
 * but on the only machine measured (2 cores) workers made every probed request slower, scans
 * included (src/api/DESIGN-workers.md), so the default stays the measured-faster one.
 */
export const DEFAULT_API_WORKERS = 0;

/** Most `--api-workers` accepted (each worker maps the whole RIB and costs a V8 isolate). */
const MAX_API_WORKERS = 64;

/** `--api-workers`: an integer 0..64. */
function parseWorkerCount(text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > MAX_API_WORKERS) {
    throw new RibstoreError('INVALID_ARGUMENT', `invalid --api-workers ${JSON.stringify(text)}: expected a whole number from 0 to ${MAX_API_WORKERS}`);
  }
  return Number(text);
}

/** `--api-thread`: `worker` or `main`. */
function parseApiThread(text: string): ApiThread {
  if (text !== 'worker' && text !== 'main') throw new RibstoreError('INVALID_ARGUMENT', `invalid --api-thread ${JSON.stringify(text)}: expected worker or main`);
  return text;
}

/** Parse the flags of `ribstore serve` into {@link ServiceOptions}. */
export function parseServeArgs(args: string[]): ServiceOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      'bmp-listen': { type: 'string', default: '0.0.0.0:11019' },
      'http-listen': { type: 'string', default: '127.0.0.1:8080' },
      keep: { type: 'string', default: '5m' },
      allow: { type: 'string', multiple: true, default: [] },
      mrt: { type: 'string', multiple: true, default: [] },
      'data-dir': { type: 'string' },
      'snapshot-interval': { type: 'string', default: '10m' },
      'snapshot-keep': { type: 'string', default: '3' },
      'max-sessions': { type: 'string', default: '256' },
      'max-sessions-per-address': { type: 'string', default: '32' },
      'max-pending-sessions': { type: 'string', default: '64' },
      'initiation-timeout': { type: 'string', default: '10s' },
      'idle-timeout': { type: 'string', default: '1h' },
      'router-id-from': { type: 'string', default: 'auto' },
      'replace-quiet': { type: 'string', default: '30s' },
      'loc-rib-quiet': { type: 'string', default: '10s' },
      'max-message-size': { type: 'string', default: '1M' },
      'queue-limit': { type: 'string', default: '64M' },
      'queue-total': { type: 'string', default: '64M' },
      'max-page': { type: 'string', default: '10000' },
      'max-watchers': { type: 'string', default: '100' },
      'api-workers': { type: 'string' },
      'api-thread': { type: 'string' },
      'community-names': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      publish: { type: 'string' },
      'publish-overflow': { type: 'string', default: 'drop' },
      'publish-buffer': { type: 'string', default: '64M' },
      'publish-max-age': { type: 'string', default: '0' },
      'publish-max-bytes': { type: 'string', default: '0' },
      'collector-name': { type: 'string', default: 'ribstore' },
      follow: { type: 'string' },
      subjects: { type: 'string' },
    },
  });
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  const logLevel = values['log-level']!;
  if (!levels.includes(logLevel)) throw new RibstoreError('INVALID_ARGUMENT', `invalid --log-level ${JSON.stringify(logLevel)}: expected one of ${levels.join(', ')}`);
  const maxMessageLength = parseSize(values['max-message-size']!);
  if (maxMessageLength < 4096) throw new RibstoreError('INVALID_ARGUMENT', `--max-message-size ${values['max-message-size']} is too small: BGP messages are up to 4096 bytes (65535 extended)`);
  return {
    bmpListen: parseListenAddress(values['bmp-listen']!, '0.0.0.0'),
    httpListen: parseListenAddress(values['http-listen']!, '127.0.0.1'),
    keepMs: parseDuration(values.keep!),
    allow: new AllowList(values.allow!.flatMap((entry) => entry.split(',')).filter((entry) => entry.trim() !== '')),
    mrtFiles: values.mrt!,
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    snapshotIntervalMs: parseDuration(values['snapshot-interval']!),
    snapshotKeep: parsePositiveInteger(values['snapshot-keep']!, '--snapshot-keep'),
    maxSessions: parsePositiveInteger(values['max-sessions']!, '--max-sessions'),
    sessionHygiene: {
      maxSessionsPerAddress: parsePositiveInteger(values['max-sessions-per-address']!, '--max-sessions-per-address'),
      maxPendingSessions: parsePositiveInteger(values['max-pending-sessions']!, '--max-pending-sessions'),
      initiationTimeoutMs: positiveDuration(values['initiation-timeout']!, '--initiation-timeout'),
      idleTimeoutMs: parseDuration(values['idle-timeout']!),
      routerIdFrom: parseRouterIdMode(values['router-id-from']!),
      replaceQuietMs: parseDuration(values['replace-quiet']!),
      locRibQuietMs: parseDuration(values['loc-rib-quiet']!),
    },
    maxMessageLength,
    queueHighWaterBytes: parseSize(values['queue-limit']!),
    queueTotalBytes: parseSize(values['queue-total']!),
    maxPageLimit: parsePositiveInteger(values['max-page']!, '--max-page'),
    maxWatchers: parsePositiveInteger(values['max-watchers']!, '--max-watchers'),
    apiWorkers: values['api-workers'] === undefined ? DEFAULT_API_WORKERS : parseWorkerCount(values['api-workers']),
    ...(values['api-thread'] !== undefined ? { apiThread: parseApiThread(values['api-thread']) } : {}),
    ...(values['community-names'] !== undefined ? { communityNames: CommunityNames.load(values['community-names']) } : {}),
    logLevel,
    ...(values.publish !== undefined ? { publish: parsePublishArgs(values) } : {}),
    ...(values.follow !== undefined ? { follow: parseFollowArgs(values.follow, values.subjects) } : {}),
  };
}

/** `--follow` and `--subjects` as follower options. */
function parseFollowArgs(url: string, subject: string | undefined): NonNullable<ServiceOptions['follow']> {
  if (!/^(nats|tls|wss?):\/\//.test(url)) throw new RibstoreError('INVALID_ARGUMENT', `invalid --follow ${JSON.stringify(url)}: expected a NATS URL such as nats://127.0.0.1:4222`);
  if (subject === undefined) return { servers: url };
  if (!validSubject(subject)) throw new RibstoreError('INVALID_ARGUMENT', `invalid --subjects ${JSON.stringify(subject)}: expected one NATS subject, tokens separated by '.', e.g. ribstore.bmp.rc1.>`);
  return { servers: url, subject };
}

/** The `--publish*` flags as publisher options. */
function parsePublishArgs(values: Record<string, string | boolean | (string | boolean)[] | undefined>): Omit<BmpPublisherOptions, 'logger'> {
  const overflow = values['publish-overflow'];
  if (overflow !== 'drop' && overflow !== 'pause') throw new RibstoreError('INVALID_ARGUMENT', `invalid --publish-overflow ${JSON.stringify(overflow)}: expected drop or pause`);
  const url = String(values['publish']);
  if (!/^(nats|tls|wss?):\/\//.test(url)) throw new RibstoreError('INVALID_ARGUMENT', `invalid --publish ${JSON.stringify(url)}: expected a NATS URL such as nats://127.0.0.1:4222`);
  return {
    servers: url,
    overflow,
    bufferBytes: parseSize(String(values['publish-buffer'])),
    maxAgeMs: String(values['publish-max-age']) === '0' ? 0 : parseDuration(String(values['publish-max-age'])),
    maxBytes: String(values['publish-max-bytes']) === '0' ? 0 : parseSize(String(values['publish-max-bytes'])),
    collectorName: String(values['collector-name']),
  };
}

/** The `serve` command. */
export const command: Command = {
  name: ['serve'],
  summary: 'run the BMP collector and the HTTP API on an embedded RIB',
  help,
  async run(args) {
    let options: ServiceOptions;
    try {
      options = parseServeArgs(args);
    } catch (error) {
      if (error instanceof RibstoreError) throw error;
      throw new RibstoreError('INVALID_ARGUMENT', (error as Error).message);
    }
    const service = await startService(options);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        service.logger.info({ signal }, 'shutting down');
        service.close().then(resolve, (error: unknown) => {
          service.logger.error({ err: error }, 'shutdown failed');
          resolve();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      // Only now: whoever waits for this line may signal at once, and must reach the handlers above.
      // A person at a terminal gets a plain line; anything else reads JSON lines only, so the
      // same news is a log line there (never plain text mixed into the JSON log).
      const keep = formatDuration(options.keepMs ?? 300_000);
      if (process.stderr.isTTY) process.stderr.write(`ribstore: serving BMP on ${service.bmpAddress}, HTTP on ${service.httpUrl} (keep ${keep})\n`);
      else service.logger.info({ bmp: service.bmpAddress, http: service.httpUrl, keep }, 'ribstore ready: serving, signals handled');
    });
    return 0;
  },
};
