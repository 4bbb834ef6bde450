/**
 * Serves the looking glass (src/web, bundled by `npm run build` into dist/web) at `/`:
 * the page and its two assets, read once at start-up and answered from memory. Nothing is
 * fetched from anywhere else, so the page works on a network without the internet.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifySchema } from 'fastify';
import { errorBody } from './errors.js';

/** Where `npm run build` puts the bundled page (dist/web, beside dist/src). */
export const WEB_ASSET_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../web');

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** The page's files by name, or undefined when the build did not produce them. */
function loadAssets(dir: string): Map<string, Buffer> | undefined {
  const files = new Map<string, Buffer>();
  try {
    for (const name of Object.keys(ASSETS)) files.set(name, readFileSync(join(dir, name)));
  } catch {
    return undefined;
  }
  return files;
}

/** Register `GET /` and `GET /assets/:name` (hidden from the OpenAPI document: they are not API). */
export function registerWebPage(app: FastifyInstance, dir: string = WEB_ASSET_DIR): void {
  const files = loadAssets(dir);
  const send = (name: string) => async (_request: unknown, reply: FastifyReply) => {
    const body = files?.get(name);
    if (!body) return reply.status(404).send(errorBody('NOT_FOUND', `the looking glass is not built (no ${join(dir, name)}): run npm run build`));
    // The page names its assets without a version, so they are revalidated rather than cached for long.
    return reply.type(ASSETS[name]!).header('cache-control', 'no-cache').send(body);
  };
  // OpenApiCollector skips routes whose schema says `hide` (Fastify's type does not know the key).
  const hidden = { schema: { hide: true } as FastifySchema };
  // The page reads `q`, `match` and `view` itself; other parameters (a shared link's extras) are
  // no reason to refuse a page, unlike an API call.
  const pageQuery = { type: 'object', properties: { q: { type: 'string' }, match: { type: 'string' }, view: { type: 'string' } }, additionalProperties: true };
  app.get('/', { schema: { hide: true, querystring: pageQuery } as FastifySchema }, send('index.html'));
  app.get('/assets/app.js', hidden, send('app.js'));
  app.get('/assets/app.css', hidden, send('app.css'));
}
