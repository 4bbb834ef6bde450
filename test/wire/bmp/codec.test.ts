import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../../src/errors.js';
import { Address, parseAddress } from '../../../src/ip/address.js';
import {
  BmpPeerHeader,
  decodeBmpMessage,
  encodeBmpMessage,
  formatPeerDistinguisher,
  textTlv,
  tlvText,
  type BmpMessage,
} from '../../../src/wire/bmp/index.js';
import { arbitraryBgpPdu, arbitraryBmpMessage } from './arbitrary.js';

function throwsDecode(fn: () => unknown, messageType: string, offset: number, mentions: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DecodeError, `a DecodeError, got ${String(error)}`);
    assert.equal(error.code, 'DECODE_ERROR');
    assert.equal(error.messageType, messageType);
    assert.equal(error.offset, offset, error.message);
    assert.ok(error.message.includes(mentions), `message ${JSON.stringify(error.message)} mentions ${mentions}`);
    return true;
  });
}

const pdu = (type: number, body: number[] = []): Uint8Array => {
  const out = new Uint8Array(19 + body.length).fill(0xff, 0, 16);
  out[17] = out.length;
  out[18] = type;
  out.set(body, 19);
  return out;
};

const globalPeer = new BmpPeerHeader(0, 0x40, 0, 0, parseAddress('192.0.2.1'), 65001, 0xc0000201, 1700000000, 250);

test('round trip: decode(encode(m)) equals m for generated messages', () => {
  fc.assert(
    fc.property(arbitraryBmpMessage, (message) => {
      const bytes = encodeBmpMessage(message);
      assert.deepStrictEqual(decodeBmpMessage(bytes), message);
      // and the bytes are stable: encode(decode(bytes)) is byte-identical
      assert.deepStrictEqual(encodeBmpMessage(decodeBmpMessage(bytes)), bytes);
    }),
    { numRuns: 2000 },
  );
});

test('Route Monitoring: exact bytes of the common and per-peer headers', () => {
  const update = pdu(2, [0, 0, 0, 0]);
  const bytes = encodeBmpMessage({ kind: 'routeMonitoring', peer: globalPeer, update });
  assert.equal(bytes.length, 6 + 42 + 23);
  assert.deepStrictEqual([...bytes.subarray(0, 8)], [3, 0, 0, 0, 71, 0, 0, 0x40]);
  assert.deepStrictEqual([...bytes.subarray(8, 16)], [0, 0, 0, 0, 0, 0, 0, 0]); // distinguisher
  assert.deepStrictEqual([...bytes.subarray(16, 32)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1]);
  assert.deepStrictEqual([...bytes.subarray(32, 48)], [0, 0, 0xfd, 0xe9, 192, 0, 2, 1, 0x65, 0x53, 0xf1, 0x00, 0, 0, 0, 250]);
  const decoded = decodeBmpMessage(bytes);
  assert.equal(decoded.kind, 'routeMonitoring');
  if (decoded.kind !== 'routeMonitoring') return;
  assert.equal(decoded.peer.postPolicy, true);
  assert.equal(decoded.peer.ipv6Peer, false);
  assert.equal(decoded.peer.address.toString(), '192.0.2.1');
  // zero-copy: the UPDATE is a view of the message buffer
  assert.equal(decoded.update.buffer, bytes.buffer);
  assert.deepStrictEqual(decoded.update, update);
});

test('peer flags: V, L, A, O for peer types 0-2; only F for Loc-RIB', () => {
  const v6 = new BmpPeerHeader(1, 0xf0, 0, 0, parseAddress('2001:db8::1'), 1, 1, 0, 0);
  assert.deepStrictEqual([v6.ipv6Peer, v6.postPolicy, v6.legacyAsPath, v6.adjRibOut, v6.filtered, v6.isLocRib], [true, true, true, true, false, false]);
  const locRib = new BmpPeerHeader(3, 0x80, 0, 0, new Address(4, 0), 1, 1, 0, 0);
  assert.deepStrictEqual([locRib.ipv6Peer, locRib.postPolicy, locRib.legacyAsPath, locRib.adjRibOut, locRib.filtered, locRib.isLocRib], [false, false, false, false, true, true]);
  // the F bit of a Loc-RIB peer is not read as V: the zero address stays IPv4
  const decoded = decodeBmpMessage(encodeBmpMessage({ kind: 'routeMonitoring', peer: locRib, update: pdu(2, [0, 0, 0, 0]) }));
  assert.equal(decoded.kind === 'routeMonitoring' && decoded.peer.address.toString(), '0.0.0.0');
});

