/**
 * The BMP collector: a TCP server that accepts router sessions (RFC 7854) and keeps their
 * routes in a {@link Rib}.
 *
 * ```
 *  router ──TCP──► BmpConnection (queue, framer, decode, time slices) ──► BmpCollector.onMessage
 *                                                                           │ Route Monitoring → rib
 *                                                                           │ Peer Up / Down   → peer state, flush
 *                                                                           │ Stats            → counters
 *                                                                           └ Initiation / Termination / Mirroring
 * ```
 *
 * Invariants:
 * - A router is identified by the source address of its session. At most one session per
 *   router is live: a new session from the same address replaces the old one.
 * - Limits are enforced before any byte is read: the allow-list and `maxSessions` refuse a
 *   connection outright (counted as `rejected`).
 * - A failing session is closed alone, with one log line and one error count; the server,
 *   the other sessions and the RIB carry on.
 * - Counters only grow; a router's record (and its per-peer counters) outlives its sessions.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import type { Logger } from 'pino';
import { formatIPv4 } from '../ip/address.js';
import type { BmpMessage } from '../wire/bmp/types.js';
import { tlvText } from '../wire/bmp/encode.js';
import { BmpInformationType } from '../wire/bmp/types.js';
import type { BmpPeerHeader } from '../wire/bmp/peer-header.js';
import { formatPeerDistinguisher } from '../wire/bmp/peer-header.js';
import { BmpSession } from '../wire/bmp/session.js';
import { BgpDecodeError } from '../wire/bgp/errors.js';
import type { PeerKey, View } from '../rib/peer-registry.js';
import type { Rib } from '../rib/rib.js';
import { BmpConnection, type BmpConnectionEnd } from './bmp-connection.js';
import { RouteFeed } from './route-feed.js';
import { AllowList } from './options.js';
import {
  type CollectorErrorKind,
  type CollectorTotals,
  type MessageCounts,
  type PeerCounters,
  emptyCollectorTotals,
  emptyMessageCounts,
  newPeerCounters,
} from './statistics.js';

/** Settings of {@link BmpCollector}; every field but `rib` has a default. */
export interface BmpCollectorOptions {
  /** Where routes go. */
  readonly rib: Rib;
  /** Largest BMP message accepted, bytes (default 1 MiB: a BGP message is at most 64 KiB). */
  readonly maxMessageLength?: number;
  /** Most concurrent router sessions (default 256). */
  readonly maxSessions?: number;
  /** Router addresses allowed to connect (default: everyone). */
  readonly allow?: AllowList;
  /** Per-session queue size above which the socket is paused, bytes (default 64 MiB). */
  readonly queueHighWaterBytes?: number;
  /** Most milliseconds of processing per event-loop turn per session (default 5). */
  readonly sliceMs?: number;
  /** Logger (default: silent). */
  readonly logger?: Logger;
}

/** One monitored peer as the collector knows it. */
export interface CollectorPeer {
  readonly key: string;
  readonly address: string;
  readonly asn: number;
  readonly bgpId: string;
  readonly type: string;
  readonly distinguisher: string;
  readonly counters: PeerCounters;
  /** The RIB's key of this peer. */
  readonly ribKey: PeerKey;
}

/** Decode and apply state of one live session. */
interface SessionState {
  /** Per-peer decode contexts (from Peer Up). */
  readonly bmp: BmpSession;
  readonly feed: RouteFeed;
}

/** One router (BMP session source) as the collector knows it. */
export interface CollectorRouter {
  /** The router's address: its identity in the API. */
  readonly address: string;
  /** `connected` while a session is live. */
  state: 'connected' | 'disconnected';
  /** When the state last changed (ms since the epoch). */
  since: number;
  sysName: string | null;
  sysDescr: string | null;
  /** Sessions this router opened since start. */
  sessions: number;
  /** Messages by kind, over all its sessions. */
  readonly messages: MessageCounts;
  /** Bytes received over all its sessions. */
  bytes: number;
  /** The last session's end: `null` while connected or after a clean end. */
  lastError: string | null;
  /** UPDATEs skipped because they could not be parsed (the session stayed up). */
  updateErrors: number;
  readonly peers: Map<string, CollectorPeer>;
  /** The live connection, if any. */
  connection: BmpConnection | null;
}

const PEER_TYPE_NAMES = ['global', 'rd-instance', 'local-instance', 'loc-rib'];

/** Name of a BMP peer type code, as the API shows it. */
export function peerTypeName(code: number): string {
  return PEER_TYPE_NAMES[code] ?? `type-${code}`;
}

/** The BMP collector server. See the module doc. */
export class BmpCollector {
  /** Process-wide counters. */
  readonly totals: CollectorTotals = emptyCollectorTotals();
  /** Routers by address. */
  readonly routers = new Map<string, CollectorRouter>();

