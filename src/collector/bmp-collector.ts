/**
 * The BMP collector: a TCP server that accepts router sessions (RFC 7854) and keeps their
 * routes in a {@link Rib}.
 *
 * ```
 *  router ──TCP──► BmpConnection (queue, framer, decode, time slices) ──► applyBmpMessage (bmp-apply.ts)
 *                  (Route Monitoring read in place: applyRouteMonitoringAt, same effects)
 *                                                                           │ Route Monitoring → rib
 *                                                                           │ Peer Up / Down   → peer state, flush
 *                                                                           │ Stats            → counters
 *                                                                           └ Initiation / Termination / Mirroring
 * ```
 *
 * Invariants:
 * - A router is identified by its session's source address and Initiation sysName, named as
 *   `routerIdFrom` says (router-identity.ts). At most one session per router is live: a new
 *   one replaces it when it comes from the same address with the same sysName (the router
 *   reconnected), or when the live one has been quiet for `replaceQuietMs`; otherwise the new
 *   session is refused. A bare TCP connect replaces nothing.
 * - A connection belongs to no router until its Initiation arrives; one that sends none within
 *   `initiationTimeoutMs` is closed, and limits make room by closing the oldest such pending
 *   connections first (session-table.ts), so idle connections cannot lock routers out.
 * - Limits are enforced before any byte is read: the allow-list, `maxSessions` and
 *   `maxSessionsPerAddress` refuse a connection outright (counted as `rejected`) when no
 *   pending connection can make room.
 * - Every close has a reason, logged and kept per router (`lastCloseReason`).
 * - A failing session is closed alone, with one log line and one error count; the server,
 *   the other sessions and the RIB carry on.
 * - Counters only grow; a router's record (collector-router.ts, with its per-peer counters)
 *   outlives its sessions.
 * - The tap (bmp-tap.ts) sees every established TCP session's messages after they are applied,
 *   and a made-up Termination for a session that ended without one.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import type { Logger } from 'pino';
import type { BmpMessage } from '../wire/bmp/types.js';
import { tlvText } from '../wire/bmp/encode.js';
import { BmpInformationType } from '../wire/bmp/types.js';
import { BmpSession } from '../wire/bmp/session.js';
import { PeerIdentityReader } from '../wire/bmp/peer-header.js';
import { decodeBmpMessage } from '../wire/bmp/decode.js';
import { RibstoreError } from '../errors.js';
import type { Rib } from '../rib/rib.js';
import { BmpConnection, type BmpConnectionEnd, type BmpConnectionOptions, type BmpLink } from './bmp-connection.js';
import { QueueBudget } from './queue-budget.js';
import { SliceScheduler } from './slice-scheduler.js';
import { BmpMessageFeed } from './bmp-feed.js';
import { type CollectorPeer, PeerRecords } from './collector-peers.js';
import { RouteFeed } from './route-feed.js';
import { type ApplyContext, type SessionState, applyBmpMessage, applyRouteMonitoringAt } from './bmp-apply.js';
import { DEFAULT_LOC_RIB_QUIET_MS, ResyncTracker } from './bmp-resync.js';
import { AllowList } from './allow-list.js';
import { formatDuration } from './options.js';
import { type RouterIdMode, RouterNames, unmappedAddress } from './router-identity.js';
import { SessionTable, type TrackedConnection } from './session-table.js';
import { type BmpTap, sessionEndTermination } from './bmp-tap.js';
import { type CollectorRouter, newCollectorRouter } from './collector-router.js';
import { type CollectorErrorKind, type CollectorTotals, emptyCollectorTotals } from './statistics.js';

/** Settings of {@link BmpCollector}; every field but `rib` has a default. */
export interface BmpCollectorOptions {
  /** Where routes go. */
  readonly rib: Rib;
  /** Largest BMP message accepted, bytes (default 1 MiB: a BGP message is at most 64 KiB). */
  readonly maxMessageLength?: number;
  /** Most concurrent router sessions, pending ones included (default 256). */
  readonly maxSessions?: number;
  /** Most concurrent sessions from one source address (default 32: NATs and BMP proxies carry several routers). */
  readonly maxSessionsPerAddress?: number;
  /** Most connections waiting for their Initiation; more close the oldest (default 64). */
  readonly maxPendingSessions?: number;
  /** A connection whose Initiation has not arrived this long after it opened is closed (default 10 s). */
  readonly initiationTimeoutMs?: number;
  /**
   * A session that sends nothing for this long is closed (default 1 h; 0: never). BMP has no
   * keepalive: Statistics Reports and route updates are the signs of life.
   */
  readonly idleTimeoutMs?: number;
  /** How routers are named from their sessions' address and sysName (default `auto`; see router-identity.ts). */
  readonly routerIdFrom?: RouterIdMode;
  /**
   * A session of the same router name from another address or with another sysName replaces
   * the live one only after the live one has received nothing for this long (default 30 s);
   * sooner, the new session is refused.
   */
  readonly replaceQuietMs?: number;
  /**
   * After a reconnect, a router's stale Loc-RIB routes are swept once its re-send has replaced
   * none of them for this long, when it sends no Loc-RIB End-of-RIB (default 10 s; bmp-resync.ts).
   */
  readonly locRibQuietMs?: number;
  /** Router addresses allowed to connect (default: everyone). */
  readonly allow?: AllowList;
  /** Per-session queue size above which the socket is paused, bytes (default 64 MiB). */
  readonly queueHighWaterBytes?: number;
  /**
   * All sessions' queued bytes together above which a receiving session's socket is paused
   * (default 64 MiB; see queue-budget.ts): what bounds memory when many routers send at once.
   */
  readonly queueTotalBytes?: number;
  /** Most milliseconds of processing per event-loop turn, all sessions together (default 5; see slice-scheduler.ts). */
  readonly sliceMs?: number;
  /** Logger (default: silent). */
  readonly logger?: Logger;
  /**
   * Receives every BMP message of every TCP session after it was applied (e.g. the bus
   * publisher), and a Termination made up by the collector when a session ends without one.
   */
  readonly tap?: BmpTap;
}

