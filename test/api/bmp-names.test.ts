/**
 * `/api/v1/routers/R/peers` names BMP code points (issue 14, point 6): the last Peer Down
 * reason is `{ name, code }` and the Statistics Report values are keyed by stat type name,
 * with `unknown-N` for codes no RFC registers. The router's stream is built with the project's
 * encoders: two peers, a Statistics Report with registered, per-AFI/SAFI and unregistered
 * types, then one registered and one unregistered Peer Down reason.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Service } from '../../src/service/service.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { bmpPeerDownReasonName, bmpStatTypeName } from '../../src/wire/bmp/names.js';
import { BmpPeerDownReason } from '../../src/wire/bmp/types.js';
import { replay } from '../e2e/bmp-replay.js';
import { getJson, startTestService, waitFor } from '../e2e/support-service.js';
import { PEER_A, PEER_B, header, peerUp } from './synthetic-router.js';

const ROUTER = '127.0.5.7';
/** A reason code RFC 7854 and RFC 9069 leave unassigned. */
const UNASSIGNED_REASON = 9;

function stream(): Uint8Array {
  const u32 = (n: number): Uint8Array => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const messages = [
    encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'names-router')] }),
    peerUp(PEER_A),
    peerUp(PEER_B),
    encodeBmpMessage({
      kind: 'statisticsReport',
      peer: header(PEER_A, false),
      stats: [
        { type: 0, shape: 'counter', value: 3 },
        { type: 7, shape: 'gauge', value: 4n },
        { type: 10, shape: 'afiSafiGauge', afi: 2, safi: 1, value: 12n },
        { type: 15, shape: 'gauge', value: 5n },
        // Unregistered here: a 4-byte counter-shaped value and a 3-byte one that carries no number.
        { type: 900, shape: 'raw', value: u32(77) },
        { type: 901, shape: 'raw', value: new Uint8Array(3) },
      ],
    }),
    encodeBmpMessage({ kind: 'peerDown', peer: header(PEER_A, false), reason: BmpPeerDownReason.RemoteNoData }),
    encodeBmpMessage({ kind: 'peerDown', peer: header(PEER_B, false), reason: UNASSIGNED_REASON }),
  ];
  return Buffer.concat(messages);
}

let service: Service;

before(async () => {
  service = await startTestService({ keepMs: 3_600_000 });
  await replay(stream(), service.bmpPort, ROUTER);
  await waitFor('the router to finish', () => service.collector.routers.get(ROUTER)?.state === 'disconnected');
});
after(() => service?.close());

test('names for registered codes, unknown-N for the others', () => {
  assert.equal(bmpPeerDownReasonName(1), 'local-notification');
  assert.equal(bmpPeerDownReasonName(3), 'remote-notification');
  assert.equal(bmpPeerDownReasonName(6), 'local-system-closed');
  assert.equal(bmpPeerDownReasonName(0), 'unknown-0');
  assert.equal(bmpPeerDownReasonName(250), 'unknown-250');
  assert.equal(bmpStatTypeName(0), 'prefixes-rejected-by-inbound-policy');
  assert.equal(bmpStatTypeName(17), 'post-policy-adj-rib-out-routes-per-afi-safi');
  assert.equal(bmpStatTypeName(65535), 'unknown-65535');
});

test('GET /api/v1/routers/R/peers: lastDownReason and stats by name', async () => {
  const { status, body } = await getJson(service, `/api/v1/routers/${ROUTER}/peers`);
  assert.equal(status, 200);
  const a = body.peers.find((p: any) => p.address === PEER_A.address);
  const b = body.peers.find((p: any) => p.address === PEER_B.address);
  assert.equal(a.state, 'down');
  assert.deepEqual(a.bmp.lastDownReason, { name: 'remote-no-notification', code: 4 });
  assert.deepEqual(b.bmp.lastDownReason, { name: `unknown-${UNASSIGNED_REASON}`, code: UNASSIGNED_REASON });
  assert.deepEqual(a.bmp.stats, {
    'prefixes-rejected-by-inbound-policy': 3,
    'adj-rib-in-routes': 4,
    'loc-rib-routes-per-afi-safi/ipv6-unicast': 12,
    'post-policy-adj-rib-out-routes': 5,
    'unknown-900': 77,
  });
  assert.deepEqual(b.bmp.stats, {}, 'no Statistics Report for peer B');
});

test('the OpenAPI document lists the names', async () => {
  const { body } = await getJson(service, '/openapi.json');
  const bmp = body.paths['/api/v1/routers/{router}/peers'].get.responses['200'].content['application/json'].schema.properties.peers.items.properties.bmp;
  assert.match(bmp.properties.lastDownReason.properties.name.description, /remote-notification.*unknown-N/);
  assert.match(bmp.properties.stats.description, /adj-rib-in-routes.*unknown-N/);
});