test('peer distinguisher text: RD types 0, 1, 2 for RD-instance and Loc-RIB peers, hex otherwise', () => {
  const header = (type: number, high: number, low: number) => new BmpPeerHeader(type, 0, high, low, new Address(4, 0), 0, 0, 0, 0);
  assert.equal(formatPeerDistinguisher(header(1, 0x0000fde8, 100)), '0:65000:100');
  assert.equal(formatPeerDistinguisher(header(1, 0x0001c000, 0x02010007)), '1:192.0.2.1:7');
  assert.equal(formatPeerDistinguisher(header(3, 0x0002fbf0, 0x00130011)), '2:4226809875:17');
  assert.equal(formatPeerDistinguisher(header(0, 0, 0)), '0000000000000000');
  assert.equal(formatPeerDistinguisher(header(2, 0x12345678, 0x9abcdef0)), '123456789abcdef0');
});

test('Peer Up: both OPENs, ports, local address and the RFC 9069 table-name TLV', () => {
  const sent = pdu(1, [4, 0xfd, 0xe8, 0, 90, 192, 0, 2, 9, 0]);
  const received = pdu(1, [4, 0xfd, 0xe9, 0, 90, 192, 0, 2, 1, 0]);
  const message: BmpMessage = {
    kind: 'peerUp',
    peer: new BmpPeerHeader(3, 0x80, 0x0000fde8, 7, new Address(4, 0), 65000, 0xc0000209, 1, 2),
    localAddress: new Address(4, 0),
    localPort: 0,
    remotePort: 0,
    sentOpen: sent,
    receivedOpen: received,
    information: [textTlv(3, 'VRF-blue')],
  };
  const decoded = decodeBmpMessage(encodeBmpMessage(message));
  assert.deepStrictEqual(decoded, message);
  assert.ok(decoded.kind === 'peerUp');
  assert.equal(tlvText(decoded.information[0]!), 'VRF-blue');
  assert.equal(decoded.peer.filtered, true);
  assert.equal(formatPeerDistinguisher(decoded.peer), '0:65000:7');
});

test('Peer Down payloads per reason', () => {
  const notification = pdu(3, [6, 2]);
  for (const message of [
    { kind: 'peerDown', peer: globalPeer, reason: 1, notification },
    { kind: 'peerDown', peer: globalPeer, reason: 2, fsmEvent: 18 },
    { kind: 'peerDown', peer: globalPeer, reason: 3, notification },
    { kind: 'peerDown', peer: globalPeer, reason: 4 },
    { kind: 'peerDown', peer: globalPeer, reason: 5 },
    { kind: 'peerDown', peer: globalPeer, reason: 6, tlvs: [textTlv(3, 'global')] },
  ] as BmpMessage[]) {
    assert.deepStrictEqual(decodeBmpMessage(encodeBmpMessage(message)), message);
  }
  throwsDecode(
    () => decodeBmpMessage(encodeBmpMessage({ kind: 'peerDown', peer: globalPeer, reason: 2, fsmEvent: 1 }).subarray(0, 50).map((b, i) => (i === 4 ? 50 : b))),
    'BMP Peer Down', 49, 'FSM event',
  );
});

