/**
 * The OpenBMP v1.7 raw header codec against published vectors, under hostile bytes, and
 * `ribstore bmp dump` on OpenBMP-framed real vendor streams.
 *
 * Vectors:
 * - bgpkit-parser, src/parser/bmp/openbmp.rs, `test_open_bmp_header`
 *   (https://github.com/bgpkit/bgpkit-parser/blob/main/src/parser/bmp/openbmp.rs): a RouteViews
 *   `bmp_raw` record from collector "is-cc-bmp1", router 128.223.51.105, group "route-views5",
 *   carrying a Peer Down. The published hex has one byte past the 151-byte record.
 * - GoBMP, pkg/message/raw_test.go, `TestProduceRawMessage`
 *   (https://github.com/sbezverk/gobmp/blob/master/pkg/message/raw_test.go): admin id
 *   "test-collector", router 192.168.1.1, BMP bytes 03 0000000a 01 aabbccdd; the test checks every
 *   field at its offset (magic, 1.7, header length 78+N, flags 0x80, type 12, MD5 collector
 *   hash, router hash MD5("192.168.1.1"), IPv4 in the first 4 address bytes, group length 0, row
 *   count 1). Its timestamp is the clock's; the expected bytes below pin it to 1700000000.123456.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, RibstoreError } from '../../src/errors.js';
import { parseAddress } from '../../src/ip/address.js';
import {
  decodeOpenBmpRecord,
  encodeOpenBmpRecord,
  openBmpCollectorHash,
  openBmpHeaderTemplate,
  openBmpRouterHash,
  stampOpenBmpRecord,
} from '../../src/bus/openbmp.js';
import { OpenBmpFramer } from '../../src/bus/openbmp-framer.js';
import { BmpFramer, decodeBmpMessage } from '../../src/wire/bmp/index.js';
import { projectRoot, sharedData, skipUnlessShared } from '../support/shared-data.js';
import { withTempDir } from '../support/temp-dir.js';

const BGPKIT_VECTOR =
  '4f424d500107006400000033800c6184b9c2000c602cbf4f072f3ae149d23486024bc3dadfc4000a69732d63632d626d7031c677060bdd020a9e92be000200de2e3180df3369000000000000000000000000000c726f7574652d76696577733500000001030000003302000000000000000000000000000000000000000000003fda060e00000da30000000061523c36000c0e1c0200000a';

/** GoBMP's TestProduceRawMessage record, field by field, with the timestamp pinned. */
const GOBMP_VECTOR = [
  '4f424d50', // magic "OBMP"
  '01', '07', // version 1.7
  '005c', // header length 78 + 14
  '0000000a', // BMP message length 10
  '80', // flags: router message, IPv4
  '0c', // object type 12 (BMP_RAW)
  '6553f100', '0001e240', // 1700000000 s, 123456 µs
  'aa646df756a9ae4803536eaadb5ba4d2', // MD5("test-collector")
  '000e', Buffer.from('test-collector').toString('hex'),
  '66efff4c945d3c3b87fc271b47d456db', // MD5("192.168.1.1")
  'c0a80101' + '00'.repeat(12), // router IP
  '0000', // router group length
  '00000001', // row count
  '030000000a01aabbccdd', // the raw BMP bytes of the test
].join('');

test('bgpkit-parser vector: every header field, the BMP message inside, byte-exact re-encoding', () => {
  const bytes = new Uint8Array(Buffer.from(BGPKIT_VECTOR, 'hex'));
  const record = decodeOpenBmpRecord(bytes);
  const { header } = record;
  assert.equal(header.collectorAdminId, 'is-cc-bmp1');
  assert.equal(header.routerAddress.toString(), '128.223.51.105');
  assert.equal(header.routerGroup, 'route-views5');
  assert.equal(header.timestampSeconds, 0x6184b9c2);
  assert.equal(header.timestampMicroseconds, 0x000c602c);
  assert.equal(header.headerLength, 100);
  assert.equal(Buffer.from(header.collectorHash).toString('hex'), 'bf4f072f3ae149d23486024bc3dadfc4');
  assert.equal(Buffer.from(header.routerHash).toString('hex'), 'c677060bdd020a9e92be000200de2e31');
  assert.equal(record.length, 151);
  assert.equal(record.bmp.length, 51);
  const message = decodeBmpMessage(record.bmp);
  assert.equal(message.kind, 'peerDown');
  if (message.kind === 'peerDown') {
    assert.equal(message.peer.address.toString(), '63.218.6.14');
    assert.equal(message.peer.peerAs, 3491);
    assert.equal(message.reason, 2);
  }
  const again = encodeOpenBmpRecord({ ...header }, record.bmp);
  assert.deepStrictEqual(Buffer.from(again), Buffer.from(bytes.subarray(0, 151)));
});

