/**
 * BmpConnection over real loopback sockets: framing across chunk boundaries, the Initiation
 * rule, hostile bytes (garbage, oversized, truncated) closing only that connection, and the
 * bounded queue pausing and resuming the socket without losing messages.
 */
import assert from 'node:assert/strict';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BmpConnection, type BmpConnectionEnd, type BmpConnectionOptions } from '../../src/collector/bmp-connection.js';
import { Address } from '../../src/ip/address.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { BmpPeerHeader } from '../../src/wire/bmp/peer-header.js';
import type { BmpMessage } from '../../src/wire/bmp/types.js';
import { concatBytes } from '../support/bytes.js';

/** A minimal BGP UPDATE (an IPv4 End-of-RIB): marker, length 23, type 2, two zero lengths. */
const END_OF_RIB = new Uint8Array([...new Array(16).fill(0xff), 0, 23, 2, 0, 0, 0, 0]);

const peer = new BmpPeerHeader(0, 0, 0, 0, new Address(4, 0xc0000201), 65001, 0x01020304, 1700000000, 0);
const initiation = encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'test-router')] });
const routeMonitoring = encodeBmpMessage({ kind: 'routeMonitoring', peer, update: END_OF_RIB });
const termination = encodeBmpMessage({ kind: 'termination', information: [] });

interface Outcome {
  readonly kinds: string[];
  readonly end: BmpConnectionEnd;
}

const defaults: BmpConnectionOptions = { maxMessageLength: 65536, queueHighWaterBytes: 1 << 20, sliceMs: 5 };

let server: Server;
let port = 0;
let options = defaults;
let slowHandlerMs = 0;
const outcomes: Promise<Outcome>[] = [];
const connections: BmpConnection[] = [];
/** The bytes every onMessage got, in order. */
const received: Uint8Array[] = [];

before(async () => {
  server = createServer((socket: Socket) => {
    outcomes.push(
      new Promise((resolve) => {
        const kinds: string[] = [];
        const connection = new BmpConnection(socket, options, {
          onMessage(message: BmpMessage, bytes: Uint8Array) {
            kinds.push(message.kind);
            received.push(bytes);
            if (slowHandlerMs > 0 && message.kind === 'routeMonitoring') {
              const until = performance.now() + slowHandlerMs;
              while (performance.now() < until);
            }
          },
          onClose(end) {
            resolve({ kinds, end });
          },
        });
        connections.push(connection);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Send `chunks` one by one, then close our side; resolve with what the server saw. */
async function session(chunks: Uint8Array[], pauseMs = 0): Promise<Outcome> {
  const count = outcomes.length;
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  while (outcomes.length === count) await sleep(1);
  const outcome = outcomes[count]!;
  for (const chunk of chunks) {
    if (socket.destroyed) break;
    socket.write(chunk);
    if (pauseMs) await sleep(pauseMs);
  }
  socket.end();
  return outcome;
}


describe('BmpConnection', () => {
  test('frames messages split at every byte boundary and ends cleanly on Termination', async () => {
    const stream = concatBytes([initiation, routeMonitoring, routeMonitoring, termination]);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += 7) chunks.push(stream.subarray(i, i + 7));
    const { kinds, end } = await session(chunks, 1);
    assert.deepEqual(kinds, ['initiation', 'routeMonitoring', 'routeMonitoring', 'termination']);
    assert.equal(end.errorKind, null);
    assert.equal(end.terminated, true);
  });

  test('messages are handed over as plain Uint8Array views of the receive buffers, whole or split', async () => {
    const stream = concatBytes([initiation, routeMonitoring, routeMonitoring, termination]);
    const first = received.length;
    // Whole messages in one write, then one split across two writes.
    const cut = initiation.length + routeMonitoring.length + 10;
    const { kinds } = await session([stream.subarray(0, cut), stream.subarray(cut)], 5);
    assert.deepEqual(kinds, ['initiation', 'routeMonitoring', 'routeMonitoring', 'termination']);
    const got = received.slice(first);
    assert.equal(got.length, 4);
    for (const bytes of got) assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, 'not a Buffer (no species-constructed subarrays)');
    assert.deepEqual(got.map((b) => [...b]), [initiation, routeMonitoring, routeMonitoring, termination].map((b) => [...b]));
  });

  test('a router closing after whole messages is a clean end', async () => {
    const { kinds, end } = await session([concatBytes([initiation, routeMonitoring])]);
    assert.deepEqual(kinds, ['initiation', 'routeMonitoring']);
    assert.equal(end.errorKind, null);
    assert.equal(end.terminated, false);
  });

  test('the first message must be Initiation', async () => {
    const { kinds, end } = await session([concatBytes([routeMonitoring, initiation])]);
    assert.deepEqual(kinds, []);
    assert.equal(end.errorKind, 'protocol');
    assert.match(end.error!.message, /first BMP message must be Initiation/);
  });

  test('garbage closes the connection with a decode error', async () => {
    const garbage = new Uint8Array(200).map((_, i) => (i * 37 + 11) & 255);
    const { kinds, end } = await session([initiation, garbage, routeMonitoring]);
    assert.deepEqual(kinds, ['initiation']);
    assert.equal(end.errorKind, 'decode');
  });

  test('an oversized length field closes the connection before the body arrives', async () => {
    const huge = new Uint8Array([3, 0x10, 0, 0, 0, 0]);
    const { kinds, end } = await session([initiation, huge]);
    assert.deepEqual(kinds, ['initiation']);
    assert.equal(end.errorKind, 'decode');
    assert.match(end.error!.message, /length|large|exceed/i);
  });

  test('a stream truncated inside a message is a decode error', async () => {
    const { kinds, end } = await session([concatBytes([initiation, routeMonitoring.subarray(0, 30)])]);
    assert.deepEqual(kinds, ['initiation']);
    assert.equal(end.errorKind, 'decode');
  });

  test('a malformed Route Monitoring body (BGP length under its header) is a decode error', async () => {
    const bad = routeMonitoring.slice();
    bad[6 + 42 + 17] = 5; // BGP length field: 5 < 19
    const { kinds, end } = await session([concatBytes([initiation, bad])]);
    assert.deepEqual(kinds, ['initiation']);
    assert.equal(end.errorKind, 'decode');
  });

  test('a full queue pauses the socket and loses nothing', async () => {
    options = { ...defaults, queueHighWaterBytes: 4096 };
    slowHandlerMs = 0.05;
    try {
      const count = 5000;
      const stream = concatBytes([initiation, ...new Array<Uint8Array>(count).fill(routeMonitoring)]);
      const { kinds, end } = await session([stream]);
      assert.equal(end.errorKind, null);
      assert.equal(kinds.filter((k) => k === 'routeMonitoring').length, count);
      const connection = connections[connections.length - 1]!;
      assert.ok(connection.pauses > 0, 'the socket was paused at least once');
      assert.equal(connection.queueBytes, 0);
    } finally {
      options = defaults;
      slowHandlerMs = 0;
    }
  });
});
