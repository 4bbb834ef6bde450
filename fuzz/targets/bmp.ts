/**
 * Fuzz target for the BMP layer: framer + decoder + session (the BGP decode of Route
 * Monitoring UPDATEs and Peer Up OPENs included).
 *
 * `bmp-stream`: input = [chunking selector (1 byte)] + a BMP byte stream. The selector picks
 * how the stream is cut into chunks (whole, halves, 7-byte pieces, single bytes for short
 * inputs), so mutations exercise the framer's partial-message paths too. For every framed
 * message, `run` decodes it, feeds the session, decodes its UPDATE both ways, and checks two
 * invariants, throwing a plain Error (a finding) when one breaks:
 *   - re-encoding a decoded message and decoding that gives the same message;
 *   - `walkUpdate` delivers as many routes as `decodeUpdate` returns.
 * The `ribstore bmp dump` JSON conversion runs on every message too (with its own session),
 * and its output must survive JSON.stringify.
 *
 * Seeds: messages generated with the encoders (every message type, peer type and Peer Down
 * reason), and, when ../shared is there, short windows of the real vendor streams.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RibstoreError } from '../../src/errors.js';
import { Address, parseAddress } from '../../src/ip/address.js';
import { encodeBgpMessage, encodeNotification, encodeOpen } from '../../src/wire/bgp/index.js';
import {
  BmpFramer,
  BmpPeerHeader,
  BmpSession,
  decodeBmpMessage,
  encodeBmpMessage,
  textTlv,
  type BmpMessage,
} from '../../src/wire/bmp/index.js';
import { bmpMessageJson } from '../../src/wire/bmp/message-json.js';
import { sharedData, vendorBmpStreams } from '../../test/support/shared-data.js';
import type { FuzzTarget } from '../target.js';
import { bgpSamples } from './bgp-samples.js';
import { concatBytes } from '../../test/support/bytes.js';

/** Largest BMP message the target's framer accepts (keeps memory bounded). */
const MAX_MESSAGE = 1 << 17;


/** One message of every kind, built with the encoders. */
function generatedMessages(): BmpMessage[] {
  const v4 = new BmpPeerHeader(0, 0x40, 0, 0, parseAddress('192.0.2.1'), 65001, 0xc0000201, 1700000000, 1);
  const v6 = new BmpPeerHeader(1, 0x80 | 0x10, 0x0000fde8, 100, parseAddress('2001:db8::1'), 4200000000, 0xc0000202, 1700000000, 2);
  const legacy = new BmpPeerHeader(2, 0x20, 1, 2, parseAddress('198.51.100.1'), 65002, 0xc0000203, 0, 0);
  const locRib = new BmpPeerHeader(3, 0x80, 0x0002fbf0, 0x0013000f, new Address(4, 0), 65000, 0xc0000204, 1, 0);
  const capabilities = [
    { kind: 'four-octet-as' as const, code: 65 as const, asn: 65001 },
    { kind: 'add-path' as const, code: 69 as const, families: [{ afi: 1, safi: 1, sendReceive: 3 }] },
    { kind: 'multiprotocol' as const, code: 1 as const, afi: 2, safi: 1 },
  ];
  const open = encodeOpen({ version: 4, myAs: 65001, holdTime: 90, bgpId: 0xc0000201, capabilities, otherParameters: [] });
  const messages: BmpMessage[] = [
    { kind: 'initiation', information: [textTlv(1, 'ribstore fuzz'), textTlv(2, 'router')] },
    ...[v4, v6, legacy, locRib].map((peer): BmpMessage => ({
      kind: 'peerUp',
      peer,
      localAddress: peer.address.family === 6 ? parseAddress('2001:db8::2') : new Address(4, 0xc0000209),
      localPort: 179,
      remotePort: 33000,
      sentOpen: open,
      receivedOpen: open,
      information: peer.isLocRib ? [textTlv(3, 'global')] : [],
    })),
    {
      kind: 'statisticsReport',
      peer: v4,
      stats: [
        { type: 0, shape: 'counter', value: 5 },
        { type: 7, shape: 'gauge', value: 901899n },
        { type: 9, shape: 'afiSafiGauge', afi: 2, safi: 1, value: 160147n },
        { type: 65531, shape: 'raw', value: new Uint8Array([1, 2, 3, 4]) },
      ],
    },
    { kind: 'peerDown', peer: v4, reason: 1, notification: encodeNotification({ code: 6, subcode: 2, data: new Uint8Array(0) }) },
    { kind: 'peerDown', peer: v6, reason: 2, fsmEvent: 18 },
    { kind: 'peerDown', peer: legacy, reason: 4 },
    { kind: 'peerDown', peer: locRib, reason: 6, tlvs: [textTlv(3, 'global')] },
    { kind: 'routeMirroring', peer: v4, tlvs: [{ type: 0, value: open }, { type: 1, value: new Uint8Array([0, 1]) }] },
    { kind: 'termination', information: [textTlv(0, 'bye'), { type: 1, value: new Uint8Array([0, 1]) }] },
  ];
  // Route Monitoring with every UPDATE sample of the BGP codec, on each kind of peer.
  const peers = [v4, v6, legacy, locRib];
  bgpSamples()
    .filter((s) => s.message.type === 'update')
    .forEach((s, i) => messages.push({ kind: 'routeMonitoring', peer: peers[i % peers.length]!, update: encodeBgpMessage(s.message, s.ctx) }));
  return messages;
}

