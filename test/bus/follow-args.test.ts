/**
 * `serve --follow` flags and the replica's per-record path without a bus: bad URLs and subjects
 * are typed errors; a resumed session needs an Initiation and Peer Ups; a fed session behaves as
 * a TCP one (first message Initiation, a bad message closes it alone, Termination ends it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validSubject } from '../../src/bus/follower.js';
import { parseServeArgs } from '../../src/cli/commands/serve.js';
import { BmpCollector } from '../../src/collector/bmp-collector.js';
import { RibstoreError } from '../../src/errors.js';
import { Rib } from '../../src/rib/rib.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { PEER_A, peerUp } from '../api/synthetic-router.js';

const invalidArgument = (error: unknown): boolean => error instanceof RibstoreError && error.code === 'INVALID_ARGUMENT';

test('serve --follow / --subjects: parsed, or a typed error', () => {
  assert.deepEqual(parseServeArgs(['--follow', 'nats://127.0.0.1:4222']).follow, { servers: 'nats://127.0.0.1:4222' });
  assert.deepEqual(parseServeArgs(['--follow', 'nats://h:1', '--subjects', 'ribstore.bmp.rc1.>']).follow, { servers: 'nats://h:1', subject: 'ribstore.bmp.rc1.>' });
  assert.throws(() => parseServeArgs(['--follow', 'http://h:1']), invalidArgument);
  for (const bad of ['a..b', '.a', 'a.', 'a.>.b', 'a b', 'a.b*', '']) assert.throws(() => parseServeArgs(['--follow', 'nats://h:1', '--subjects', bad]), invalidArgument, bad);
  for (const good of ['ribstore.bmp.>', 'ribstore.*.rc1.>', 'gobmp.raw', '>']) assert.ok(validSubject(good), good);
});

test('a fed session: Initiation first, a bad message closes it alone, Termination ends it; a resume needs Initiation + Peer Ups', () => {
  const rib = new Rib();
  const collector = new BmpCollector({ rib });
  const initiation = encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'r1')] });
  const early = collector.openFeed('192.0.2.1');
  assert.equal(early.push(peerUp(PEER_A)), false, 'a Peer Up before the Initiation closes the feed');
  assert.equal(collector.totals.errors.protocol, 1);
  const feed = collector.openFeed('192.0.2.1');
  assert.equal(feed.push(initiation), true);
  assert.equal(feed.push(peerUp(PEER_A)), true);
  assert.equal(collector.routers.get('192.0.2.1')?.state, 'connected');
  assert.equal(feed.push(Uint8Array.of(3, 0, 0, 0, 6, 99)), true, 'an unknown message type is skipped like over TCP');
  assert.equal(feed.push(Uint8Array.of(3, 0, 0, 0, 9, 0)), false, 'a length that does not match closes the feed');
  assert.equal(feed.isClosed, true);
  assert.equal(collector.routers.get('192.0.2.1')?.state, 'disconnected');
  assert.equal(feed.push(initiation), false, 'a closed feed takes nothing');
  const next = collector.openFeed('192.0.2.1');
  next.push(initiation);
  assert.equal(next.push(encodeBmpMessage({ kind: 'termination', information: [] })), true);
  assert.equal(next.isClosed, true);
  assert.equal(collector.routers.get('192.0.2.1')?.lastCloseReason, 'Termination received');
  assert.throws(() => collector.openFeed('192.0.2.2', [peerUp(PEER_A)]), (e: unknown) => e instanceof RibstoreError && e.code === 'DECODE_ERROR');
  assert.throws(() => collector.openFeed('192.0.2.2', [Uint8Array.of(1, 2, 3)]), RibstoreError);
  const resumed = collector.openFeed('192.0.2.2', [initiation, peerUp(PEER_A)]);
  assert.equal(resumed.isClosed, false);
  assert.equal(collector.routers.get('192.0.2.2')?.sysName, 'r1');
  assert.equal([...collector.routers.get('192.0.2.2')!.peers.values()][0]?.counters.state, 'up');
});
