/**
 * Send a BMP stream to a running service over loopback TCP, as routers do, and wait until the
 * service has applied all of it: each router's session ends when its client closes, and the
 * collector marks the router disconnected once every queued byte is in the RIB.
 */
import { connect } from 'node:net';
import type { Service } from '../../src/service/service.js';

/**
 * Send `bytes` from each of `sources` (a loopback address per router, all at once: each is its
 * own router to the collector) and resolve once every one of them is applied.
 */
export async function sendBmp(service: Service, bytes: Uint8Array, sources: readonly string[] = ['127.0.0.1']): Promise<void> {
  await Promise.all(
    sources.map(
      (localAddress) =>
        new Promise<void>((resolve, reject) => {
          const socket = connect({ port: service.bmpPort, host: '127.0.0.1', localAddress });
          socket.on('error', reject);
          socket.on('connect', () => socket.end(bytes));
          socket.on('close', () => resolve());
          socket.resume();
        }),
    ),
  );
  while (sources.some((source) => service.collector.routers.get(source)?.state !== 'disconnected')) await new Promise((resolve) => setImmediate(resolve));
}
