/**
 * The answers of the two point/scan RIB routes (`/api/v1/lookup`, `/api/v1/routes`) as plain
 * data in, plain data out, so the same code answers on the main thread (`--api-workers 0`)
 * and in a reader worker over shared memory (reader-pool.ts, reader-worker.ts). The handlers
 * parse and check the request (address, prefix, router, page limit) on the main thread and
 * pass a {@link RibQuery}; only the RIB reads and the shaping of the answer happen here.
 */
import type { PrefixInput } from '../ip/prefix.js';
import { parseAddress } from '../ip/address.js';
import { parsePrefix } from '../ip/prefix.js';
import type { RouteFilter } from '../rib/rib-reader.js';
import type { LookupJson, PrefixRoutesJson } from '../rib/route-json.js';
import { ApiError } from './errors.js';
import { decodeCursor, page } from './pagination.js';
import { filterPrefixes, routePredicate, type RouteFilterParams } from './route-filters.js';

/** How far from the prefix a query reaches. */
export type PrefixMatch = 'exact' | 'more-specifics' | 'less-specifics';

/** A lookup or routes request, checked and reduced to plain (structured-clonable) data. */
export type RibQuery =
  | {
      readonly op: 'lookup';
      /** The address as the client gave it (already checked by parseAddress). */
      readonly address: string;
      /** The RIB filter (router, peer, view, stale). */
      readonly filter: RouteFilter;
      /** The route filters (community parsed). */
      readonly filters: RouteFilterParams;
      /** Whether `peer` or `view` was given (for the 404 message). */
      readonly narrowed: boolean;
    }
  | {
      readonly op: 'routes';
      readonly prefix: string;
      readonly match: PrefixMatch;
      readonly filter: RouteFilter;
      readonly filters: RouteFilterParams;
      readonly cursor: string | undefined;
      /** The page size, already checked against the server's limit. */
      readonly limit: number;
    };

/** What the answers read: a Rib on the main thread, a SharedRibReader adapter in a worker. */
export interface QueryReader {
  lookup(address: string, filter: RouteFilter): LookupJson | undefined;
  routes(prefix: PrefixInput, filter: RouteFilter): PrefixRoutesJson | undefined;
  lessSpecifics(prefix: PrefixInput, filter: RouteFilter): Iterable<PrefixRoutesJson>;
  /**
   * The more-specifics in prefix order. `atLeast`: how many the page needs at most (a worker
   * reads only that many in one consistent attempt; Infinity when a route filter may drop some).
   */
  moreSpecifics(prefix: PrefixInput, filter: RouteFilter, atLeast: number): Iterable<PrefixRoutesJson>;
}

/** The prefixes a `match` selects, lazily: exact, or more/less-specifics with the prefix itself. */
export function* matchingPrefixes(rib: QueryReader, prefix: PrefixInput, match: PrefixMatch, filter: RouteFilter, atLeast = Infinity): Generator<PrefixRoutesJson> {
  const exact = rib.routes(prefix, filter);
  if (match === 'less-specifics') yield* rib.lessSpecifics(prefix, filter);
  if (exact) yield exact;
  if (match === 'more-specifics') yield* rib.moreSpecifics(prefix, filter, atLeast);
}

/**
 * Whether a server with reader workers sends `query` to one: the more-specifics scans only.
 * Point queries (lookup, exact, less-specifics: a few slots each) stay on the main thread:
 * measured while a full table streams in (bench:collector API_WORKERS=0,1,2, bench/README.md), a lookup
 * sent to a worker waited for a second turn of the busy event loop for its answer and its
 * p50/p99 doubled (6.6/26 ms inline, 12.3/48-56 ms in a worker).
 */
export function readsInWorker(query: RibQuery): boolean {
  return query.op === 'routes' && query.match === 'more-specifics';
}

/** The body of a 200 answer to `query` (a 404 or 400 is thrown as ApiError / RibstoreError). */
export function answerQuery(rib: QueryReader, query: RibQuery): unknown {
  return query.op === 'lookup' ? lookupAnswer(rib, query) : routesAnswer(rib, query);
}

function lookupAnswer(rib: QueryReader, query: Extract<RibQuery, { op: 'lookup' }>): LookupJson {
  const address = parseAddress(query.address);
  const answer = rib.lookup(query.address, query.filter);
  const router = query.filter.router;
  const narrowed = query.narrowed ? ' with the peer and view filters' : '';
  if (!answer) throw new ApiError(404, 'NOT_FOUND', `no route covers ${address.toString()}${router ? ` at router ${router}` : ''}${narrowed}`);
  const predicate = routePredicate(query.filters);
  if (predicate === undefined) return answer;
  const routes = answer.routes.filter(predicate);
  if (routes.length === 0) throw new ApiError(404, 'NOT_FOUND', `no route of ${answer.prefix}, the longest match of ${address.toString()}, passes the community, originAs and pathAs filters`);
  return { ...answer, routes };
}

function routesAnswer(rib: QueryReader, query: Extract<RibQuery, { op: 'routes' }>): { prefixes: PrefixRoutesJson[]; nextCursor: string | null } {
  const prefix = parsePrefix(query.prefix);
  const predicate = routePredicate(query.filters);
  // Without a route filter every prefix read is one item of the page: read one past its end.
  const atLeast = predicate === undefined ? decodeCursor(query.cursor) + query.limit + 1 : Infinity;
  const routes = matchingPrefixes(rib, prefix, query.match, query.filter, atLeast);
  const { items, nextCursor } = page(filterPrefixes(routes, predicate), query.cursor, query.limit);
  return { prefixes: items, nextCursor };
}
