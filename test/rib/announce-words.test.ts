/**
 * Numeric announce/withdraw take prefix words as uint32 or as int32 (`w | 0`, the form hot
 * callers pass so V8 does not box them): both name the same route, and a watcher is told
 * the words as uint32 either way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { Rib } from '../../src/rib/rib.js';

test('int32 and uint32 prefix words name the same route; the watcher hears uint32', () => {
  const rib = new Rib({ now: () => 1_700_000_000_000 });
  const pv = rib.peerView({ router: 'r1', peer: { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 1 }, view: 'loc-rib', afi: 2, safi: 1 });
  const attr = rib.internAttributes(new Uint8Array([1, 2, 3]), 0, 3, emptySummary());
  const heard: string[] = [];
  rib.setWatcher({ prefixChanged: (family, w0, w1, w2, w3, length) => heard.push(`${family} ${w0} ${w1} ${w2} ${w3} /${length}`), anyChanged: () => {} });
  const v4 = 0xc6336400; // 198.51.100.0: 2^31 or more, negative as int32
  rib.announceWords(pv, 0, 4, v4 | 0, 0, 0, 0, 24, 0, attr);
  rib.announceWords(pv, 0, 4, v4, 0, 0, 0, 24, 0, attr);
  assert.equal(rib.stats().routes, 1, 'the uint32 re-announcement found the int32 one');
  assert.equal(rib.lookup('198.51.100.7')?.prefix, '198.51.100.0/24');
  // IPv6 fd00:8000:8000::/33: two words past 2^31.
  rib.announceWords(pv, 0, 6, 0xfd008000 | 0, 0x80000000 | 0, 0, 0, 33, 0, attr);
  assert.equal(rib.lookup('fd00:8000:8000::1')?.prefix, 'fd00:8000:8000::/33');
  assert.equal(rib.withdrawWords(pv, 0, 6, 0xfd008000, 0x80000000, 0, 0, 33, 0), true);
  assert.equal(rib.withdrawWords(pv, 0, 4, v4 | 0, 0, 0, 0, 24, 0), true);
  assert.equal(rib.stats().routes, 0);
  assert.deepEqual(heard, [
    `4 ${v4} 0 0 0 /24`,
    `4 ${v4} 0 0 0 /24`,
    `6 ${0xfd008000} ${0x80000000} 0 0 /33`,
    `6 ${0xfd008000} ${0x80000000} 0 0 /33`,
    `4 ${v4} 0 0 0 /24`,
  ]);
  rib.releaseAttributes(attr);
});
