/**
 * The monitored peers of a BMP router as the collector keeps them: one record per per-peer
 * header identity (type, distinguisher, address, AS, BGP ID), created on first sight, with its
 * counters and the RIB's key; and the RIB view a per-peer header names.
 */
import { formatIPv4 } from '../ip/address.js';
import type { PeerKey, View } from '../rib/peer-registry.js';
import type { BmpPeerHeader } from '../wire/bmp/peer-header.js';
import { formatPeerDistinguisher } from '../wire/bmp/peer-header.js';
import { peerTypeName } from '../wire/bmp/names.js';
import { type PeerCounters, newPeerCounters } from './statistics.js';

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

/** The RIB view a per-peer header names. */
export function viewOf(header: BmpPeerHeader): View {
  if (header.isLocRib) return 'loc-rib';
  if (header.adjRibOut) return header.postPolicy ? 'adj-rib-out-post' : 'adj-rib-out-pre';
  return header.postPolicy ? 'adj-rib-in-post' : 'adj-rib-in-pre';
}

/** Finds (or adds) the record of the peer a per-peer header names, remembering the last one. */
export class PeerRecords {
  /** The last per-peer header seen, the router's peer map it was looked up in, and its record. */
  private lastHeader: BmpPeerHeader | null = null;
  private lastPeers: Map<string, CollectorPeer> | null = null;
  private lastPeer: CollectorPeer | null = null;

  /** The record of the peer `header` names among `peers` (one router's), created on first sight. */
  peer(peers: Map<string, CollectorPeer>, header: BmpPeerHeader): CollectorPeer {
    // Consecutive messages are usually about one peer: compare with the last header first.
    const last = this.lastHeader;
    // Headers are immutable and a session's reader hands out one object per run of one peer.
    if (last === header && this.lastPeers === peers) return this.lastPeer!;
    if (
      last !== null &&
      this.lastPeers === peers &&
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
    const peer = findOrAddPeer(peers, header);
    this.lastHeader = header;
    this.lastPeers = peers;
    this.lastPeer = peer;
    return peer;
  }
}

function findOrAddPeer(peers: Map<string, CollectorPeer>, header: BmpPeerHeader): CollectorPeer {
  const a = header.address;
  const key = `${header.peerType}|${header.distinguisherHigh}:${header.distinguisherLow}|${a.family}:${a.w0}:${a.w1}:${a.w2}:${a.w3}|${header.peerAs}|${header.bgpId}`;
  let peer = peers.get(key);
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
    peers.set(key, peer);
  }
  return peer;
}
