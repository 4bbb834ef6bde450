/**
 * Test helpers: replay a raw BMP byte stream into a collector over TCP from a chosen loopback
 * source address, and an independent "golden" count of the routes a stream leaves behind.
 *
 * The golden model is deliberately plain (Maps of strings, built from the fully decoded
 * UPDATE objects of wire/bgp, not from the collector's fast path), so a disagreement points
 * at the collector or the RIB.
 */
import { connect } from 'node:net';
import { formatIPv4 } from '../../src/ip/address.js';
import { BmpFramer } from '../../src/wire/bmp/framer.js';
import { decodeBmpMessage } from '../../src/wire/bmp/decode.js';
import { formatPeerDistinguisher, type BmpPeerHeader } from '../../src/wire/bmp/peer-header.js';
import { BmpSession } from '../../src/wire/bmp/session.js';
import { formatRouteDistinguisher } from '../../src/wire/bgp/route-distinguisher.js';
import type { Nlri } from '../../src/wire/bgp/types.js';

/**
 * Write `bytes` to `host:port` from `localAddress` in chunks of `chunkSize`, end the stream,
 * and resolve once the server has closed its side too.
 */
export function replay(bytes: Uint8Array, port: number, localAddress: string, chunkSize = 65536, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, localAddress });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
    socket.on('connect', () => {
      for (let at = 0; at < bytes.length; at += chunkSize) socket.write(bytes.subarray(at, at + chunkSize));
      socket.end();
    });
  });
}

/** The RIB view a per-peer header names (the API's view names). */
export function viewOf(peer: BmpPeerHeader): string {
  if (peer.isLocRib) return 'loc-rib';
  if (peer.adjRibOut) return peer.postPolicy ? 'adj-rib-out-post' : 'adj-rib-out-pre';
  return peer.postPolicy ? 'adj-rib-in-post' : 'adj-rib-in-pre';
}

/** The peer identity as the RIB keys it (type, distinguisher, address, AS, BGP ID), in the API's text forms. */
export function peerKeyOf(peer: BmpPeerHeader): string {
  const type = ['global', 'rd-instance', 'local-instance', 'loc-rib'][peer.peerType] ?? `type-${peer.peerType}`;
  const distinguisher = peer.distinguisherHigh === 0 && peer.distinguisherLow === 0 ? '0:0' : formatPeerDistinguisher(peer);
  return `${type}|${distinguisher}|${peer.address.toString()}|${peer.peerAs}|${formatIPv4(peer.bgpId)}`;
}

/** Routes per peer and view that a BMP stream leaves, by the rules the collector follows. */
export interface GoldenCounts {
  /** peer key → view → routes (stale included). */
  readonly perPeer: Map<string, Map<string, number>>;
  /** Every (peer, view, family, rd, prefix, path id) route key. */
  readonly routes: Set<string>;
  /** IPv4/IPv6 unicast announcements seen (SOURCES.md counts these). */
  readonly unicastAnnouncements: number;
  /** Route Monitoring messages whose UPDATE could not be parsed at all (skipped). */
  readonly undecodable: number;
}

/**
 * Decode a whole stream and compute what stays: announcements add, withdrawals remove,
 * Peer Down removes every route of the peer. A Peer Up for a peer that still has routes marks
 * them stale (still shown); a re-announcement makes a route fresh again, and an End-of-RIB for
 * a (peer, view, family) removes the routes of it still stale.
 */
export function goldenCounts(bytes: Uint8Array): GoldenCounts {
  const framer = new BmpFramer();
  const session = new BmpSession();
  const routes = new Map<string, string>(); // route key → peer key + '\n' + view
  const stale = new Set<string>(); // route keys kept from before the peer's last Peer Up
  let unicastAnnouncements = 0;
  let undecodable = 0;
  for (const frame of framer.push(bytes)) {
    const message = decodeBmpMessage(frame.bytes, frame.offset);
    session.receive(message, frame.offset);
    if (message.kind === 'peerDown') {
      const peer = peerKeyOf(message.peer);
      for (const [key, owner] of routes) if (owner.startsWith(`${peer}\n`)) routes.delete(key);
      continue;
    }
    if (message.kind === 'peerUp') {
      const peer = peerKeyOf(message.peer);
      for (const [key, owner] of routes) if (owner.startsWith(`${peer}\n`)) stale.add(key);
      continue;
    }
    if (message.kind !== 'routeMonitoring') continue;
    let update;
    try {
      update = session.decodeUpdate(message);
    } catch {
      // An UPDATE that cannot be parsed at all: the collector skips the message (and counts it).
      undecodable++;
      continue;
    }
    const peer = peerKeyOf(message.peer);
    const view = viewOf(message.peer);
    const owner = `${peer}\n${view}`;
    const key = (afi: number, safi: number, nlri: Nlri): string =>
      `${owner}\n${afi}/${safi}\n${nlri.rd ? formatRouteDistinguisher(nlri.rd) : ''}\n${nlri.prefix.toString()}\n${nlri.pathId ?? 0}`;
    const a = update.attributes;
    const endOfRib = (afi: number, safi: number): void => {
      const prefix = `${owner}\n${afi}/${safi}\n`;
      for (const k of stale) if (k.startsWith(prefix)) (stale.delete(k), routes.delete(k));
    };
    const onlyMpUnreach = a.mpUnreach !== undefined && Object.keys(a).every((name) => name === 'mpUnreach' || (a as Record<string, unknown>)[name] === undefined);
    if (update.withdrawn.length === 0 && update.announced.length === 0) {
      if (Object.values(a).every((value) => value === undefined)) endOfRib(1, 1);
      else if (onlyMpUnreach && a.mpUnreach!.nlri.length === 0 && a.mpUnreach!.unknownNlri === undefined) endOfRib(a.mpUnreach!.afi, a.mpUnreach!.safi);
    }
    for (const nlri of update.withdrawn) routes.delete(key(1, 1, nlri));
    if (a.mpUnreach) for (const nlri of a.mpUnreach.nlri) routes.delete(key(a.mpUnreach.afi, a.mpUnreach.safi, nlri));
    const announced: [number, number, Nlri][] = update.announced.map((nlri) => [1, 1, nlri]);
    if (a.mpReach) for (const nlri of a.mpReach.nlri) announced.push([a.mpReach.afi, a.mpReach.safi, nlri]);
    for (const [afi, safi, nlri] of announced) {
      if (safi === 1 && (afi === 1 || afi === 2)) unicastAnnouncements++;
      const k = key(afi, safi, nlri);
      stale.delete(k);
      if (update.treatAsWithdraw) routes.delete(k);
      else routes.set(k, owner);
    }
  }
  const perPeer = new Map<string, Map<string, number>>();
  for (const owner of routes.values()) {
    const [peer, view] = owner.split('\n') as [string, string];
    const views = perPeer.get(peer) ?? new Map<string, number>();
    views.set(view, (views.get(view) ?? 0) + 1);
    perPeer.set(peer, views);
  }
  return { perPeer, routes: new Set(routes.keys()), unicastAnnouncements, undecodable };
}
