/**
 * Why the best route of a prefix won: for each other route, the step of the RIB's
 * preference order (route-order.ts, README "Route order") at which it lost to the best.
 * Operators' looking glasses only mark the best path; this says which rule chose it.
 *
 * The order itself lives in one place, {@link compareRoutes}, which answers the deciding
 * step with its sign; this file only names the steps.
 */
import type { AttributePool } from './attribute-pool.js';
import type { PeerRegistry } from './peer-registry.js';
import { compareRoutes } from './route-order.js';

/**
 * The steps of the preference order by name, in the order they are taken (index + 1 is the
 * `STEP_*` number of route-order.ts):
 * `view` (Loc-RIB before Adj-RIB-In post-policy before pre-policy ...), `stale` (current before
 * kept from an earlier session), `local-pref` (higher), `as-path-length` (shorter), `origin`
 * (IGP < EGP < INCOMPLETE), `med` (lower), then the deterministic tie-breaks `peer-bgp-id`
 * (lower), `peer-address` (lower, as text), `router` (registered first), `path-id` (lower)
 * and `family` (lower AFI, then SAFI).
 */
export const DECISION_STEPS = [
  'view',
  'stale',
  'local-pref',
  'as-path-length',
  'origin',
  'med',
  'peer-bgp-id',
  'peer-address',
  'router',
  'path-id',
  'family',
] as const;

/** A step of the preference order, by name. */
export type DecisionStep = (typeof DECISION_STEPS)[number];

/** The name of the step a {@link compareRoutes} answer says decided, or null when it is 0 (the same route). */
export function decisionStepOf(comparison: number): DecisionStep | null {
  if (comparison === 0) return null;
  const step = DECISION_STEPS[Math.abs(comparison) - 1];
  if (step === undefined) throw new RangeError(`no decision step ${comparison}`);
  return step;
}

/**
 * The step at which route B lost to route A, each given as (peer-view id, attribute id, path
 * id): null when B is A. Throws when B is preferred to A (A is not better, so B did not lose).
 */
export function lostAt(
  registry: PeerRegistry,
  pool: AttributePool,
  pvBest: number,
  attrBest: number,
  pathBest: number,
  pv: number,
  attr: number,
  path: number,
): DecisionStep | null {
  const comparison = compareRoutes(registry, pool, pvBest, attrBest, pathBest, pv, attr, path);
  if (comparison > 0) throw new RangeError('lostAt: the route is preferred to the one given as best');
  return decisionStepOf(comparison);
}