test('Statistics Report: counters, gauges, per-AFI/SAFI gauges, unknown types raw', () => {
  const message: BmpMessage = {
    kind: 'statisticsReport',
    peer: globalPeer,
    stats: [
      { type: 0, shape: 'counter', value: 7 },
      { type: 7, shape: 'gauge', value: 0x1_0000_0001n },
      { type: 9, shape: 'afiSafiGauge', afi: 2, safi: 1, value: 160147n },
      { type: 14, shape: 'gauge', value: 5n },
      { type: 17, shape: 'afiSafiGauge', afi: 1, safi: 1, value: 901899n },
      { type: 65531, shape: 'raw', value: new Uint8Array([1, 2, 3]) },
    ],
  };
  const bytes = encodeBmpMessage(message);
  assert.deepStrictEqual(decodeBmpMessage(bytes), message);
  // a count that promises more stats than the bytes can hold is refused before any loop
  const lie = bytes.slice();
  lie[51] = 0xff;
  throwsDecode(() => decodeBmpMessage(lie), 'BMP Statistics Report', 48, 'cannot fit');
});

test('malformed messages give DecodeError with the stream offset and type', () => {
  const good = encodeBmpMessage({ kind: 'routeMonitoring', peer: globalPeer, update: pdu(2, [0, 0, 0, 0]) });
  const at = 1000; // pretend the message sits at stream offset 1000
  const bad = (edit: (b: Uint8Array) => void) => {
    const b = good.slice();
    edit(b);
    return b;
  };
  throwsDecode(() => decodeBmpMessage(bad((b) => (b[0] = 1)), at), 'BMP Route Monitoring', 1000, 'version 1');
  throwsDecode(() => decodeBmpMessage(good.subarray(0, 60), at), 'BMP Route Monitoring', 1001, 'length field says 71');
  throwsDecode(() => decodeBmpMessage(bad((b) => (b[65] = 200)), at), 'BMP Route Monitoring', 1048 + 16, 'runs past the message end');
  throwsDecode(() => decodeBmpMessage(bad((b) => (b[65] = 5)), at), 'BMP Route Monitoring', 1048 + 16, 'under the 19-byte header');
  throwsDecode(() => decodeBmpMessage(bad((b) => (b[66] = 1)), at), 'BMP Route Monitoring', 1048 + 18, 'expected a BGP UPDATE');
  const short = encodeBmpMessage({ kind: 'unknown', typeCode: 0, body: new Uint8Array(10) });
  throwsDecode(() => decodeBmpMessage(short, at), 'BMP Route Monitoring', 1001, 'per-peer header');
  const init = encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'router')] });
  init[9] = 99; // TLV length past the end
  throwsDecode(() => decodeBmpMessage(init, at), 'BMP Initiation', 1008, 'runs past the message end');
  throwsDecode(() => decodeBmpMessage(new Uint8Array([3, 0, 0]), at), 'BMP message', 1000, 'shorter than the 6-byte');
});

test('hostile bytes: any input decodes or throws DecodeError, never anything else', () => {
  fc.assert(
    fc.property(arbitraryBmpMessage, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (message, edits, cut) => {
      const bytes = encodeBmpMessage(message);
      for (const [index, value] of edits) bytes[index % bytes.length] = value;
      const input = bytes.subarray(0, bytes.length - (cut % 4));
      try {
        decodeBmpMessage(input);
      } catch (error) {
        assert.ok(error instanceof DecodeError, String(error));
      }
    }),
    { numRuns: 3000 },
  );
});

test('encoder refuses what the wire cannot carry', () => {
  assert.throws(() => encodeBmpMessage({ kind: 'initiation', information: [{ type: 0, value: new Uint8Array(70000) }] }), /exceeds 65535/);
  assert.throws(() => encodeBmpMessage({ kind: 'statisticsReport', peer: globalPeer, stats: [{ type: 0, shape: 'counter', value: -1 }] }), /32-bit/);
  assert.throws(() => encodeBmpMessage({ kind: 'peerDown', peer: globalPeer, reason: 1 }), /needs a notification/);
  fc.assert(fc.property(arbitraryBgpPdu(2), (update) => encodeBmpMessage({ kind: 'routeMonitoring', peer: globalPeer, update }).length === 48 + update.length));
});
