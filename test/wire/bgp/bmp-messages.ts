/**
 * Test support: pull the BGP messages out of a raw BMP stream (RFC 7854), with the decode
 * context each one needs, so the BGP codec can be checked on real router output without
 * depending on the BMP decoder.
 *
 * Only what that needs: the common header (version, length, type), the per-peer header
 * (42 bytes; flag A = 2-octet AS paths), Route Monitoring (a BGP UPDATE follows the
 * per-peer header) and Peer Up (local address 16, ports 4, then the sent and the received
 * OPEN). The context of a peer comes from its Peer Up OPENs, as a collector derives it;
 * mandatory-attribute checks are off, as for any monitoring feed (FRR's Loc-RIB sends
 * IPv4 routes without NEXT_HOP).
 */
import {
  type BgpDecodeContext,
  type BgpOpen,
  createDecodeContext,
  decodeOpen,
  negotiateDecodeContext,
  readBgpHeader,
} from '../../../src/wire/bgp/index.js';

/** One BGP message found in a BMP stream. */
export interface BmpBgpMessage {
  /** The whole BGP message, header included. */
  bytes: Uint8Array;
  /** 'update' from Route Monitoring, 'open' from Peer Up. */
  kind: 'update' | 'open';
  ctx: BgpDecodeContext;
}

/** Every BGP UPDATE and OPEN of a BMP stream, in stream order. */
export function bgpMessagesOfBmp(stream: Uint8Array): BmpBgpMessage[] {
  const out: BmpBgpMessage[] = [];
  const contexts = new Map<string, BgpDecodeContext>();
  let pos = 0;
  while (pos + 6 <= stream.length) {
    const length = ((stream[pos + 1]! << 24) | (stream[pos + 2]! << 16) | (stream[pos + 3]! << 8) | stream[pos + 4]!) >>> 0;
    const type = stream[pos + 5]!;
    if (length < 6 || pos + length > stream.length) throw new Error(`bad BMP length ${length} at ${pos}`);
    const end = pos + length;
    const peerHeader = pos + 6;
    if (type === 0 || type === 3) {
      const flags = stream[peerHeader + 1]!;
      const key = Buffer.from(stream.subarray(peerHeader, peerHeader + 34)).toString('hex') + ':' + flags;
      if (type === 0) {
        const at = peerHeader + 42;
        const legacyAs = (flags & 0x20) !== 0;
        const ctx = contexts.get(key) ?? createDecodeContext({ fourOctetAs: !legacyAs, requireMandatoryAttributes: false });
        const header = readBgpHeader(stream, at, true);
        out.push({ bytes: stream.slice(at, at + header.length), kind: 'update', ctx });
      } else {
        let at = peerHeader + 42 + 20;
        const sentHeader = readBgpHeader(stream, at, true);
        const sent = decodeOpen(stream, at);
        out.push({ bytes: stream.slice(at, at + sentHeader.length), kind: 'open', ctx: createDecodeContext() });
        at += sentHeader.length;
        const receivedHeader = readBgpHeader(stream, at, true);
        const received: BgpOpen = decodeOpen(stream, at);
        out.push({ bytes: stream.slice(at, at + receivedHeader.length), kind: 'open', ctx: createDecodeContext() });
        // Route Monitoring carries what the peer sent: the peer's OPEN is the received one.
        // Some routers (Huawei) send one Peer Up per family for the same peer: ADD-PATH
        // families accumulate over them.
        const negotiated = negotiateDecodeContext(received, sent);
        const addPath = new Set([...(contexts.get(key)?.addPath ?? []), ...negotiated.addPath]);
        // Huawei VRP sends labeled unicast (SAFI 4) with path ids when ADD-PATH was
        // negotiated for unicast (SAFI 1) only: seen in 208-BMP-mem-leak-test.
        for (const k of [...addPath]) if ((k & 255) === 1) addPath.add(k + 3);
        contexts.set(
          key,
          createDecodeContext({
            fourOctetAs: (flags & 0x20) === 0 && negotiated.fourOctetAs,
            addPath: [...addPath].map((k) => ({ afi: k >> 8, safi: k & 255 })),
            extendedMessage: negotiated.extendedMessage,
            requireMandatoryAttributes: false,
          }),
        );
      }
    }
    pos = end;
  }
  return out;
}