/** The session-hygiene and router-identity settings of {@link BmpCollectorOptions} (what `serve`'s flags set). */
export type BmpSessionHygiene = Pick<
  BmpCollectorOptions,
  'maxSessionsPerAddress' | 'maxPendingSessions' | 'initiationTimeoutMs' | 'idleTimeoutMs' | 'routerIdFrom' | 'replaceQuietMs' | 'locRibQuietMs'
>;

/** One accepted connection, from accept to close. */
interface Session extends TrackedConnection {
  readonly connection: BmpLink;
  readonly port: number;
  /** The router, once the Initiation has arrived (null while pending). */
  router: CollectorRouter | null;
  /** Decode state, from the Initiation on. */
  state: SessionState | null;
  /** Closes the connection if no Initiation arrives in time. */
  initiationTimer: NodeJS.Timeout | null;
}

/** The BMP collector server. See the module doc. */
export class BmpCollector {
  /** Process-wide counters. */
  readonly totals: CollectorTotals = emptyCollectorTotals();
  /** Routers by name. */
  readonly routers = new Map<string, CollectorRouter>();

  private readonly rib: Rib;
  private readonly options: Required<Omit<BmpCollectorOptions, 'logger' | 'allow' | 'rib' | 'routerIdFrom' | 'tap'>>;
  private readonly names: RouterNames;
  private readonly sessions: SessionTable<Session>;
  private sweeping: Promise<void> | null = null;
  private readonly peerRecords = new PeerRecords();
  /** What applying a session's messages needs of the collector (bmp-apply.ts). */
  private readonly applying: ApplyContext;
  private readonly allow: AllowList;
  private readonly logger: Logger | null;
  private readonly tap: BmpTap | undefined;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** What every session's connection gets: limits, and the scheduler they share their slices through. */
  private readonly connectionOptions: BmpConnectionOptions;
  /** Live sessions' re-send trackers that have not swept everything yet. */
  private readonly resyncs = new Set<ResyncTracker>();

