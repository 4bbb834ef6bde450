/**
 * What one BMP message of a live session does (RFC 7854 §4): to its router's record
 * (sysName, counters), to the router's peers (state, counters, statistics) and to the RIB
 * (routes, Peer Up/Down, End-of-RIB re-send sweeps). The collector (bmp-collector.ts) owns the
 * sessions and calls {@link applyBmpMessage} for each decoded message, in order, or
 * {@link applyRouteMonitoringAt} for a Route Monitoring message framed in place (the same
 * effects without the message model: the ingest hot path).
 */
import type { Logger } from 'pino';
import type { Rib } from '../rib/rib.js';
import { BgpDecodeError } from '../wire/bgp/errors.js';
import { tlvText } from '../wire/bmp/encode.js';
import { bmpPeerDownReasonName } from '../wire/bmp/names.js';
import { routeMonitoringUpdateAt } from '../wire/bmp/decode.js';
import type { BmpPeerHeader, PeerIdentityReader } from '../wire/bmp/peer-header.js';
import type { BmpSession } from '../wire/bmp/session.js';
import { BMP_COMMON_HEADER_LENGTH, BMP_PEER_HEADER_LENGTH, BmpInformationType, type BmpMessage } from '../wire/bmp/types.js';
import type { CollectorRouter } from './collector-router.js';
import type { ResyncTracker } from './bmp-resync.js';
import { type PeerRecords, viewOf } from './collector-peers.js';
import type { RouteFeed } from './route-feed.js';
import { type CollectorTotals, recordStats } from './statistics.js';

/** What applying messages needs of the collector. */
export interface ApplyContext {
  readonly rib: Rib;
  /** Process-wide counters. */
  readonly totals: CollectorTotals;
  readonly peerRecords: PeerRecords;
  readonly logger: Logger | null;
  /** Sweep flushed routes (after a Peer Down or a re-send's End-of-RIB). */
  startSweep(): void;
}

/** Decode and apply state of one live session. */
export interface SessionState {
  /** Per-peer decode contexts (from Peer Up). */
  readonly bmp: BmpSession;
  readonly feed: RouteFeed;
  /** Sweeps what the router did not re-send after a reconnect (bmp-resync.ts). */
  readonly resync: ResyncTracker;
  /** Per-peer headers of the Route Monitoring hot path ({@link applyRouteMonitoringAt}). */
  readonly peerHeaders: PeerIdentityReader;
}

/**
 * The hot path of a session's Route Monitoring messages: apply the message framed in place at
 * `bytes[start, start + length)` (stream offset `offset`; its common header checked by the
 * framer) as {@link applyBmpMessage} would apply it decoded, without the message model: no
 * message object, no view of the UPDATE, no peer header object while the peer and view stay
 * the same (`state.peerHeaders`). False, with nothing done, when it is not a well-formed Route
 * Monitoring envelope: decode it and call {@link applyBmpMessage}, which throws the typed error.
 */
export function applyRouteMonitoringAt(ctx: ApplyContext, router: CollectorRouter, state: SessionState, bytes: Uint8Array, start: number, length: number, offset: number): boolean {
  const at = routeMonitoringUpdateAt(bytes, start, length);
  if (at < 0) return false;
  const header = state.peerHeaders.read(bytes, start + BMP_COMMON_HEADER_LENGTH);
  ctx.totals.messages.routeMonitoring++;
  router.messages.routeMonitoring++;
  applyRouteMonitoring(ctx, router, state, header, bytes, at, offset - start);
  return true;
}

/**
 * A Route Monitoring message's UPDATE (at `at` of `bytes`, whose byte 0 is at stream offset
 * `base`) for the peer `header` names: into the RIB, counted on the peer and the totals; an
 * End-of-RIB may start a sweep. An UPDATE that cannot be parsed is skipped, counted and logged.
 */
