/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the routes' own JSON schemas.
 *
 * One source of truth: every route registers its `schema` (querystring, params, response,
 * summary, description) with Fastify, which validates requests and serialises answers with it;
 * {@link OpenApiCollector} records the same schemas through Fastify's `onRoute` hook and
 * {@link OpenApiCollector.document} turns them into `/openapi.json`. A route cannot drift from
 * its documentation because there is nothing else to drift.
 */
import type { RouteOptions } from 'fastify';

/** A JSON schema object, as written in the route definitions. */
type Schema = Record<string, unknown>;

/** What {@link OpenApiCollector} keeps of one route. */
interface RecordedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: Schema;
}

/** Collects routes as they are registered and renders the OpenAPI document. */
export class OpenApiCollector {
  private readonly routes: RecordedRoute[] = [];

  /** Register as `app.addHook('onRoute', collector.onRoute)`. HEAD routes and hidden routes are skipped. */
  readonly onRoute = (route: RouteOptions): void => {
    const schema = route.schema as Schema | undefined;
    if (!schema || schema['hide'] === true) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      this.routes.push({ method: method.toLowerCase(), url: route.url, schema });
    }
  };

  /** The OpenAPI 3.1 document. */
  document(info: { title: string; version: string; description: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const operation: Record<string, unknown> = {
        operationId: operationId(route.method, route.url),
        summary: route.schema['summary'],
        description: route.schema['description'],
        tags: route.schema['tags'],
        parameters: [...parameters(route.schema['params'] as Schema | undefined, 'path'), ...parameters(route.schema['querystring'] as Schema | undefined, 'query')],
        responses: responses(route.schema['response'] as Record<string, Schema> | undefined, route.schema['produces'] as string[] | undefined),
      };
      (paths[path] ??= {})[route.method] = operation;
    }
    return { openapi: '3.1.0', info, paths };
  }
}

function operationId(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((part) => part !== '' && part !== 'api' && part !== 'v1')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .join('-')
    .replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
  return method + words.charAt(0).toUpperCase() + words.slice(1);
}

function parameters(schema: Schema | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || required.has(name), description, schema: rest };
  });
}

function responses(response: Record<string, Schema> | undefined, produces: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(response ?? {})) {
    const { description, ...rest } = schema;
    const types = status.startsWith('2') && produces ? produces : ['application/json'];
    const content: Record<string, unknown> = {};
    for (const type of types) content[type] = type === 'application/json' ? { schema: rest } : { schema: { type: 'string' } };
    out[status] = { description: description ?? (status.startsWith('2') ? 'Success' : 'Error'), content };
  }
  return out;
}
