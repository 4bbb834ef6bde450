/**
 * Community names in API answers: every route an answer holds (`routes` of a lookup, `routes`
 * of each entry of `prefixes`) gets `communityNames`, the names of its communities and large
 * communities (rib/community-names.ts). Added as one serialisation hook, so every route that
 * answers routes names them the same way, and the RIB's answers stay free of presentation.
 */
import type { FastifyInstance } from 'fastify';
import type { CommunityNames } from '../rib/community-names.js';
import type { RouteJson } from '../rib/route-json.js';

/** A route of an answer, with its names. */
export type NamedRouteJson = RouteJson & { communityNames: Record<string, string> };

type Routes = { routes: unknown };

const isRouteList = (value: unknown): value is RouteJson[] =>
  Array.isArray(value) && value.every((r) => typeof r === 'object' && r !== null && Array.isArray((r as RouteJson).communities) && Array.isArray((r as RouteJson).largeCommunities));

/** `entry` with its routes named (a copy: RIB answers are not changed in place). */
export function nameRoutes<T extends Routes>(entry: T, names: CommunityNames): T {
  if (!isRouteList(entry.routes)) return entry;
  return { ...entry, routes: entry.routes.map((route) => ({ ...route, communityNames: names.namesOf(route) })) };
}

/** Name the routes of every answer of `app` that holds routes. */
export function registerCommunityNames(app: FastifyInstance, names: CommunityNames): void {
  app.addHook('preSerialization', async (_request, _reply, payload: unknown) => {
    if (typeof payload !== 'object' || payload === null) return payload;
    let answer = payload as Record<string, unknown>;
    if ('routes' in answer) answer = nameRoutes(answer as Routes, names);
    const prefixes = answer['prefixes'];
    if (Array.isArray(prefixes) && prefixes.some((p) => typeof p === 'object' && p !== null && 'routes' in p)) {
      answer = { ...answer, prefixes: prefixes.map((p: Routes) => (typeof p === 'object' && p !== null ? nameRoutes(p, names) : p)) };
    }
    return answer;
  });
}