function applyRouteMonitoring(ctx: ApplyContext, router: CollectorRouter, state: SessionState, header: BmpPeerHeader, bytes: Uint8Array, at: number, base: number): void {
  const peer = ctx.peerRecords.peer(router.peers, header);
  peer.counters.messages.routeMonitoring++;
  try {
    const outcome = state.feed.applyMonitoring(peer.ribKey, viewOf(header), state.bmp, header, bytes, at);
    peer.counters.announcements += outcome.announced;
    peer.counters.withdrawals += outcome.withdrawn;
    ctx.totals.announcements += outcome.announced;
    ctx.totals.withdrawals += outcome.withdrawn;
    if (outcome.treatAsWithdraw) ctx.totals.treatAsWithdraw++;
    if (outcome.empty && state.resync.endOfRib(header.isLocRib) > 0) {
      ctx.logger?.info({ router: router.name, locRib: header.isLocRib }, 'views re-sent (End-of-RIB): their stale routes not re-sent are flushed');
      ctx.startSweep();
    }
    if (peer.counters.state === 'down') {
      peer.counters.state = 'up';
      peer.counters.since = Date.now();
    }
  } catch (error) {
    if (!(error instanceof BgpDecodeError)) throw error;
    // The BMP framing is intact, so the stream stays in step: skip this UPDATE and count it.
    // Closing would make the router resend its table and fail on the same UPDATE again.
    ctx.totals.errors.update++;
    router.updateErrors++;
    if (router.updateErrors <= 10 || router.updateErrors % 1000 === 0) {
      ctx.logger?.warn({ router: router.name, peer: peer.address, offset: base + error.offset, err: error.message, count: router.updateErrors }, 'BGP UPDATE skipped');
    }
  }
}

/** Apply one decoded message of `router`'s live session (`state`); `offset` is its place in the stream, for error messages. */
export function applyBmpMessage(ctx: ApplyContext, router: CollectorRouter, state: SessionState, message: BmpMessage, offset: number): void {
  const kind = message.kind;
  ctx.totals.messages[kind]++;
  router.messages[kind]++;
  switch (kind) {
    case 'initiation':
      for (const tlv of message.information) {
        if (tlv.type === BmpInformationType.SysName) router.sysName = tlvText(tlv);
        else if (tlv.type === BmpInformationType.SysDescr) router.sysDescr = tlvText(tlv);
      }
      ctx.logger?.info({ router: router.name, sysName: router.sysName }, 'BMP Initiation');
      ctx.rib.routerUp(router.name);
      state.feed.invalidatePeerViews();
      return;
    case 'termination':
      return;
    case 'unknown':
      return;
    case 'routeMonitoring':
      applyRouteMonitoring(ctx, router, state, message.peer, message.update, 0, offset + BMP_COMMON_HEADER_LENGTH + BMP_PEER_HEADER_LENGTH);
      return;
    case 'peerUp': {
      const peer = ctx.peerRecords.peer(router.peers, message.peer);
      peer.counters.messages.peerUp++;
      peer.counters.state = 'up';
      peer.counters.since = Date.now();
      state.bmp.receive(message, offset);
      ctx.logger?.info({ router: router.name, peer: peer.address, asn: peer.asn, type: peer.type, distinguisher: peer.distinguisher }, 'BMP Peer Up');
      ctx.rib.peerUp(router.name, peer.ribKey);
      state.feed.invalidatePeerViews();
      return;
    }
    case 'peerDown': {
      const peer = ctx.peerRecords.peer(router.peers, message.peer);
      peer.counters.messages.peerDown++;
      peer.counters.state = 'down';
      peer.counters.since = Date.now();
      peer.counters.lastDownReason = message.reason;
      state.bmp.receive(message, offset);
      ctx.logger?.info({ router: router.name, peer: peer.address, asn: peer.asn, type: peer.type, distinguisher: peer.distinguisher, reason: bmpPeerDownReasonName(message.reason), reasonCode: message.reason }, 'BMP Peer Down; its routes are flushed');
      ctx.rib.peerDown(router.name, peer.ribKey);
      state.feed.invalidatePeerViews();
      ctx.startSweep();
      return;
    }
    case 'statisticsReport': {
      const peer = ctx.peerRecords.peer(router.peers, message.peer);
      peer.counters.messages.statisticsReport++;
      recordStats(peer.counters, message.stats);
      return;
    }
    case 'routeMirroring': {
      const peer = ctx.peerRecords.peer(router.peers, message.peer);
      peer.counters.messages.routeMirroring++;
      return;
    }
  }
}
