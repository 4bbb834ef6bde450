/**
 * The bus follower: a query replica's feed. It reads OpenBMP raw records from a NATS JetStream
 * stream and hands each BMP message to the collector's per-router session, exactly as if the
 * router's TCP session had delivered it.
 *
 * ```
 *  JetStream ──ordered consumer (from seq)──► decode OBMP header ──► router address
 *                                                  │ Initiation: collector.openFeed(address)
 *                                                  └ BMP bytes ──► that router's BmpMessageFeed.push ──► RIB
 * ```
 *
 * Invariants:
 * - Records are applied one at a time, in stream order, each completely before the next
 *   (`push` is synchronous), so `lastSequence` is exactly the last record whose effect is in
 *   the RIB: a snapshot taken between two records pairs the RIB with the sequence it reflects.
 * - A router's session starts at its Initiation, as over TCP; its records before one (a stream
 *   whose retention cut the session's start) are skipped and counted, never applied half-way.
 * - An unreadable record (bad OpenBMP header) is skipped, counted and logged; a bad BMP message
 *   closes that router's session only, as it would over TCP. Neither stops the follower.
 * - Restart: {@link BmpFollower.streamPosition} (recorded with each snapshot, in the turn the
 *   RIB is frozen) holds the last sequence applied and each live session's Initiation and Peer
 *   Ups; given back as `resume`, the sessions are resumed and consuming starts at sequence + 1,
 *   so nothing is applied twice and nothing is lost.
 * - NATS down at start or later: the follower retries every 500 ms (the client reconnects
 *   and the ordered consumer resumes after the last sequence it delivered); each change is logged
 *   and visible in {@link BmpFollowerStatistics}.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type JetStreamSubscription, type NatsConnection, connect, consumerOpts } from 'nats';
import { RibstoreError } from '../errors.js';
import type { BmpCollector } from '../collector/bmp-collector.js';
import type { Rib } from '../rib/rib.js';
import type { BmpMessageFeed } from '../collector/bmp-feed.js';
import type { SnapshotStreamPosition } from '../rib/snapshot-format.js';
import { decodeOpenBmpRecord } from './openbmp.js';

/** BMP message type codes (RFC 7854 4.1). */
const BMP_PEER_DOWN = 2;
const BMP_PEER_UP = 3;
const BMP_INITIATION = 4;

/** A peer's identity in a Peer Up / Down: its per-peer header without the timestamp (type, flags, RD, address, AS, BGP id). */
function peerKeyOf(bmp: Uint8Array): string {
  return Buffer.from(bmp.buffer, bmp.byteOffset + 6, Math.min(34, Math.max(0, bmp.length - 6))).toString('hex');
}

/** What resumes a router's session after a restart: its Initiation and its peers' Peer Ups. */
interface SessionSetup {
  readonly initiation: Uint8Array;
  readonly peers: Map<string, Uint8Array>;
}

/** A NATS subject filter: non-empty tokens without spaces, `*` a whole token, `>` only a whole last one. */
export function validSubject(subject: string): boolean {
  const tokens = subject.split('.');
  return tokens.every((token, i) => token !== '' && !/\s/.test(token) && (!/[*>]/.test(token) || token === '*' || (token === '>' && i === tokens.length - 1)));
}

/** Settings of {@link BmpFollower}. */
export interface BmpFollowerOptions {
  /** NATS server URL(s), comma-separated. */
  readonly servers: string;
  /**
   * The subject to follow (default `ribstore.bmp.>`; wildcards select several routers or
   * collectors). One subject: one ordered consumer, so one sequence says what was applied.
   */
  readonly subject?: string;
  /** The collector whose router sessions the records feed. */
  readonly collector: BmpCollector;
  /**
   * The RIB that collector writes to: routes a record announces or changes are stamped
   * (`receivedAt` / `changedAt`) with the record's collection time, as on the collector, not
   * with the time the replica applied it (which, on a replay, can be hours later).
   */
  readonly rib: Rib;
  /**
   * Where to start, from the restored snapshot: the last sequence applied per stream (the
   * follower starts after it) and the sessions live then (resumed, not re-opened). Without
   * it, from the first retained record.
   */
  readonly resume?: SnapshotStreamPosition | null;
  /** Most milliseconds of applying records before yielding to the event loop (default 5). */
  readonly sliceMs?: number;
  readonly logger?: Logger;
}