  private readonly rib: Rib;
  private readonly options: Required<Omit<BmpCollectorOptions, 'logger' | 'allow' | 'rib'>>;
  private sweeping: Promise<void> | null = null;
  /** The last per-peer header seen and its peer record (a cache for {@link peer}). */
  private lastHeader: BmpPeerHeader | null = null;
  private lastRouter: CollectorRouter | null = null;
  private lastPeer: CollectorPeer | null = null;
  private readonly allow: AllowList;
  private readonly logger: Logger | null;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(options: BmpCollectorOptions) {
    this.rib = options.rib;
    this.options = {
      maxMessageLength: options.maxMessageLength ?? 1024 * 1024,
      maxSessions: options.maxSessions ?? 256,
      queueHighWaterBytes: options.queueHighWaterBytes ?? 64 * 1024 * 1024,
      sliceMs: options.sliceMs ?? 5,
    };
    this.allow = options.allow ?? new AllowList([]);
    this.logger = options.logger ?? null;
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
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
    for (const router of this.routers.values()) router.connection?.destroy();
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
    const address = socket.remoteAddress ?? 'unknown';
    if (!this.allow.allows(address)) {
      this.reject(socket, `router ${address} is not in the allow-list`);
      return;
    }
    if (this.totals.sessionsOpen >= this.options.maxSessions) {
      this.reject(socket, `session limit of ${this.options.maxSessions} reached`);
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    let router = this.routers.get(address);
    if (!router) {
      router = {
        address,
        state: 'connected',
        since: Date.now(),
        sysName: null,
        sysDescr: null,
        sessions: 0,
        messages: emptyMessageCounts(),
        bytes: 0,
        lastError: null,
        updateErrors: 0,
        peers: new Map(),
        connection: null,
      };
      this.routers.set(address, router);
    }
    if (router.connection) {
      this.logger?.info({ router: address }, 'new BMP session replaces the live one');
      router.connection.destroy();
    }
    const current = router;
    this.totals.sessionsAccepted++;
    this.totals.sessionsOpen++;
    current.sessions++;
    current.state = 'connected';
    current.since = Date.now();
    current.lastError = null;
    const state: SessionState = { bmp: new BmpSession(), feed: new RouteFeed(this.rib, address) };
    const connection: BmpConnection = new BmpConnection(socket, this.options, {
      onMessage: (message, _bytes, offset) => this.onMessage(current, state, message, offset),
      onClose: (end) => this.onClose(current, connection, end),
    });
    current.connection = connection;
    this.logger?.info({ router: address, port: socket.remotePort }, 'BMP session opened');
  }

  private reject(socket: Socket, why: string): void {
    this.totals.errors.rejected++;
    this.logger?.warn({ router: socket.remoteAddress }, `BMP connection refused: ${why}`);
    socket.destroy();
  }

  private onClose(router: CollectorRouter, connection: BmpConnection, end: BmpConnectionEnd): void {
    this.totals.sessionsOpen--;
    router.bytes += connection.bytesReceived;
    this.totals.bytes += connection.bytesReceived;
    if (end.errorKind) this.countError(router, end.errorKind, end.error);
    if (router.connection !== connection) return; // replaced by a newer session
    router.connection = null;
    router.state = 'disconnected';
    router.since = Date.now();
    this.logger?.info({ router: router.address, terminated: end.terminated, error: end.error?.message ?? null }, 'BMP session closed');
    // Routes are kept (stale) for the keep time, then flushed by tick(); a reconnect replaces them.
    this.rib.routerDown(router.address);
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
    this.rib.tick();
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
    this.logger?.warn({ router: router.address, kind, err: error?.message }, 'BMP session closed on error');
  }

  private onMessage(router: CollectorRouter, state: SessionState, message: BmpMessage, offset: number): void {
    const kind = message.kind;
    this.totals.messages[kind]++;
    router.messages[kind]++;
    switch (kind) {
      case 'initiation':
        for (const tlv of message.information) {
          if (tlv.type === BmpInformationType.SysName) router.sysName = tlvText(tlv);
          else if (tlv.type === BmpInformationType.SysDescr) router.sysDescr = tlvText(tlv);
        }
        this.logger?.info({ router: router.address, sysName: router.sysName }, 'BMP Initiation');
        this.rib.routerUp(router.address);
        state.feed.invalidatePeerViews();
        return;
      case 'termination':
        return;
      case 'unknown':
        return;
      case 'routeMonitoring': {
        const peer = this.peer(router, message.peer);
        peer.counters.messages.routeMonitoring++;
        try {
          const outcome = state.feed.applyWalk(peer.ribKey, viewOf(message.peer), (visitor) => state.bmp.walkUpdate(message, visitor));
          peer.counters.announcements += outcome.announced;
          peer.counters.withdrawals += outcome.withdrawn;
          this.totals.announcements += outcome.announced;
          this.totals.withdrawals += outcome.withdrawn;
          if (outcome.treatAsWithdraw) this.totals.treatAsWithdraw++;
          if (peer.counters.state === 'down') {
            peer.counters.state = 'up';
            peer.counters.since = Date.now();
          }
        } catch (error) {
          if (!(error instanceof BgpDecodeError)) throw error;
          // The BMP framing is intact, so the stream stays in step: skip this UPDATE and count it.
          // Closing would make the router resend its table and fail on the same UPDATE again.
          this.totals.errors.update++;
          router.updateErrors++;
          if (router.updateErrors <= 10 || router.updateErrors % 1000 === 0) {
            this.logger?.warn({ router: router.address, peer: peer.address, offset: offset + 48 + error.offset, err: error.message, count: router.updateErrors }, 'BGP UPDATE skipped');
          }
        }
        return;
      }
      case 'peerUp': {
        const peer = this.peer(router, message.peer);
        peer.counters.messages.peerUp++;
        peer.counters.state = 'up';
        peer.counters.since = Date.now();
        state.bmp.receive(message, offset);
        this.rib.peerUp(router.address, peer.ribKey);
        state.feed.invalidatePeerViews();
        return;
      }
      case 'peerDown': {
        const peer = this.peer(router, message.peer);
        peer.counters.messages.peerDown++;
        peer.counters.state = 'down';
        peer.counters.since = Date.now();
        peer.counters.lastDownReason = message.reason;
        state.bmp.receive(message, offset);
        this.rib.peerDown(router.address, peer.ribKey);
        state.feed.invalidatePeerViews();
        this.startSweep();
        return;
      }
      case 'statisticsReport': {
        const peer = this.peer(router, message.peer);
        peer.counters.messages.statisticsReport++;
        for (const stat of message.stats) {
          if (stat.shape === 'counter' || stat.shape === 'gauge') peer.counters.stats[String(stat.type)] = Number(stat.value);
          else if (stat.shape === 'afiSafiGauge') peer.counters.stats[`${stat.type}/${stat.afi}/${stat.safi}`] = Number(stat.value);
        }
        return;
      }
      case 'routeMirroring': {
        const peer = this.peer(router, message.peer);
        peer.counters.messages.routeMirroring++;
        return;
      }
    }
  }

  /** The record of the peer a per-peer header names (created on first sight). */
  private peer(router: CollectorRouter, header: BmpPeerHeader): CollectorPeer {
    // Consecutive messages are usually about one peer: compare with the last header first.
    const last = this.lastHeader;
    if (
      last !== null &&
      this.lastRouter === router &&
      last.peerType === header.peerType &&
      last.peerAs === header.peerAs &&
      last.bgpId === header.bgpId &&
      last.distinguisherLow === header.distinguisherLow &&
      last.distinguisherHigh === header.distinguisherHigh &&
      last.address.w0 === header.address.w0 &&
      last.address.w3 === header.address.w3 &&
      last.address.w1 === header.address.w1 &&
      last.address.w2 === header.address.w2 &&
      last.address.family === header.address.family
    ) {
      return this.lastPeer!;
    }
    const peer = this.findOrAddPeer(router, header);
    this.lastHeader = header;
    this.lastRouter = router;
    this.lastPeer = peer;
    return peer;
  }

  private findOrAddPeer(router: CollectorRouter, header: BmpPeerHeader): CollectorPeer {
    const a = header.address;
    const key = `${header.peerType}|${header.distinguisherHigh}:${header.distinguisherLow}|${a.family}:${a.w0}:${a.w1}:${a.w2}:${a.w3}|${header.peerAs}|${header.bgpId}`;
    let peer = router.peers.get(key);
    if (!peer) {
      // A zero distinguisher (global peers) prints as "0:0", as MRT-loaded peers do.
      const distinguisher = header.distinguisherHigh === 0 && header.distinguisherLow === 0 ? '0:0' : formatPeerDistinguisher(header);
      const address = a.toString();
      peer = {
        key,
        address,
        asn: header.peerAs,
        bgpId: formatIPv4(header.bgpId),
        type: peerTypeName(header.peerType),
        distinguisher,
        counters: newPeerCounters(Date.now()),
        ribKey: { type: header.peerType, distinguisher, address, asn: header.peerAs, bgpId: header.bgpId },
      };
      router.peers.set(key, peer);
    }
    return peer;
  }

  /** The collector's record of a RIB peer (for the API), by the RIB's peer fields. */
  findPeer(router: string, peer: { type: string; distinguisher: string; address: string; asn: number; bgpId: string }): CollectorPeer | undefined {
    for (const candidate of this.routers.get(router)?.peers.values() ?? []) {
      if (candidate.address === peer.address && candidate.type === peer.type && candidate.distinguisher === peer.distinguisher && candidate.asn === peer.asn && candidate.bgpId === peer.bgpId) return candidate;
    }
    return undefined;
  }
}

/** The RIB view a per-peer header names. */
export function viewOf(header: BmpPeerHeader): View {
  if (header.isLocRib) return 'loc-rib';
  if (header.adjRibOut) return header.postPolicy ? 'adj-rib-out-post' : 'adj-rib-out-pre';
  return header.postPolicy ? 'adj-rib-in-post' : 'adj-rib-in-pre';
}