  constructor(options: BmpCollectorOptions) {
    this.rib = options.rib;
    this.options = {
      maxMessageLength: options.maxMessageLength ?? 1024 * 1024,
      maxSessions: options.maxSessions ?? 256,
      maxSessionsPerAddress: options.maxSessionsPerAddress ?? 32,
      maxPendingSessions: options.maxPendingSessions ?? 64,
      initiationTimeoutMs: options.initiationTimeoutMs ?? 10_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 3_600_000,
      replaceQuietMs: options.replaceQuietMs ?? 30_000,
      locRibQuietMs: options.locRibQuietMs ?? DEFAULT_LOC_RIB_QUIET_MS,
      queueHighWaterBytes: options.queueHighWaterBytes ?? 64 * 1024 * 1024,
      queueTotalBytes: options.queueTotalBytes ?? 64 * 1024 * 1024,
      sliceMs: options.sliceMs ?? 5,
    };
    this.connectionOptions = {
      maxMessageLength: this.options.maxMessageLength,
      queueHighWaterBytes: this.options.queueHighWaterBytes,
      sliceMs: this.options.sliceMs,
      scheduler: new SliceScheduler(this.options.sliceMs, this.rib),
      budget: new QueueBudget(this.options.queueTotalBytes),
    };
    this.names = new RouterNames(options.routerIdFrom ?? 'auto');
    this.sessions = new SessionTable({
      maxSessions: this.options.maxSessions,
      maxPerAddress: this.options.maxSessionsPerAddress,
      maxPending: this.options.maxPendingSessions,
    });
    this.allow = options.allow ?? new AllowList([]);
    this.logger = options.logger ?? null;
    this.tap = options.tap;
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.applying = { rib: this.rib, totals: this.totals, peerRecords: this.peerRecords, logger: this.logger, startSweep: () => this.startSweep() };
  }

