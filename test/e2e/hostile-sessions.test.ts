/**
 * Hostile sessions: garbage, truncated, oversized and out-of-order BMP on some sessions while
 * another router streams real routes. The good router loses nothing, the bad sessions are
 * closed and counted, the process stays up and the API keeps answering throughout.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Service } from '../../src/service/service.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';
import { goldenCounts, replay } from './bmp-replay.js';
import { apiCounts, getJson, startTestService, waitFor } from './support-service.js';

const GOOD_FILE = ['bmp', '208-BMP-mem-leak-test', 'session-02.bmp'];
const skip = skipUnlessShared(...GOOD_FILE);

/** Send `bytes` from `localAddress` and resolve when the server closes the connection. */
function hostile(port: number, localAddress: string, bytes: Uint8Array, keepOpen = false): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.resume();
    socket.on('connect', () => {
      socket.write(bytes);
      if (!keepOpen) socket.end();
    });
  });
}

describe('hostile sessions beside a good one', { skip }, () => {
  let service: Service;
  before(async () => {
    service = await startTestService({ keepMs: 3_600_000, maxMessageLength: 65536 });
  });
  after(() => service?.close());

  test('the good session loses nothing; bad ones are closed and counted; the API answers', async () => {
    const good = readFileSync(sharedData(...GOOD_FILE));
    const expected = goldenCounts(good).perPeer;
    const initiation = encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'hostile')] });
    const garbage = new Uint8Array(4096).map((_, i) => (i * 131 + 7) & 255);
    const oversized = new Uint8Array([3, 0x7f, 0xff, 0xff, 0xff, 0]); // 2 GiB message
    const truncated = good.subarray(0, 1000); // ends inside a message
    const badVersion = new Uint8Array([1, 0, 0, 0, 6, 4]);

    let apiAnswers = 0;
    let apiFailures = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const { status } = await getJson(service, '/healthz');
        if (status === 200) apiAnswers++;
        else apiFailures++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    await Promise.all([
      replay(good, service.bmpPort, '127.0.2.1', 1024),
      hostile(service.bmpPort, '127.0.2.2', garbage),
      hostile(service.bmpPort, '127.0.2.3', new Uint8Array([...initiation, ...oversized]), true),
      hostile(service.bmpPort, '127.0.2.4', truncated),
      hostile(service.bmpPort, '127.0.2.5', new Uint8Array([...initiation, ...garbage])),
      hostile(service.bmpPort, '127.0.2.6', badVersion),
      hostile(service.bmpPort, '127.0.2.7', encodeBmpMessage({ kind: 'termination', information: [] })), // not Initiation first
    ]);
    await waitFor('the good router to finish', () => service.collector.routers.get('127.0.2.1')?.state === 'disconnected');
    polling = false;
    await poller;

    const actual = await apiCounts(service, '127.0.2.1');
    assert.deepEqual(
      [...actual].map(([peer, views]) => [peer, Object.fromEntries(views)]).sort(),
      [...expected].map(([peer, views]) => [peer, Object.fromEntries(views)]).sort(),
    );
    assert.equal(service.collector.routers.get('127.0.2.1')!.lastError, null);
    // Sessions that sent an Initiation are routers, closed with an error; the others never
    // became routers (a connection belongs to a router only from its Initiation on).
    for (const bad of ['127.0.2.3', '127.0.2.4', '127.0.2.5']) {
      const router = service.collector.routers.get(bad);
      assert.ok(router, `${bad} was seen`);
      assert.notEqual(router.lastError, null, `${bad} closed with an error`);
      assert.match(router.lastCloseReason ?? '', /^(decode|limit|protocol): /, `${bad}: ${router.lastCloseReason}`);
      assert.equal(router.state, 'disconnected');
    }
    for (const bad of ['127.0.2.2', '127.0.2.6', '127.0.2.7']) assert.equal(service.collector.routers.has(bad), false, `${bad} sent no Initiation: no router`);
    assert.equal(service.collector.totals.sessionsOpen, 0);
    const stats = await getJson(service, '/api/v1/stats');
    assert.ok(stats.body.collector.errors.decode >= 4, `decode errors counted: ${stats.body.collector.errors.decode}`);
    assert.ok(stats.body.collector.errors.protocol >= 1, 'the session without Initiation is a protocol error');
    const metrics = await fetch(`${service.httpUrl}/metrics`).then((r) => r.text());
    assert.match(metrics, /ribstore_collector_errors_total\{kind="decode"\} [1-9]/);
    assert.ok(apiAnswers > 0, 'the API answered while the sessions ran');
    assert.equal(apiFailures, 0);
  });

  test('allow-list and session limit refuse connections before reading', async () => {
    const limited = await startTestService({ maxSessions: 1, allow: new (await import('../../src/collector/allow-list.js')).AllowList(['127.0.3.0/24']) });
    try {
      await hostile(limited.bmpPort, '127.0.4.1', new Uint8Array([3]));
      // An established session (Initiation sent): a pending one would be evicted to make room.
      const held = connect({ port: limited.bmpPort, host: '127.0.0.1', localAddress: '127.0.3.1' }, () => held.write(encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'held')] })));
      held.on('error', () => {});
      await waitFor('the first session to be established', () => limited.collector.routers.get('127.0.3.1')?.state === 'connected');
      await hostile(limited.bmpPort, '127.0.3.2', new Uint8Array([3]));
      assert.equal(limited.collector.totals.errors.rejected, 2);
      assert.equal(limited.collector.routers.has('127.0.4.1'), false);
      held.destroy();
    } finally {
      await limited.close();
    }
  });
});
