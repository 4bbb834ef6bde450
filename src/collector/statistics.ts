/**
 * Counters of the BMP collector: process-wide totals, and per router and per monitored peer.
 *
 * These are plain numbers updated on the hot path (one increment per message); the HTTP API
 * reads them for `/api/v1/routers`, `/api/v1/stats` and Prometheus `/metrics`. Counters only
 * grow (they survive disconnects, so rates stay meaningful); gauges (`queueBytes`, open
 * sessions) go up and down.
 */
import { afiSafiName } from '../rib/peer-registry.js';
import { bmpStatTypeName } from '../wire/bmp/names.js';
import { BMP_MESSAGE_KINDS, type BmpStat } from '../wire/bmp/types.js';

/** The BMP message kinds counted, in type-code order (RFC 7854 4.1), plus unknown types. */
export const BMP_MESSAGE_KINDS_COUNTED = [...BMP_MESSAGE_KINDS, 'unknown'] as const;

/** One of {@link BMP_MESSAGE_KINDS_COUNTED}. */
export type CountedMessageKind = (typeof BMP_MESSAGE_KINDS_COUNTED)[number];

/** Message counts by kind. */
export type MessageCounts = Record<CountedMessageKind, number>;

/** A zeroed {@link MessageCounts}. */
export function emptyMessageCounts(): MessageCounts {
  return { routeMonitoring: 0, statisticsReport: 0, peerDown: 0, peerUp: 0, initiation: 0, termination: 0, routeMirroring: 0, unknown: 0 };
}

/**
 * Why a session was closed or a message refused. `decode`: a malformed BMP message (or a Peer
 * Up whose OPENs cannot be read), which closes the session; `update`: a BGP UPDATE inside a
 * well-framed Route Monitoring message that cannot be parsed at all, skipped while the session
 * stays up (RFC 7606 treat-as-withdraw and attribute-discard cases are not errors here: they
 * are applied as the RFC says and counted in `treatAsWithdraw`); `protocol`: a well-formed message out of order (no Initiation first);
 * `limit`: message size, queue or session limits; `rejected`: refused by the allow-list or the
 * session limit before any byte was read; `socket`: a TCP error.
 */
export const COLLECTOR_ERROR_KINDS = ['decode', 'update', 'protocol', 'limit', 'rejected', 'socket'] as const;

/** One of {@link COLLECTOR_ERROR_KINDS}. */
export type CollectorErrorKind = (typeof COLLECTOR_ERROR_KINDS)[number];

/** Process-wide collector totals. */
export interface CollectorTotals {
  /** Sessions open now. */
  sessionsOpen: number;
  /** Sessions accepted since start. */
  sessionsAccepted: number;
  /** Messages by kind since start. */
  messages: MessageCounts;
  /** Bytes read from routers since start. */
  bytes: number;
  /** Prefixes announced and withdrawn by Route Monitoring messages since start. */
  announcements: number;
  withdrawals: number;
  /** Attribute errors handled as treat-as-withdraw (RFC 7606): the session stays up. */
  treatAsWithdraw: number;
  /** Errors by kind since start. */
  errors: Record<CollectorErrorKind, number>;
}

/** A zeroed {@link CollectorTotals}. */
export function emptyCollectorTotals(): CollectorTotals {
  return {
    sessionsOpen: 0,
    sessionsAccepted: 0,
    messages: emptyMessageCounts(),
    bytes: 0,
    announcements: 0,
    withdrawals: 0,
    treatAsWithdraw: 0,
    errors: { decode: 0, update: 0, protocol: 0, limit: 0, rejected: 0, socket: 0 },
  };
}

/** Counters of one monitored peer (one per-peer header identity, any view). */
export interface PeerCounters {
  /** `up` after Peer Up (or first route), `down` after Peer Down. */
  state: 'up' | 'down';
  /** When the state last changed (ms since the epoch). */
  since: number;
  /** Messages about this peer, by kind. */
  messages: MessageCounts;
  announcements: number;
  withdrawals: number;
  /** The last Peer Down reason code (RFC 7854 4.9); the API names it with `bmpPeerDownReasonName`. */
  lastDownReason: number | null;
  /**
   * The latest value of each Statistics Report counter, keyed by the stat type's name
   * (`bmpStatTypeName`: `adj-rib-in-routes`, `unknown-N` for unregistered types). Per-AFI/SAFI
   * gauges are keyed `name/family` with the RIB's family name (`loc-rib-routes-per-afi-safi/ipv4-unicast`).
   * 64-bit gauges are kept as numbers (exact up to 2^53, far beyond any route count).
   */
  stats: Record<string, number>;
}

/** A fresh {@link PeerCounters} in state `up`. */
export function newPeerCounters(now: number): PeerCounters {
  return { state: 'up', since: now, messages: emptyMessageCounts(), announcements: 0, withdrawals: 0, lastDownReason: null, stats: {} };
}

/**
 * Keep the latest value of each stat of a Statistics Report in `counters.stats`, keyed by the
 * stat type's name (`unknown-N` for unregistered types).
 *
 * A type the decoder does not know arrives as raw bytes. RFC 7854 4.8 gives stats two value
 * shapes, a 4-byte counter and an 8-byte gauge, and the later registrations (RFC 8671,
 * RFC 9972) add the 11-byte AFI/SAFI gauge; a raw value of one of those lengths is read as
 * that shape so a newer router's counters still show (as `unknown-N`). Other lengths carry
 * no number and are left out.
 */
export function recordStats(counters: PeerCounters, stats: readonly BmpStat[]): void {
  for (const stat of stats) {
    const name = bmpStatTypeName(stat.type);
    if (stat.shape === 'counter' || stat.shape === 'gauge') counters.stats[name] = Number(stat.value);
    else if (stat.shape === 'afiSafiGauge') counters.stats[`${name}/${afiSafiName(stat.afi, stat.safi)}`] = Number(stat.value);
    else {
      const v = stat.value;
      const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
      if (v.length === 4) counters.stats[name] = view.getUint32(0);
      else if (v.length === 8) counters.stats[name] = Number(view.getBigUint64(0));
      else if (v.length === 11) counters.stats[`${name}/${afiSafiName(view.getUint16(0), v[2]!)}`] = Number(view.getBigUint64(3));
    }
  }
}