  /** Start listening; resolves to the bound address (port 0 picks a free port). */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stop accepting, close every session (routes stay in the RIB), resolve when all are closed. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const router of [...this.routers.values()]) router.connection?.destroy('collector stopping');
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Bytes and chunks queued over every live session. */
  queueDepth(): { bytes: number; chunks: number } {
    let bytes = 0;
    let chunks = 0;
    for (const router of this.routers.values()) {
      if (router.connection) {
        bytes += router.connection.queueBytes;
        chunks += router.connection.queueChunks;
      }
    }
    return { bytes, chunks };
  }

  private accept(socket: Socket): void {
    const address = unmappedAddress(socket.remoteAddress ?? 'unknown');
    if (!this.allow.allows(address)) {
      this.reject(socket, `router ${address} is not in the allow-list`);
      return;
    }
    const refused = this.sessions.admit(address);
    if (refused !== null) {
      this.reject(socket, refused);
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.totals.sessionsAccepted++;
    this.totals.sessionsOpen++;
    const tap = this.tap;
    const session: Session = {
      address,
      port: socket.remotePort ?? 0,
      router: null,
      state: null,
      initiationTimer: null,
      connection: new BmpConnection(socket, this.connectionOptions, {
        onMessage: (message, bytes, offset) => {
          this.onSessionMessage(session, message, offset);
          // Only an established session's messages go to the tap (a refused one never had a router).
          if (tap && session.router !== null) tap.message(session.address, bytes);
        },
        onRouteMonitoring: (bytes, start, length, offset) => {
          if (session.router === null || !applyRouteMonitoringAt(this.applying, session.router, session.state!, bytes, start, length, offset)) return false;
          if (tap) tap.message(session.address, bytes.subarray(start, start + length));
          return true;
        },
        ...(tap ? { hold: () => tap.hold() } : {}),
        onClose: (end) => this.onClose(session, end),
      }),
      close: (reason) => session.connection.destroy(reason),
    };
    this.sessions.add(session);
    const initiationMs = this.options.initiationTimeoutMs;
    session.initiationTimer = setTimeout(() => session.connection.destroy(`no Initiation within ${formatDuration(initiationMs)}`), initiationMs);
    const idleMs = this.options.idleTimeoutMs;
    if (idleMs > 0) socket.setTimeout(idleMs, () => session.connection.destroy(`nothing received for ${formatDuration(idleMs)} (idle timeout)`));
    this.logger?.debug({ router: address, port: session.port }, 'BMP connection accepted; waiting for its Initiation');
  }

  /**
   * Open a session whose messages are handed over one at a time ({@link BmpMessageFeed.push})
   * rather than read from a socket: a replica's router, fed from a bus. `address` is the
   * router's address (named as for a TCP session from it). Each message takes the same path as
   * a TCP session's (Initiation, Peer Up/Down, Route Monitoring, Termination have the same
   * effects) but is not passed to the tap. Allow-list and session limits do not apply: the
   * feed's source chose the routers.
   *
   * `setup` resumes a session that was live before a restart, whose routes the restored RIB
   * holds: its Initiation and the Peer Up of each peer up, in order, which set the router's
   * record and the decoding state without touching the RIB (the router is resumed there:
   * {@link Rib.resumeRouter}); later messages continue the session.
   * @throws DecodeError or RibstoreError `DECODE_ERROR` when `setup` is not an Initiation
   *   followed by Peer Ups (nothing is opened then).
   */
  openFeed(address: string, setup?: readonly Uint8Array[]): BmpMessageFeed {
    const messages = setup?.map((bytes, i) => decodeBmpMessage(bytes, i));
    if (messages && (messages[0]?.kind !== 'initiation' || messages.slice(1).some((m) => m.kind !== 'peerUp'))) {
      throw new RibstoreError('DECODE_ERROR', `a resumed session of ${address} must start with an Initiation followed by Peer Ups`);
    }
    this.totals.sessionsAccepted++;
    this.totals.sessionsOpen++;
    const feed: BmpMessageFeed = new BmpMessageFeed(
      {
        onMessage: (message, _bytes, offset) => this.onSessionMessage(session, message, offset),
        onClose: (end) => this.onClose(session, end),
      },
      messages !== undefined,
    );
    const session: Session = { address, port: 0, router: null, state: null, initiationTimer: null, connection: feed, close: (reason) => feed.destroy(reason) };
    if (messages) this.resume(session, messages);
    return feed;
  }

  /** Set up a resumed session from its Initiation and Peer Ups, leaving the RIB's routes as restored but current. */
  private resume(session: Session, messages: readonly BmpMessage[]): void {
    if (!this.establish(session, messages[0]!)) return;
    const router = session.router!;
    const state = session.state!;
    for (const message of messages) {
      if (message.kind === 'initiation') {
        for (const tlv of message.information) {
          if (tlv.type === BmpInformationType.SysName) router.sysName = tlvText(tlv);
          else if (tlv.type === BmpInformationType.SysDescr) router.sysDescr = tlvText(tlv);
        }
      } else if (message.kind === 'peerUp') {
        const peer = this.peerRecords.peer(router.peers, message.peer);
        peer.counters.state = 'up';
        peer.counters.since = Date.now();
        state.bmp.receive(message, 0);
      }
    }
    this.rib.resumeRouter(router.name);
    this.logger?.info({ router: router.name, peers: messages.length - 1 }, 'BMP session resumed from the snapshot');
  }

  /** A message of a session: the first (its Initiation) makes the session its router's live one. */
  private onSessionMessage(session: Session, message: BmpMessage, offset: number): void {
    if (session.router === null && !this.establish(session, message)) return;
    applyBmpMessage(this.applying, session.router!, session.state!, message, offset);
  }

  /**
   * The Initiation arrived: attach the session to its router (named from its address and
   * sysName), replacing that router's live session if it is the same origin or has gone quiet;
   * false (and the session closed) when the live session keeps the router.
   */
  private establish(session: Session, initiation: BmpMessage): boolean {
    if (session.initiationTimer) clearTimeout(session.initiationTimer);
    session.initiationTimer = null;
    const address = session.address;
    let sysName: string | null = null;
    if (initiation.kind === 'initiation') {
      for (const tlv of initiation.information) if (tlv.type === BmpInformationType.SysName) sysName = tlvText(tlv);
    }
    const name = this.names.nameOf(address, sysName);
    let router = this.routers.get(name);
    const live = router?.connection;
    if (router && live) {
      const sameOrigin = router.address === address && router.sysName === sysName;
      const quietMs = Date.now() - live.lastReceivedAt;
      if (!sameOrigin && quietMs < this.options.replaceQuietMs) {
        this.totals.errors.rejected++;
        const why = `router ${name} has a live session from ${router.address} (sysName ${JSON.stringify(router.sysName)}), active ${Math.round(quietMs / 1000)} s ago`;
        this.logger?.warn({ router: name, address, sysName }, `BMP session refused: ${why}`);
        session.connection.destroy(`refused: ${why}`);
        return false;
      }
      this.logger?.info({ router: name, address, sysName, quietMs }, 'new BMP session replaces the live one');
      live.destroy(`replaced by a new session from ${address} port ${session.port}`);
    }
    this.sessions.establish(session);
    if (!router) {
      router = newCollectorRouter(name, address);
      this.routers.set(name, router);
    }
    router.address = address;
    router.sessions++;
    router.state = 'connected';
    router.since = Date.now();
    router.lastError = null;
    router.connection = session.connection;
    session.router = router;
    session.state = { bmp: new BmpSession(), feed: new RouteFeed(this.rib, name), resync: new ResyncTracker(this.rib, name, this.options.locRibQuietMs), peerHeaders: new PeerIdentityReader() };
    this.resyncs.add(session.state.resync);
    this.logger?.info({ router: name, address, port: session.port, sysName }, 'BMP session opened');
    return true;
  }

  private reject(socket: Socket, why: string): void {
    this.totals.errors.rejected++;
    this.logger?.warn({ router: unmappedAddress(socket.remoteAddress ?? 'unknown') }, `BMP connection refused: ${why}`);
    socket.destroy();
  }

  private onClose(session: Session, end: BmpConnectionEnd): void {
    if (session.initiationTimer) clearTimeout(session.initiationTimer);
    if (session.state) this.resyncs.delete(session.state.resync);
    this.sessions.remove(session);
    const connection = session.connection;
    const router = session.router;
    this.totals.sessionsOpen--;
    this.totals.bytes += connection.bytesReceived;
    if (router === null) {
      // Never sent an Initiation: no router to mark down.
      if (end.errorKind) this.totals.errors[end.errorKind]++;
      this.logger?.info({ router: session.address, port: session.port, reason: end.reason }, 'BMP connection closed before its Initiation');
      return;
    }
    router.bytes += connection.bytesReceived;
    if (end.errorKind) this.countError(router, end.errorKind, end.error);
    if (router.connection !== connection) {
      this.logger?.info({ router: router.name, port: session.port, reason: end.reason }, 'replaced BMP session closed');
      return;
    }
    router.connection = null;
    router.state = 'disconnected';
    router.since = Date.now();
    router.lastCloseReason = end.reason;
    this.logger?.info({ router: router.name, terminated: end.terminated, reason: end.reason, error: end.error?.message ?? null }, 'BMP session closed');
    // The tap's stream must show the session ended, or its readers (bus replicas) would keep it up.
    if (this.tap && !end.terminated && connection instanceof BmpConnection) this.tap.message(session.address, sessionEndTermination(end.reason));
    // Routes are kept (stale) for the keep time, then flushed by tick(); a reconnect replaces them.
    this.rib.routerDown(router.name);
    for (const peer of router.peers.values()) {
      if (peer.counters.state === 'up') {
        peer.counters.state = 'down';
        peer.counters.since = router.since;
      }
    }
  }

  /**
   * Housekeeping, called every second or so by the service: flush routers whose keep time
   * ended, and sweep flushed routes in the background (in slices, never blocking the loop).
   */
  tick(): void {
    const now = Date.now();
    for (const resync of this.resyncs) {
      const swept = resync.tick(now);
      if (swept > 0) this.logger?.info({ router: resync.router, peerViews: swept }, 'Loc-RIB re-sent (quiet period): its stale routes not re-sent are flushed');
      if (resync.done) this.resyncs.delete(resync);
    }
    for (const router of this.rib.tick()) this.logger?.info({ router }, 'keep time ended: the stale routes of the router are flushed');
    this.startSweep();
  }

  private startSweep(): void {
    if (this.sweeping || !this.rib.sweepPending) return;
    this.sweeping = this.rib.sweep().then(
      (report) => {
        this.sweeping = null;
        this.logger?.debug({ report }, 'flushed routes swept');
      },
      (error: unknown) => {
        this.sweeping = null;
        this.logger?.error({ err: error }, 'sweep failed');
      },
    );
  }

  /** Resolves when no sweep is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.sweeping) await this.sweeping;
  }

  private countError(router: CollectorRouter, kind: CollectorErrorKind, error: Error | null): void {
    this.totals.errors[kind]++;
    router.lastError = error?.message ?? kind;
    this.logger?.warn({ router: router.name, kind, err: error?.message }, 'BMP session closed on error');
  }

  /** The collector's record of a RIB peer (for the API), by the RIB's peer fields. */
  findPeer(router: string, peer: { type: string; distinguisher: string; address: string; asn: number; bgpId: string }): CollectorPeer | undefined {
    for (const candidate of this.routers.get(router)?.peers.values() ?? []) {
      if (candidate.address === peer.address && candidate.type === peer.type && candidate.distinguisher === peer.distinguisher && candidate.asn === peer.asn && candidate.bgpId === peer.bgpId) return candidate;
    }
    return undefined;
  }
}

export { type CollectorPeer, viewOf } from './collector-peers.js';
