import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAddress } from '../../../src/ip/address.js';
import { encodeNotification } from '../../../src/wire/bgp/message.js';
import { encodeBmpMessage, textTlv, type BmpMessage } from '../../../src/wire/bmp/index.js';
import { concatBytes } from '../../support/bytes.js';
import { projectRoot, sharedData, skipUnlessShared } from '../../support/shared-data.js';
import { capabilities, open, peerHeader, peerUp, route, routeMonitoring } from './build.js';

const main = join(projectRoot, 'dist', 'src', 'cli', 'main.js');

function dump(...args: string[]): { status: number | null; lines: Record<string, unknown>[]; stderr: string } {
  const result = spawnSync(process.execPath, [main, 'bmp', 'dump', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const lines = result.stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: result.status, lines, stderr: result.stderr };
}

function stream(): Uint8Array {
  const peer = peerHeader('192.0.2.1');
  const v6 = peerHeader('2001:db8::1', 0x40);
  const messages: BmpMessage[] = [
    { kind: 'initiation', information: [textTlv(1, 'test router'), textTlv(2, 'r1')] },
    peerUp(peer, open(65000, capabilities(65000)), open(65001, capabilities(65001, [{ afi: 1, safi: 1, sendReceive: 2 }]))),
    routeMonitoring(
      peer,
      {
        announced: [route('198.51.100.0/24', 7)],
        attributes: {
          origin: 0,
          asPath: [{ type: 2, asns: [65001, 4200000001] }],
          nextHop: parseAddress('192.0.2.9'),
          med: 5,
          localPref: 200,
          communities: [((65001 << 16) | 100) >>> 0],
          largeCommunities: [[65001, 1, 2]],
        },
      },
      { fourOctetAs: true, addPathIpv4: true },
    ),
    routeMonitoring(peer, { withdrawn: [route('203.0.113.0/24', 1)] }, { fourOctetAs: true, addPathIpv4: true }),
    {
      kind: 'statisticsReport',
      peer: v6,
      stats: [
        { type: 0, shape: 'counter', value: 3 },
        { type: 7, shape: 'gauge', value: 2n ** 60n },
        { type: 9, shape: 'afiSafiGauge', afi: 2, safi: 1, value: 12n },
      ],
    },
    { kind: 'peerDown', peer, reason: 3, notification: encodeNotification({ code: 6, subcode: 2, data: new Uint8Array(0) }) },
    { kind: 'termination', information: [{ type: 1, value: new Uint8Array([0, 2]) }] },
  ];
  return concatBytes(messages.map((m) => encodeBmpMessage(m)));
}

test('bmp dump prints one JSON object per message with decoded BGP content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ribstore-bmp-dump-'));
  try {
    const bytes = stream();
    const file = join(dir, 'stream.bmp');
    writeFileSync(file, bytes);
    const { status, lines, stderr } = dump(file);
    assert.equal(status, 0, stderr);
    assert.deepStrictEqual(lines.map((l) => l['type']), ['initiation', 'peerUp', 'routeMonitoring', 'routeMonitoring', 'statisticsReport', 'peerDown', 'termination']);
    assert.deepStrictEqual(lines[0]!['information'], [
      { type: 1, name: 'sysDescr', value: 'test router' },
      { type: 2, name: 'sysName', value: 'r1' },
    ]);
    const announce = lines[2]!;
    assert.deepStrictEqual(announce['announced'], [{ prefix: '198.51.100.0/24', afi: 1, safi: 1, pathId: 7 }]);
    assert.deepStrictEqual(announce['attributes'], {
      origin: 'IGP',
      asPath: '65001 4200000001',
      nextHop: '192.0.2.9',
      med: 5,
      localPref: 200,
      communities: ['65001:100'],
      largeCommunities: ['65001:1:2'],
    });
    assert.deepStrictEqual((announce['peer'] as Record<string, unknown>)['address'], '192.0.2.1');
    assert.equal((announce['peer'] as Record<string, unknown>)['timestamp'], '2023-11-14T22:13:20.000000Z');
    assert.deepStrictEqual(lines[3]!['withdrawn'], [{ prefix: '203.0.113.0/24', afi: 1, safi: 1, pathId: 1 }]);
    const stats = lines[4]!['stats'] as Record<string, unknown>[];
    assert.deepStrictEqual(stats.map((s) => s['value']), [3, '1152921504606846976', 12]);
    assert.deepStrictEqual(lines[5]!['notification'], { code: 6, subcode: 2, data: '' });
    assert.deepStrictEqual(lines[6]!['information'], [{ type: 1, name: 'reason', code: 2, reason: 'out of resources' }]);
    assert.deepStrictEqual(lines.map((l) => l['offset']).slice(0, 2), [0, encodeBmpMessage({ kind: 'initiation', information: [textTlv(1, 'test router'), textTlv(2, 'r1')] }).length]);

    // a truncated stream: the whole messages before the cut, then the error with its offset, exit 1
    const cut = (lines[4]!['offset'] as number) + 10;
    writeFileSync(file, bytes.subarray(0, cut));
    const truncated = dump(file);
    assert.equal(truncated.status, 1);
    assert.equal(truncated.lines.length, 4);
    assert.match(truncated.stderr, new RegExp(`BMP Statistics Report at offset ${lines[4]!['offset']}: stream ends inside a message`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bmp dump --help and usage errors', () => {
  const help = spawnSync(process.execPath, [main, 'bmp', 'dump', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: ribstore bmp dump \[options\] FILE/);
  assert.match(help.stdout, /--max-length BYTES/);
  const none = dump();
  assert.equal(none.status, 2);
  assert.match(none.stderr, /expected one FILE/);
  const missing = dump('/nonexistent/ribstore.bmp');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read \/nonexistent\/ribstore\.bmp.*FILE_ERROR/);
});

const vendor = ['bmp', '403-IPFIXv10-BMP-IPv6-CISCO-locrib-peerdown-vrf', 'traffic-00.s0.bmp'] as const;

test('bmp dump of a real Cisco stream: 877 messages, Loc-RIB and VRF peers, a Peer Down', { skip: skipUnlessShared(...vendor) }, () => {
  const { status, lines, stderr } = dump(sharedData(...vendor));
  assert.equal(status, 0, stderr);
  assert.equal(lines.length, 877);
  const types = new Map<string, number>();
  for (const l of lines) types.set(l['type'] as string, (types.get(l['type'] as string) ?? 0) + 1);
  assert.deepStrictEqual(Object.fromEntries(types), { initiation: 1, peerUp: 19, routeMonitoring: 856, peerDown: 1 });
  assert.ok(lines.some((l) => (l['peer'] as Record<string, unknown> | undefined)?.['type'] === 'loc-rib'));
  assert.ok(lines.every((l) => !('errors' in l)));
});
