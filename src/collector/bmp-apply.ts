/**
 * What one BMP message of a live session does (RFC 7854 §4): to its router's record
 * (sysName, counters), to the router's peers (state, counters, statistics) and to the RIB
 * (routes, Peer Up/Down, End-of-RIB re-send sweeps). The collector (bmp-collector.ts) owns the
 * sessions and calls {@link applyBmpMessage} for each decoded message, in order.
 */
import type { Logger } from 'pino';
import type { Rib } from '../rib/rib.js';
import { BgpDecodeError } from '../wire/bgp/errors.js';
import { tlvText } from '../wire/bmp/encode.js';
import { bmpPeerDownReasonName } from '../wire/bmp/names.js';
import type { BmpSession } from '../wire/bmp/session.js';
import { BmpInformationType, type BmpMessage } from '../wire/bmp/types.js';
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
    case 'routeMonitoring': {
      const peer = ctx.peerRecords.peer(router.peers, message.peer);
      peer.counters.messages.routeMonitoring++;
      try {
        const outcome = state.feed.applyMonitoring(peer.ribKey, viewOf(message.peer), state.bmp, message);
        peer.counters.announcements += outcome.announced;
        peer.counters.withdrawals += outcome.withdrawn;
        ctx.totals.announcements += outcome.announced;
        ctx.totals.withdrawals += outcome.withdrawn;
        if (outcome.treatAsWithdraw) ctx.totals.treatAsWithdraw++;
        if (outcome.empty && state.resync.endOfRib(message.peer.isLocRib) > 0) {
          ctx.logger?.info({ router: router.name, locRib: message.peer.isLocRib }, 'views re-sent (End-of-RIB): their stale routes not re-sent are flushed');
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
          ctx.logger?.warn({ router: router.name, peer: peer.address, offset: offset + 48 + error.offset, err: error.message, count: router.updateErrors }, 'BGP UPDATE skipped');
        }
      }
      return;
    }
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