test('GoBMP vector: the encoder writes GoBMP raw records byte for byte (MD5 hashes, 78+N header)', () => {
  const bmp = new Uint8Array([0x03, 0x00, 0x00, 0x00, 0x0a, 0x01, 0xaa, 0xbb, 0xcc, 0xdd]);
  const encoded = encodeOpenBmpRecord(
    { collectorAdminId: 'test-collector', routerAddress: parseAddress('192.168.1.1'), timestampSeconds: 1700000000, timestampMicroseconds: 123456 },
    bmp,
  );
  assert.equal(Buffer.from(encoded).toString('hex'), GOBMP_VECTOR);
  const decoded = decodeOpenBmpRecord(encoded);
  assert.deepStrictEqual(decoded.header.collectorHash, openBmpCollectorHash('test-collector'));
  assert.deepStrictEqual(decoded.header.routerHash, openBmpRouterHash(parseAddress('192.168.1.1')));
  assert.deepStrictEqual(decoded.bmp, bmp);
});

test('IPv6 routers set flag 0x40 and use all 16 address bytes; a longer header from a later minor version is skipped', () => {
  const router = parseAddress('2001:db8::7');
  const bmp = new Uint8Array([3, 0, 0, 0, 6, 4]);
  const encoded = encodeOpenBmpRecord({ collectorAdminId: 'c', routerAddress: router, routerGroup: 'g1', timestampSeconds: 1, timestampMicroseconds: 2 }, bmp);
  assert.equal(encoded[12], 0xc0);
  const decoded = decodeOpenBmpRecord(encoded);
  assert.ok(decoded.header.routerAddress.equals(router));
  assert.equal(decoded.header.routerGroup, 'g1');
  // Grow the header by 3 unknown bytes after the row count: the message must still be found.
  const longer = new Uint8Array(encoded.length + 3);
  const headerLength = decoded.header.headerLength;
  longer.set(encoded.subarray(0, headerLength), 0);
  longer.set(bmp, headerLength + 3);
  new DataView(longer.buffer).setUint16(6, headerLength + 3);
  assert.deepStrictEqual(decodeOpenBmpRecord(longer).bmp, bmp);
});

test('a header template stamped per message writes the same bytes as encoding the whole record', () => {
  const routers = ['192.0.2.1', '10.255.0.7', '2001:db8::7', '::'].map((text) => parseAddress(text));
  fc.assert(
    fc.property(
      fc.constantFrom(...routers),
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 8 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 999999 }),
      fc.uint8Array({ maxLength: 300 }),
      (routerAddress, collectorAdminId, routerGroup, seconds, micros, bmp) => {
        const fields = { collectorAdminId, routerAddress, routerGroup };
        const template = openBmpHeaderTemplate(fields);
        const stamped = stampOpenBmpRecord(template, seconds, micros, bmp);
        assert.deepStrictEqual(stamped, encodeOpenBmpRecord({ ...fields, timestampSeconds: seconds, timestampMicroseconds: micros }, bmp));
        // The template is not modified by stamping: a second message gets its own length and time.
        assert.deepStrictEqual(stampOpenBmpRecord(template, 1, 2, bmp.subarray(1)), encodeOpenBmpRecord({ ...fields, timestampSeconds: 1, timestampMicroseconds: 2 }, bmp.subarray(1)));
      },
    ),
  );
  const template = openBmpHeaderTemplate({ collectorAdminId: 'c', routerAddress: routers[0]! });
  for (const [seconds, micros] of [[-1, 0], [0, 1_000_000], [0.5, 0], [2 ** 32, 0]] as const) {
    assert.throws(() => stampOpenBmpRecord(template, seconds, micros, new Uint8Array(6)), (error: unknown) => error instanceof RibstoreError && error.code === 'ENCODE_ERROR');
  }
});