/** Follower figures for `/api/v1/stats` and `/metrics`. */
export interface BmpFollowerStatistics {
  /** Whether the consumer is connected and following. */
  readonly connected: boolean;
  /** The stream followed (null until found). */
  readonly stream: string | null;
  readonly subject: string;
  /** The last stream sequence applied (0: none). */
  readonly lastSequence: number;
  /** The first sequence this process applied (0: none yet): after a restart, the snapshot's + 1. */
  readonly firstSequence: number;
  /** Records applied since start. */
  readonly applied: number;
  /** Records in the stream after the last one applied, as of the last delivery. */
  readonly pending: number;
  /** Age of the last record applied when it was applied (stream time to RIB), ms. */
  readonly lagMs: number;
  /** Records skipped: unreadable, or of a router with no session (before its Initiation). */
  readonly skipped: number;
  /** Connections lost since start. */
  readonly disconnects: number;
  readonly lastError: string | null;
}

/** Follows a JetStream stream of OpenBMP records into the collector; see the module doc. */
export class BmpFollower {
  readonly subject: string;
  private readonly options: BmpFollowerOptions;
  private readonly collector: BmpCollector;
  private readonly logger: Logger | undefined;
  private readonly feeds = new Map<string, BmpMessageFeed>();
  private readonly setups = new Map<string, SessionSetup>();
  /** The first sequence applied by this process (0: none yet). */
  private firstSequence = 0;
  private connection: NatsConnection | null = null;
  private subscription: JetStreamSubscription | null = null;
  private stream: string | null = null;
  private connected = false;
  private closed = false;
  private lastSequence = 0;
  private counters = { applied: 0, skipped: 0, disconnects: 0, pending: 0, lagMs: 0 };
  private lastError: string | null = null;
  private running: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | null = null;

  constructor(options: BmpFollowerOptions) {
    this.options = options;
    this.collector = options.collector;
    this.logger = options.logger;
    this.subject = options.subject ?? 'ribstore.bmp.>';
    if (!validSubject(this.subject)) {
      throw new RibstoreError('INVALID_ARGUMENT', `invalid subject ${JSON.stringify(this.subject)}: expected NATS subject tokens separated by '.', e.g. ribstore.bmp.>`);
    }
    for (const { router, messages } of options.resume?.sessions ?? []) {
      try {
        const setup = messages.map((m) => new Uint8Array(Buffer.from(m, 'base64')));
        this.feeds.set(router, this.collector.openFeed(router, setup));
        this.setups.set(router, { initiation: setup[0]!, peers: new Map(setup.slice(1).map((m) => [peerKeyOf(m), m])) });
      } catch (error) {
        this.logger?.error({ router, err: (error as Error).message }, 'follow: the snapshot\'s session of this router cannot be resumed; its records are skipped until its next Initiation');
      }
    }
  }

  /**
   * Where the RIB stands in the stream now (what a snapshot records with it): the last
   * sequence applied per stream, and the setup of every live session.
   */
  streamPosition(): SnapshotStreamPosition {
    const positions = { ...this.options.resume?.positions };
    if (this.stream !== null && this.lastSequence > 0) positions[this.stream] = this.lastSequence;
    const sessions: SnapshotStreamPosition['sessions'] = [];
    for (const [router, setup] of this.setups) {
      if (this.feeds.get(router)?.isClosed !== false) continue;
      sessions.push({ router, messages: [setup.initiation, ...setup.peers.values()].map((m) => Buffer.from(m).toString('base64')) });
    }
    return { positions, sessions };
  }

  /** Start following in the background and return at once. */
  start(): void {
    this.running = this.run();
  }

  private async run(): Promise<void> {
    this.logger?.info({ nats: this.options.servers, subject: this.subject }, 'follow: connecting to NATS');
    let warned = false;
    while (!this.closed) {
      try {
        if (!this.connection) {
          const connection = await connect({ servers: this.options.servers.split(','), name: 'ribstore-follower', reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
          if (this.closed) {
            await connection.close();
            return;
          }
          this.connection = connection;
          void this.watch(connection);
        }
        await this.follow(this.connection);
        if (this.closed) return;
        // The subscription ended without close() (the stream or its consumer went away): follow again.
        this.logger?.warn({ stream: this.stream, lastSequence: this.lastSequence }, 'follow: the stream subscription ended; following again');
        throw new Error('the stream subscription ended');
      } catch (error) {
        this.fail(error);
        this.connected = false;
        if (!warned) this.logger?.warn({ nats: this.options.servers, err: this.lastError }, 'follow: cannot follow the stream yet (NATS unreachable or no stream); retrying');
        warned = true;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.retryTimer = setTimeout(resolve, 500);
        });
      }
    }
  }