/** Short windows (1-4 consecutive messages) of each vendor stream, at most `limit`. */
function vendorWindows(limit: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const name of vendorBmpStreams()) {
    const frames = new BmpFramer().push(new Uint8Array(readFileSync(sharedData('bmp', name))));
    for (let i = 0; i < frames.length; i++) {
      // a Peer Up followed by the messages after it, so UPDATEs meet their context
      const size = 1 + (i % 4);
      const window = frames.slice(i, i + size).map((frame) => frame.bytes);
      const key = `${window[0]![5]}:${Buffer.from(window[0]!.subarray(6, 60)).toString('hex')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(concatBytes(window));
      if (out.length >= limit) return out;
    }
  }
  return out;
}

let seeds: Uint8Array[] | undefined;

function withSelector(selector: number, bytes: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([selector]), bytes]);
}

/** Cut `stream` into chunks as the selector says. */
function chunks(selector: number, stream: Uint8Array): Uint8Array[] {
  switch (selector & 3) {
    case 0:
      return [stream];
    case 1:
      return [stream.subarray(0, stream.length >>> 1), stream.subarray(stream.length >>> 1)];
    case 2: {
      const out: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at += 7) out.push(stream.subarray(at, at + 7));
      return out;
    }
    default: {
      if (stream.length > 4096) return [stream];
      const out: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at++) out.push(stream.subarray(at, at + 1));
      return out;
    }
  }
}

/** Decode a BMP stream end to end and check the invariants. */
export const bmpStreamTarget: FuzzTarget = {
  name: 'bmp-stream',
  get seeds() {
    if (!seeds) {
      const generated = generatedMessages().map((m) => encodeBmpMessage(m));
      seeds = [
        ...generated.map((bytes, i) => withSelector(i & 3, bytes)),
        withSelector(2, concatBytes(generated)),
        ...vendorWindows(300).map((bytes, i) => withSelector(i & 3, bytes)),
      ];
    }
    return seeds;
  },
  maxInputLength: 1 << 17,
  run(input) {
    if (input.length === 0) return;
    const framer = new BmpFramer({ maxMessageLength: MAX_MESSAGE });
    const session = new BmpSession();
    const jsonSession = new BmpSession();
    for (const chunk of chunks(input[0]!, input.subarray(1))) {
      for (const frame of framer.push(chunk)) {
        const message = decodeBmpMessage(frame.bytes, frame.offset);
        assert.deepStrictEqual(decodeBmpMessage(encodeBmpMessage(message)), message);
        try {
          JSON.stringify(bmpMessageJson(message, frame.offset, jsonSession));
        } catch (error) {
          if (!(error instanceof RibstoreError)) throw error;
        }
        session.receive(message, frame.offset);
        if (message.kind !== 'routeMonitoring') continue;
        let routes = 0;
        try {
          const update = session.decodeUpdate(message);
          const a = update.attributes;
          routes = update.announced.length + update.withdrawn.length + (a.mpReach?.nlri.length ?? 0) + (a.mpUnreach?.nlri.length ?? 0);
        } catch (error) {
          if (!(error instanceof RibstoreError)) throw error;
          continue; // the UPDATE is malformed; the walk must refuse it too (checked below)
        }
        let walked = 0;
        session.walkUpdate(message, { attributes() {}, announce: () => void walked++, withdraw: () => void walked++ });
        if (walked !== routes) throw new Error(`walkUpdate delivered ${walked} routes, decodeUpdate ${routes}`);
      }
    }
    framer.end();
  },
};