test('hostile bytes: truncations and corruptions give DecodeError, never another error', () => {
  const good = new Uint8Array(Buffer.from(GOBMP_VECTOR, 'hex'));
  for (let cut = 0; cut < good.length; cut++) {
    assert.throws(() => decodeOpenBmpRecord(good.subarray(0, cut)), DecodeError, `cut at ${cut}`);
  }
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
      const bytes = good.slice();
      for (const [at, value] of edits) bytes[at] = value;
      try {
        const record = decodeOpenBmpRecord(bytes);
        assert.ok(record.length <= bytes.length);
      } catch (error) {
        assert.ok(error instanceof DecodeError, String(error));
      }
    }),
    { numRuns: 2000 },
  );
});

/** Frame every message of a raw BMP stream as OpenBMP records, alternating two routers. */
function toOpenBmp(raw: Uint8Array, routers: string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  const framer = new BmpFramer();
  for (const frame of framer.push(raw)) {
    for (const router of routers) {
      parts.push(encodeOpenBmpRecord({ collectorAdminId: 'rs1', routerAddress: parseAddress(router), timestampSeconds: 1700000000 + n, timestampMicroseconds: 0 }, frame.bytes));
    }
    n++;
  }
  return Buffer.concat(parts);
}

test('OpenBmpFramer yields the same records under any chunking', { skip: skipUnlessShared('bmp', '204-BMP-CISCO-peer_down') }, () => {
  const raw = new Uint8Array(readFileSync(sharedData('bmp', '204-BMP-CISCO-peer_down', 'traffic-00.s0.bmp')));
  const stream = toOpenBmp(raw, ['192.0.2.1']);
  const whole = [...new OpenBmpFramer().push(stream)].map((f) => f.offset);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 40 }), (sizes) => {
      const framer = new OpenBmpFramer();
      const offsets: number[] = [];
      let at = 0;
      let i = 0;
      while (at < stream.length) {
        const size = sizes[i++ % sizes.length]!;
        for (const frame of framer.push(stream.subarray(at, at + size))) offsets.push(frame.offset);
        at += size;
      }
      framer.end();
      assert.deepStrictEqual(offsets, whole);
    }),
    { numRuns: 50 },
  );
});

test('bmp dump reads OpenBMP records: two interleaved routers decode like the raw stream', { skip: skipUnlessShared('bmp', '204-BMP-CISCO-peer_down') }, async () => {
  await withTempDir('openbmp-dump', async (dir) => {
    const rawFile = sharedData('bmp', '204-BMP-CISCO-peer_down', 'traffic-00.s0.bmp');
    const openbmpFile = join(dir, 'two-routers.obmp');
    writeFileSync(openbmpFile, toOpenBmp(new Uint8Array(readFileSync(rawFile)), ['192.0.2.1', '2001:db8::2']));
    const run = (file: string): Record<string, unknown>[] => {
      const result = spawnSync(process.execPath, [join(projectRoot, 'dist/src/cli/main.js'), 'bmp', 'dump', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.equal(result.status, 0, result.stderr);
      return result.stdout.split('\n').filter((l) => l).map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const raw = run(rawFile);
    const framed = run(openbmpFile);
    assert.ok(raw.length > 10);
    assert.equal(framed.length, raw.length * 2);
    for (let i = 0; i < raw.length; i++) {
      for (const [k, router] of ['192.0.2.1', '2001:db8::2'].entries()) {
        const line = { ...framed[2 * i + k]! };
        const openbmp = line['openbmp'] as Record<string, unknown>;
        assert.equal(openbmp['router'], router);
        assert.equal(openbmp['collector'], 'rs1');
        delete line['openbmp'];
        delete line['offset'];
        const expected = { ...raw[i]! };
        delete expected['offset'];
        assert.deepStrictEqual(line, expected, `message ${i} of router ${router}`);
      }
    }
  });
});
