/**
 * The parameter checks every route shares: the page size a request may ask for, and the
 * `router` parameter (an unknown router is 404 on every route, never an empty answer).
 */
import type { RouteFilter } from '../rib/rib.js';
import { ApiError } from './errors.js';
import { DEFAULT_PAGE_LIMIT } from './pagination.js';

/** The server's shared parameter checks, handed to each group of routes. */
export interface RequestChecks {
  /** A request's `limit` as the page size (or an ApiError refusing it). */
  readonly pageLimit: (limit: number | undefined) => number;
  /** The route filter of a `router` parameter (or an ApiError 404 for an unknown router). */
  readonly routerFilter: (router: string | undefined) => RouteFilter;
}

/**
 * The checks of a server whose pages hold at most `maxLimit` items; `knowsRouter` says whether
 * the RIB has a router of that name (the Rib's registry on the main thread, SharedRibReader's
 * mirror of it in the HTTP worker).
 */
export function createRequestChecks(knowsRouter: (name: string) => boolean, maxLimit: number): RequestChecks {
  return {
    routerFilter: (router) => {
      if (router === undefined) return {};
      if (!knowsRouter(router)) throw new ApiError(404, 'NOT_FOUND', `no router ${JSON.stringify(router)}; see /api/v1/routers`);
      return { router };
    },
    pageLimit: (limit) => {
      if (limit === undefined) return Math.min(DEFAULT_PAGE_LIMIT, maxLimit);
      if (limit > maxLimit) throw new ApiError(400, 'LIMIT_EXCEEDED', `limit ${limit} is over this server's page limit of ${maxLimit}`);
      return limit;
    },
  };
}
