/**
 * A running service that holds the synthetic router's routes: the stream of synthetic-router.ts
 * replayed over a real BMP socket under the name `router`, then the session closed (its routes
 * kept for an hour, so they stay queryable). The shared set-up of the API and page tests.
 */
import type { Service, ServiceOptions } from '../../src/service/service.js';
import { replay } from '../e2e/bmp-replay.js';
import { startTestService, waitFor } from '../e2e/support-service.js';
import { syntheticStream } from './synthetic-router.js';

/** Start a test service (with `options`) and replay the synthetic router into it as `router`. */
export async function startSyntheticService(router: string, options: Partial<ServiceOptions> = {}): Promise<Service> {
  const service = await startTestService({ keepMs: 3_600_000, ...options });
  await replay(syntheticStream(), service.bmpPort, router);
  await waitFor('the synthetic router to finish', () => service.collector.routers.get(router)?.state === 'disconnected');
  return service;
}
