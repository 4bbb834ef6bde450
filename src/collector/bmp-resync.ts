/**
 * ResyncTracker: when a reconnected router has re-sent its table, sweep what it did not
 * re-send (routes withdrawn while it was away) instead of waiting for the keep time.
 *
 * On reconnect the old session's routes are STALE (rib.ts); each re-announced route replaces
 * its stale twin, and a peer-view's End-of-RIB sweeps its own stale twin. What that leaves —
 * stale peer-views with no End-of-RIB'd successor (a family or peer the router no longer
 * sends, a Loc-RIB view) — is swept here, per group of views, as soon as the router's stream
 * says the group is complete:
 *
 * - Adj-RIB views (and any non-Loc-RIB view): when every peer-view the router has re-sent in
 *   this session has sent its End-of-RIB (RFC 4724; BMP routers send one per peer and family).
 * - Loc-RIB: when every re-sent Loc-RIB peer-view has sent End-of-RIB (RFC 9069 section 5.3
 *   asks for it), or else — GoBGP, for one, sends none — when the re-send has stopped
 *   replacing stale routes for `quietMs`: the clock runs from the last time a stale Loc-RIB
 *   route was replaced or withdrawn, not from the last UPDATE, so a busy router's steady churn
 *   on other prefixes does not hold the sweep back, and a long dump that keeps replacing stale
 *   routes is never cut short. The clock starts only once the router has re-sent at least one
 *   Loc-RIB route; a router that re-sends none keeps its stale Loc-RIB until the keep time.
 *
 * The quiet period trades speed for safety: too short and a dump that pauses longer than it
 * (a slow router, back-pressure) loses the not-yet-re-sent routes until they arrive; the
 * default (10 s) is far above the gaps of a dump and far below the keep time (5 min).
 */
import type { Rib } from '../rib/rib.js';

/** The default Loc-RIB quiet period (ms): see the module doc. */
export const DEFAULT_LOC_RIB_QUIET_MS = 10_000;

/** Tracks one session's re-send of one router; see the module doc. */
export class ResyncTracker {
  private readonly rib: Rib;
  /** The router's name in the RIB. */
  readonly router: string;
  private readonly quietMs: number;
  private adjDone = false;
  private locRibDone = false;
  /** The stale Loc-RIB route count last seen, and since when it has not changed (ms). */
  private locRibStaleRoutes = -1;
  private locRibQuietSince = 0;

  constructor(rib: Rib, router: string, quietMs: number = DEFAULT_LOC_RIB_QUIET_MS) {
    this.rib = rib;
    this.router = router;
    this.quietMs = quietMs;
  }

  /** Whether both groups of views have been swept (the tracker can be dropped). */
  get done(): boolean {
    return this.adjDone && this.locRibDone;
  }

  /**
   * An UPDATE with no route (an End-of-RIB marker) arrived for a view (`locRib`: a Loc-RIB
   * one): sweep the group if every re-sent peer-view of it has now had End-of-RIB.
   * @returns how many stale peer-views were swept.
   */
  endOfRib(locRib: boolean): number {
    if (locRib ? this.locRibDone : this.adjDone) return 0;
    const state = this.rib.resendState(this.router, locRib);
    if (state.active === 0 || state.endOfRib < state.active) return 0;
    return this.finish(locRib);
  }

  /**
   * The clock (called every second or so): sweep the stale Loc-RIB once the re-send has not
   * replaced a stale Loc-RIB route for the quiet period.
   * @returns how many stale peer-views were swept.
   */
  tick(now: number): number {
    // Nothing stale in Adj-RIB views (a first session): nothing for End-of-RIB to complete.
    if (!this.adjDone && this.rib.resendState(this.router, false).stale === 0) this.adjDone = true;
    if (this.locRibDone) return 0;
    const state = this.rib.resendState(this.router, true);
    if (state.stale === 0) {
      this.locRibDone = true;
      return 0;
    }
    if (state.active === 0) return 0;
    if (state.staleRoutes !== this.locRibStaleRoutes) {
      this.locRibStaleRoutes = state.staleRoutes;
      this.locRibQuietSince = now;
      return 0;
    }
    return now - this.locRibQuietSince >= this.quietMs ? this.finish(true) : 0;
  }

  private finish(locRib: boolean): number {
    if (locRib) this.locRibDone = true;
    else this.adjDone = true;
    return this.rib.flushStaleViews(this.router, locRib);
  }
}
