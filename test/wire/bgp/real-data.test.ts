/**
 * The BGP codec on real router output: every UPDATE and OPEN inside the vendor BMP captures
 * in ../shared/data/bmp decodes, re-encodes and decodes again to the same data, and the
 * visitor walk sees the same routes as the object decoder.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeBgpMessage, encodeBgpMessage, walkUpdate, type BgpUpdate } from '../../../src/wire/bgp/index.js';
import { sharedData, skipUnlessShared, vendorBmpStreams } from '../../support/shared-data.js';
import { bgpMessagesOfBmp } from './bmp-messages.js';
import { bgpMessagesOfMrt } from './mrt-messages.js';

/**
 * Known quirks: UPDATEs whose AS_PATH is 2-octet although both OPENs carry the 4-octet AS
 * capability (6WIND/FRR Loc-RIB and a peer header without Peer Up). RFC 7606 makes them
 * treat-as-withdraw; the decoder reports exactly that.
 */
const KNOWN_AS_PATH_ERRORS: Record<string, number> = {
  '205-BMP-6wind-FRR-peer_down/traffic-00.s0.bmp': 2,
  '208-BMP-mem-leak-test/session-05.bmp': 3,
};


test('every BGP message in the vendor BMP captures decodes and round-trips', { skip: skipUnlessShared('bmp') }, () => {
  let updates = 0;
  let routes = 0;
  for (const file of vendorBmpStreams()) {
    let asPathErrors = 0;
    for (const m of bgpMessagesOfBmp(readFileSync(sharedData('bmp', file)))) {
      const decoded = decodeBgpMessage(m.bytes, 0, m.ctx);
      assert.equal(decoded.type, m.kind, file);
      if (decoded.type !== 'update') {
        assert.deepEqual(decodeBgpMessage(encodeBgpMessage(decoded, m.ctx), 0, m.ctx), decoded, file);
        continue;
      }
      updates++;
      if (decoded.errors.length > 0) {
        assert.ok(decoded.errors.every((e) => e.attributeType === 2 && e.action === 'treat-as-withdraw'), `${file}: ${decoded.errors[0]!.message}`);
        asPathErrors++;
        continue;
      }
      const mp = (decoded.attributes.mpReach?.nlri.length ?? 0) + (decoded.attributes.mpUnreach?.nlri.length ?? 0);
      routes += decoded.announced.length + decoded.withdrawn.length + mp;
      assert.equal(decoded.unknownFamilies, 0, file);
      assert.deepEqual(decodeBgpMessage(encodeBgpMessage(decoded, m.ctx), 0, m.ctx), decoded, file);
      assertWalkMatches(m.bytes, m.ctx, decoded);
    }
    assert.equal(asPathErrors, KNOWN_AS_PATH_ERRORS[file] ?? 0, file);
  }
  assert.ok(updates > 8000, `only ${updates} UPDATEs found`);
  assert.ok(routes > 8000, `only ${routes} routes found`);
});

function assertWalkMatches(bytes: Uint8Array, ctx: Parameters<typeof walkUpdate>[2], decoded: BgpUpdate): void {
  const announced: string[] = [];
  const withdrawn: string[] = [];
  walkUpdate(bytes, 0, ctx, {
    attributes() {},
    announce: (r) => announced.push(`${r.prefix().toString()}#${r.hasPathId ? r.pathId : '-'}`),
    withdraw: (r) => withdrawn.push(`${r.prefix().toString()}#${r.hasPathId ? r.pathId : '-'}`),
  });
  const key = (n: { prefix: { toString(): string }; pathId: number | undefined }) => `${n.prefix.toString()}#${n.pathId ?? '-'}`;
  const a = decoded.attributes;
  assert.deepEqual(announced, [...(a.mpReach?.nlri ?? []), ...decoded.announced].map(key));
  assert.deepEqual(withdrawn, [...decoded.withdrawn, ...(a.mpUnreach?.nlri ?? [])].map(key));
}

/** bgpdump -m line counts from ../shared/data/mrt/SOURCES.md: announcements and withdrawals. */
const MRT_UPDATE_DUMPS = [
  { file: 'updates.20160811.1600.gz', announce: 39256, withdraw: 1956 },
  { file: 'updates.et-header.2015.gz', announce: 577737, withdraw: 3 },
];

for (const dump of MRT_UPDATE_DUMPS) {
  test(`every UPDATE of mrt/${dump.file} decodes; route counts equal bgpdump's`, { skip: skipUnlessShared('mrt', dump.file) }, () => {
    const { bytes, messages } = bgpMessagesOfMrt(sharedData('mrt', dump.file));
    let announce = 0;
    let withdraw = 0;
    const cursorVisitor = {
      attributes() {},
      announce: () => void announce++,
      withdraw: () => void withdraw++,
    };
    for (const m of messages) {
      const message = decodeBgpMessage(bytes, m.start, m.ctx);
      if (message.type !== 'update') continue;
      assert.deepEqual(message.errors, [], `UPDATE at ${m.start}`);
      assert.equal(message.unknownFamilies, 0);
      walkUpdate(bytes, m.start, m.ctx, cursorVisitor);
    }
    assert.equal(announce, dump.announce);
    assert.equal(withdraw, dump.withdraw);
  });
}