  private async watch(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        if (this.connected) this.counters.disconnects++;
        this.connected = false;
        this.logger?.warn({ nats: String(status.data) }, 'follow: NATS connection lost; the replica answers from what it has');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger?.info({ nats: String(status.data) }, 'follow: NATS reconnected; following resumes');
      }
    }
  }

  /** Find the stream, open an ordered consumer after the last applied sequence, apply what arrives. */
  private async follow(connection: NatsConnection): Promise<void> {
    const manager = await connection.jetstreamManager();
    const stream = await manager.streams.find(this.subject);
    this.stream = stream;
    const after = this.lastSequence || this.options.resume?.positions[stream] || 0;
    const info = await manager.streams.info(stream);
    if (after > 0 && info.state.first_seq > after + 1) {
      this.logger?.warn({ stream, applied: after, firstRetained: info.state.first_seq }, 'follow: the stream no longer holds the records after the snapshot; following from the oldest retained (routes may be missing until routers re-send)');
    }
    // An ordered push consumer (ephemeral, flow-controlled; it recreates itself after the last
    // sequence it delivered when it misses one or the connection comes back). The simplified
    // consumer API needs nats-server 2.10; this one runs on 2.9 (Debian's) too.
    const opts = consumerOpts();
    opts.orderedConsumer();
    if (after > 0) opts.startSequence(after + 1);
    else opts.deliverAll();
    const messages = await connection.jetstream().subscribe(this.subject, opts);
    this.subscription = messages;
    this.connected = true;
    this.logger?.info({ stream, subject: this.subject, from: after + 1 }, 'follow: following the stream');
    const sliceMs = this.options.sliceMs ?? 5;
    let deadline = performance.now() + sliceMs;
    for await (const message of messages) {
      if (this.closed) break;
      this.apply(message.data, message.seq, message.subject);
      this.lastSequence = message.seq;
      if (this.firstSequence === 0) this.firstSequence = message.seq;
      this.counters.applied++;
      this.counters.pending = message.info.pending;
      this.counters.lagMs = Math.max(0, Date.now() - message.info.timestampNanos / 1e6);
      if (performance.now() >= deadline) {
        await yieldToLoop();
        deadline = performance.now() + sliceMs;
      }
    }
  }

  /** Apply one record. */
  private apply(data: Uint8Array, sequence: number, subject: string): void {
    let router: string;
    let bmp: Uint8Array;
    let collectedAt: number;
    try {
      const record = decodeOpenBmpRecord(data);
      router = record.header.routerAddress.toString();
      bmp = record.bmp;
      collectedAt = record.header.timestampSeconds;
    } catch (error) {
      this.skip(`unreadable record ${sequence} on ${subject}: ${(error as Error).message}`);
      return;
    }
    let feed = this.feeds.get(router);
    if (bmp.length > 5 && bmp[5] === BMP_INITIATION) {
      // A new session of the router (the collector replaces or refuses the old one as over TCP).
      feed = this.collector.openFeed(router);
      this.feeds.set(router, feed);
    }
    if (feed === undefined || feed.isClosed) {
      this.skip(`record ${sequence} of router ${router} outside a session (no Initiation before it)`);
      return;
    }
    const rib = this.options.rib;
    rib.replayTime = collectedAt;
    let accepted: boolean;
    try {
      accepted = feed.push(bmp);
    } finally {
      rib.replayTime = -1;
    }
    if (!accepted) {
      this.setups.delete(router);
      return;
    }
    // What a restart needs to resume the session: its Initiation and its peers' Peer Ups.
    const type = bmp[5];
    if (type === BMP_INITIATION) this.setups.set(router, { initiation: bmp.slice(), peers: new Map() });
    else if (type === BMP_PEER_UP) this.setups.get(router)?.peers.set(peerKeyOf(bmp), bmp.slice());
    else if (type === BMP_PEER_DOWN) this.setups.get(router)?.peers.delete(peerKeyOf(bmp));
    if (feed.isClosed) this.setups.delete(router);
  }

  private skip(why: string): void {
    this.counters.skipped++;
    if (this.counters.skipped <= 10 || this.counters.skipped % 1000 === 0) this.logger?.warn({ count: this.counters.skipped }, `follow: ${why}; skipped`);
  }

  private fail(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  /** Current figures. */
  statistics(): BmpFollowerStatistics {
    return {
      connected: this.connected,
      stream: this.stream,
      subject: this.subject,
      lastSequence: this.lastSequence || (this.stream !== null ? (this.options.resume?.positions[this.stream] ?? 0) : 0),
      firstSequence: this.firstSequence,
      applied: this.counters.applied,
      pending: this.counters.pending,
      lagMs: this.counters.lagMs,
      skipped: this.counters.skipped,
      disconnects: this.counters.disconnects,
      lastError: this.lastError,
    };
  }

  /** Stop following (the record being applied finishes first) and close the connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    clearTimeout(this.retryTimer);
    this.wake?.();
    this.subscription?.unsubscribe();
    await this.connection?.close().catch(() => {});
    await this.running.catch(() => {});
  }
}
