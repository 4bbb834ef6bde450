/**
 * The documented preference order of the routes of one prefix (what `lookup` and `routes`
 * return first), a simplified BGP decision process over the RIB's numbers:
 *
 *  1. view: Loc-RIB, then Adj-RIB-In post-policy, Adj-RIB-In pre-policy, Adj-RIB-Out
 *     post-policy, Adj-RIB-Out pre-policy (what the router chose, then what it accepted);
 *  2. current routes before stale ones (kept from a previous session);
 *  3. higher LOCAL_PREF (absent counts as 100, the common default);
 *  4. shorter AS path (an AS_SET counts 1, confederation segments 0; RFC 4271 9.1.2.2);
 *  5. lower ORIGIN (IGP < EGP < INCOMPLETE < absent);
 *  6. lower MED (absent counts as 0), compared across all neighbour ASes ("always-compare-med":
 *     a collector sees many neighbours and needs one total order);
 *  7. lower peer BGP ID, then lower peer address (as text), then router (registration
 *     order), then path id, then AFI, then SAFI: a total order, so answers are deterministic.
 *
 * IGP metric and eBGP-over-iBGP steps of the real process are not known to a collector
 * and are skipped.
 */
import { type AttributePool, HAS_LOCAL_PREF, HAS_MED } from './attribute-pool.js';
import { PV_STALE, type PeerRegistry } from './peer-registry.js';

/**
 * The steps of the order above, numbered from 1 in the order they are taken. A comparison
 * answers ±step (see {@link compareRoutes}), so the step that decided is known without a
 * second copy of the order; route-decision.ts names them.
 */
export const STEP_VIEW = 1;
export const STEP_STALE = 2;
export const STEP_LOCAL_PREF = 3;
export const STEP_AS_PATH_LENGTH = 4;
export const STEP_ORIGIN = 5;
export const STEP_MED = 6;
export const STEP_PEER_BGP_ID = 7;
export const STEP_PEER_ADDRESS = 8;
export const STEP_ROUTER = 9;
export const STEP_PATH_ID = 10;
export const STEP_FAMILY = 11;

/**
 * Compare two routes given as (peer-view id, attribute id, path id). Negative when `a` is
 * preferred, positive when `b` is, 0 only for the same route; the magnitude is the step
 * (`STEP_*`) that decided. Pure function of the RIB's state.
 */
export function compareRoutes(
  registry: PeerRegistry,
  pool: AttributePool,
  pvA: number,
  attrA: number,
  pathA: number,
  pvB: number,
  attrB: number,
  pathB: number,
): number {
  const d = registry.pvView[pvA]! - registry.pvView[pvB]!;
  if (d !== 0) return d < 0 ? -STEP_VIEW : STEP_VIEW;
  const stale = (registry.pvState[pvA] === PV_STALE ? 1 : 0) - (registry.pvState[pvB] === PV_STALE ? 1 : 0);
  if (stale !== 0) return stale < 0 ? -STEP_STALE : STEP_STALE;
  return compareAfterState(registry, pool, pvA, attrA, pathA, pvB, attrB, pathB);
}

/**
 * {@link compareRoutes} without step 2 (current before stale): the order the RIB keeps each
 * prefix's routes in (route-rank.ts). Every step it takes depends only on what an entry
 * holds for its lifetime (its peer-view's view, peer and family; its attribute set; its path
 * id), so a stored order stays right when a peer-view turns stale; readers apply step 2
 * themselves, among the routes of the first view.
 */
export function compareStoredRoutes(
  registry: PeerRegistry,
  pool: AttributePool,
  pvA: number,
  attrA: number,
  pathA: number,
  pvB: number,
  attrB: number,
  pathB: number,
): number {
  const d = registry.pvView[pvA]! - registry.pvView[pvB]!;
  if (d !== 0) return d < 0 ? -STEP_VIEW : STEP_VIEW;
  return compareAfterState(registry, pool, pvA, attrA, pathA, pvB, attrB, pathB);
}

/** Steps 3 to 7 of the order (after view and state). */
function compareAfterState(
  registry: PeerRegistry,
  pool: AttributePool,
  pvA: number,
  attrA: number,
  pathA: number,
  pvB: number,
  attrB: number,
  pathB: number,
): number {
  if (attrA !== attrB) {
    const decided = compareAttributes(pool, attrA, attrB);
    if (decided !== 0) return decided;
  }
  return compareTieBreaks(registry, pvA, pathA, pvB, pathB);
}

/** Steps 3 to 6: what the attribute sets decide (0 when they tie). */
function compareAttributes(pool: AttributePool, attrA: number, attrB: number): number {
  const fa = pool.flags(attrA);
  const fb = pool.flags(attrB);
  const lpA = fa & HAS_LOCAL_PREF ? pool.localPref(attrA) : 100;
  const lpB = fb & HAS_LOCAL_PREF ? pool.localPref(attrB) : 100;
  if (lpA !== lpB) return lpA > lpB ? -STEP_LOCAL_PREF : STEP_LOCAL_PREF;
  let d = pool.asPathLength(attrA) - pool.asPathLength(attrB);
  if (d !== 0) return d < 0 ? -STEP_AS_PATH_LENGTH : STEP_AS_PATH_LENGTH;
  d = pool.origin(attrA) - pool.origin(attrB);
  if (d !== 0) return d < 0 ? -STEP_ORIGIN : STEP_ORIGIN;
  const medA = fa & HAS_MED ? pool.med(attrA) : 0;
  const medB = fb & HAS_MED ? pool.med(attrB) : 0;
  if (medA !== medB) return medA < medB ? -STEP_MED : STEP_MED;
  return 0;
}

/** Step 7: the deterministic tie-breaks. */
function compareTieBreaks(registry: PeerRegistry, pvA: number, pathA: number, pvB: number, pathB: number): number {
  if (pvA === pvB) return pathA === pathB ? 0 : pathA < pathB ? -STEP_PATH_ID : STEP_PATH_ID;
  const peerA = registry.peerById(registry.pvPeer[pvA]!);
  const peerB = registry.peerById(registry.pvPeer[pvB]!);
  if (peerA !== peerB) {
    if (peerA.bgpId !== peerB.bgpId) return peerA.bgpId < peerB.bgpId ? -STEP_PEER_BGP_ID : STEP_PEER_BGP_ID;
    if (peerA.address !== peerB.address) return peerA.address < peerB.address ? -STEP_PEER_ADDRESS : STEP_PEER_ADDRESS;
    if (peerA.router !== peerB.router) return peerA.router < peerB.router ? -STEP_ROUTER : STEP_ROUTER;
  }
  if (pathA !== pathB) return pathA < pathB ? -STEP_PATH_ID : STEP_PATH_ID;
  const d = registry.pvAfi[pvA]! - registry.pvAfi[pvB]! || registry.pvSafi[pvA]! - registry.pvSafi[pvB]!;
  if (d !== 0) return d < 0 ? -STEP_FAMILY : STEP_FAMILY;
  // Two peer-views of one peer, view and family would be one peer-view: not reached, but the
  // order stays total.
  return pvA < pvB ? -STEP_FAMILY : STEP_FAMILY;
}
