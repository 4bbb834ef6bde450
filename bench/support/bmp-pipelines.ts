/**
 * In-process BMP pipelines over a byte stream, for same-run references in the collector
 * benchmark (no sockets, no event loop):
 * - {@link decodeOnly}: framing, BMP decode and the UPDATE walk with a visitor that only
 *   counts routes: what any collector must spend before it stores anything (the reference
 *   a "bare decode" figure means here; pmacct's pmbmpd is not installed to compare with);
 * - {@link ingestInProcess}: the same plus the collector's RouteFeed into a fresh Rib, which
 *   also reports how often the attribute-block cache hit.
 *
 * Bytes are fed in 64 KiB chunks, as a socket delivers them; the ingest holds the RIB's clock
 * per chunk, as the collector does per processing slice.
 */
import { RouteFeed } from '../../src/collector/route-feed.js';
import type { TurnClock } from '../../src/collector/slice-scheduler.js';
import { viewOf } from '../../src/collector/bmp-collector.js';
import { formatIPv4 } from '../../src/ip/address.js';
import type { PeerKey } from '../../src/rib/peer-registry.js';
import { Rib } from '../../src/rib/rib.js';
import type { DecodedAttributes } from '../../src/wire/bgp/attribute-decode.js';
import type { NlriCursor } from '../../src/wire/bgp/nlri.js';
import type { UpdateVisitor } from '../../src/wire/bgp/update.js';
import { decodeBmpMessage, routeMonitoringUpdateAt } from '../../src/wire/bmp/decode.js';
import { BmpFramer } from '../../src/wire/bmp/framer.js';
import { type BmpPeerHeader, PeerIdentityReader } from '../../src/wire/bmp/peer-header.js';
import { BmpSession } from '../../src/wire/bmp/session.js';
import type { BmpMessage } from '../../src/wire/bmp/types.js';

const CHUNK = 65536;

/**
 * Frame `bytes` chunk by chunk as the collector does: a Route Monitoring message goes to
 * `monitoring` as its UPDATE's place in the chunk (the collector's hot path, no message
 * object), every other message (and one `routeMonitoringUpdateAt` refuses) decoded to `visit`.
 */
function forEachMessage(bytes: Uint8Array, visit: (message: BmpMessage, offset: number) => void, monitoring: (header: BmpPeerHeader, bytes: Uint8Array, at: number) => void, clock?: TurnClock): void {
  const framer = new BmpFramer();
  const headers = new PeerIdentityReader();
  for (let at = 0; at < bytes.length; at += CHUNK) {
    framer.feed(bytes.subarray(at, Math.min(bytes.length, at + CHUNK)));
    // A chunk is about one of the collector's processing slices (1-2 ms), which hold the RIB's clock.
    clock?.holdClock();
    try {
      while (framer.nextMessage()) {
        const chunk = framer.messageBytes;
        const start = framer.messageStart;
        const update = routeMonitoringUpdateAt(chunk, start, framer.messageLength);
        if (update >= 0) monitoring(headers.read(chunk, start + 6), chunk, update);
        else visit(decodeBmpMessage(chunk.subarray(start, start + framer.messageLength), framer.lastOffset), framer.lastOffset);
      }
    } finally {
      clock?.releaseClock();
    }
  }
  framer.end();
}

/** Counts routes; decodes every attribute block (no recall). */
class CountingVisitor implements UpdateVisitor {
  routes = 0;
  attributes(_decoded: DecodedAttributes): void {}
  withdraw(_route: NlriCursor): void {
    this.routes++;
  }
  announce(_route: NlriCursor): void {
    this.routes++;
  }
}

/** Decode the stream without storing anything; returns the routes seen. */
export function decodeOnly(bytes: Uint8Array): number {
  const session = new BmpSession();
  const visitor = new CountingVisitor();
  forEachMessage(
    bytes,
    (message, offset) => void session.receive(message, offset),
    (header, chunk, at) => void session.walkUpdateAt(header, chunk, at, visitor),
  );
  return visitor.routes;
}

/** What {@link ingestInProcess} did. */
export interface InProcessIngest {
  readonly rib: Rib;
  /** Route Monitoring UPDATEs applied. */
  readonly updates: number;
  /** Of those, how many had their attribute block recalled from the cache. */
  readonly blockHits: number;
}

function peerKey(header: BmpPeerHeader): PeerKey {
  return { type: header.peerType, distinguisher: '0:0', address: header.address.toString(), asn: header.peerAs, bgpId: header.bgpId };
}

/** Ingest the stream into a fresh Rib the way the collector does, without a socket. */
export function ingestInProcess(bytes: Uint8Array, router = '192.0.2.254'): InProcessIngest {
  const rib = new Rib({ keepMs: 3_600_000 });
  const session = new BmpSession();
  const feed = new RouteFeed(rib, router);
  const keys = new Map<string, PeerKey>();
  // Consecutive messages are about one peer: compare the header's fields before building a key.
  let lastHeader: BmpPeerHeader | null = null;
  let lastKey: PeerKey | null = null;
  const keyOf = (header: BmpPeerHeader): PeerKey => {
    const last = lastHeader;
    if (last !== null && last.peerAs === header.peerAs && last.bgpId === header.bgpId && header.address.equals(last.address)) return lastKey!;
    const id = `${header.address.toString()}|${header.peerAs}|${formatIPv4(header.bgpId)}`;
    let key = keys.get(id);
    if (key === undefined) keys.set(id, (key = peerKey(header)));
    lastHeader = header;
    lastKey = key;
    return key;
  };
  let updates = 0;
  forEachMessage(bytes, (message, offset) => {
    switch (message.kind) {
      case 'initiation':
        rib.routerUp(router);
        return;
      case 'peerUp':
        session.receive(message, offset);
        rib.peerUp(router, keyOf(message.peer));
        feed.invalidatePeerViews();
        return;
      default:
        session.receive(message, offset);
    }
  }, (header, chunk, at) => {
    feed.applyMonitoring(keyOf(header), viewOf(header), session, header, chunk, at);
    updates++;
  }, rib);
  return { rib, updates, blockHits: feed.attributeBlockHits };
}
