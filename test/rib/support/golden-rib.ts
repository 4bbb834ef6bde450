/**
 * GoldenRib: the RIB as plain Maps and arrays, slow and obviously correct. Property tests
 * drive it and the real Rib with the same operations and compare every query.
 *
 * Model: a route is (rd, prefix, router, peer, view, afi, safi, pathId) with a *current*
 * attribute set (from the running session) and/or a *stale* one (kept from the previous
 * session). A peer-view key is "active" once the running session used it. Each of the two
 * carries its ages (seconds): first seen, last attribute change.
 */
import { Address, formatIPv4, parseAddress } from '../../../src/ip/address.js';
import { Prefix, comparePrefixes, parsePrefix } from '../../../src/ip/prefix.js';
import { VIEWS, type PeerKey, type View, afiSafiName } from '../../../src/rib/peer-registry.js';
import type { OriginPrefixJson, PeerViewKey, RouteFilter } from '../../../src/rib/rib.js';
import {
  type AttributesJson,
  type LookupJson,
  type PeerStatusJson,
  type PrefixRoutesJson,
  type RouteJson,
  peerTypeName,
} from '../../../src/rib/route-json.js';
import { DECISION_STEPS } from '../../../src/rib/route-decision.js';
import { pathLength } from './test-attributes.js';

interface GoldenRoute {
  rd: string | null;
  prefix: Prefix;
  router: string;
  peer: PeerKey;
  view: View;
  afi: number;
  safi: number;
  pathId: number;
  current: AttributesJson | undefined;
  stale: AttributesJson | undefined;
  currentAges: Ages;
  staleAges: Ages;
}

/** When a route was first seen and last changed (seconds since the epoch). */
interface Ages {
  received: number;
  changed: number;
}

interface GoldenRouter {
  name: string;
  state: 'up' | 'down';
  flushAt: number | undefined;
  peers: { key: PeerKey; state: 'up' | 'down' }[];
}

const peerId = (p: PeerKey): string => `${p.type}|${p.distinguisher}|${p.address}|${p.asn}|${p.bgpId}`;
const viewKeyOf = (router: string, k: { peer: PeerKey; view: View; afi: number; safi: number }): string =>
  `${router}|${peerId(k.peer)}|${k.view}|${k.afi}|${k.safi}`;

/** The golden RIB. */
export class GoldenRib {
  private readonly routesByKey = new Map<string, GoldenRoute>();
  private readonly routers: GoldenRouter[] = [];
  private readonly activeKeys = new Set<string>();
  constructor(
    private readonly keepMs: number,
    private readonly fallback: boolean,
  ) {}

  private router(name: string): GoldenRouter {
    let r = this.routers.find((x) => x.name === name);
    if (r === undefined) {
      r = { name, state: 'up', flushAt: undefined, peers: [] };
      this.routers.push(r);
    }
    return r;
  }
  private peer(r: GoldenRouter, key: PeerKey): { key: PeerKey; state: 'up' | 'down' } {
    let p = r.peers.find((x) => peerId(x.key) === peerId(key));
    if (p === undefined) {
      p = { key, state: 'up' };
      r.peers.push(p);
    }
    return p;
  }
  private use(k: PeerViewKey): void {
    const r = this.router(k.router);
    this.peer(r, k.peer).state = 'up';
    this.activeKeys.add(viewKeyOf(k.router, k));
  }
  private routeKey(k: PeerViewKey, rd: string | null, prefix: Prefix, pathId: number): string {
    return `${rd}|${prefix.toString()}|${viewKeyOf(k.router, k)}|${pathId}`;
  }

  /** Route number `index` (modulo the count) with the attributes it holds (current, else stale); undefined when there is none. */
  existingRoute(index: number): { key: PeerViewKey; rd: string | null; prefix: Prefix; pathId: number; attrs: AttributesJson } | undefined {
    const all = [...this.routesByKey.values()];
    if (all.length === 0) return undefined;
    const r = all[index % all.length]!;
    return { key: { router: r.router, peer: r.peer, view: r.view, afi: r.afi, safi: r.safi }, rd: r.rd, prefix: r.prefix, pathId: r.pathId, attrs: (r.current ?? r.stale)! };
  }

  /** `seconds`: the clock when announced (seconds since the epoch). */
  announce(k: PeerViewKey, rd: string | null, prefix: Prefix, pathId: number, attrs: AttributesJson, seconds: number): void {
    this.use(k);
    const key = this.routeKey(k, rd, prefix, pathId);
    const existing = this.routesByKey.get(key);
    const same = (a: AttributesJson | undefined): boolean => JSON.stringify(a) === JSON.stringify(attrs);
    if (existing) {
      // The running session's route, else the stale one it replaces: first seen stays, changed only if the attributes differ.
      const [before, ages] = existing.current !== undefined ? [existing.current, existing.currentAges] : [existing.stale, existing.staleAges];
      existing.currentAges = before === undefined ? { received: seconds, changed: seconds } : { received: ages.received, changed: same(before) ? ages.changed : seconds };
      existing.current = attrs;
      existing.stale = undefined;
    } else {
      const ages = { received: seconds, changed: seconds };
      this.routesByKey.set(key, { rd, prefix, router: k.router, peer: k.peer, view: k.view, afi: k.afi, safi: k.safi, pathId, current: attrs, stale: undefined, currentAges: ages, staleAges: ages });
    }
  }

  withdraw(k: PeerViewKey, rd: string | null, prefix: Prefix, pathId: number): boolean {
    this.use(k);
    return this.routesByKey.delete(this.routeKey(k, rd, prefix, pathId));
  }

  private each(pred: (r: GoldenRoute) => boolean, fn: (r: GoldenRoute, key: string) => void): void {
    for (const [key, r] of [...this.routesByKey]) if (pred(r)) fn(r, key);
  }
  private clean(): void {
    for (const [key, r] of [...this.routesByKey]) if (r.current === undefined && r.stale === undefined) this.routesByKey.delete(key);
  }

  /** Make the active keys of a router (and peer, if given) stale. */
  private makeStale(router: string, peer: PeerKey | undefined): void {
    const prefix = peer === undefined ? `${router}|` : `${router}|${peerId(peer)}|`;
    for (const vk of [...this.activeKeys]) {
      if (!vk.startsWith(prefix)) continue;
      this.activeKeys.delete(vk);
      this.each(
        (r) => viewKeyOf(r.router, r) === vk,
        (r) => {
          r.stale = r.current;
          r.staleAges = r.currentAges;
          r.current = undefined;
        },
      );
    }
    this.clean();
  }

  peerUp(router: string, peer: PeerKey): void {
    const r = this.router(router);
    this.makeStale(router, peer);
    this.peer(r, peer).state = 'up';
  }

  peerDown(router: string, peer: PeerKey): void {
    const r = this.routers.find((x) => x.name === router);
    const p = r?.peers.find((x) => peerId(x.key) === peerId(peer));
    if (!p) return;
    this.each((x) => x.router === router && peerId(x.peer) === peerId(peer), (_, key) => this.routesByKey.delete(key));
    for (const vk of [...this.activeKeys]) if (vk.startsWith(`${router}|${peerId(peer)}|`)) this.activeKeys.delete(vk);
    p.state = 'down';
  }

  routerDown(router: string, now: number): void {
    const r = this.routers.find((x) => x.name === router);
    if (!r) return;
    r.state = 'down';
    r.flushAt = now + this.keepMs;
    this.makeStale(router, undefined);
  }

  routerUp(router: string, now: number): void {
    const r = this.router(router);
    if (r.state === 'up' && r.flushAt === undefined) {
      this.makeStale(router, undefined);
      r.flushAt = now + this.keepMs;
    }
    r.state = 'up';
  }

  flushRouter(router: string): void {
    const r = this.routers.find((x) => x.name === router);
    if (!r) return;
    this.each((x) => x.router === router, (_, key) => this.routesByKey.delete(key));
    for (const vk of [...this.activeKeys]) if (vk.startsWith(`${router}|`)) this.activeKeys.delete(vk);
    r.flushAt = undefined;
  }

  endOfRib(k: PeerViewKey): void {
    this.use(k);
    const vk = viewKeyOf(k.router, k);
    this.each((r) => viewKeyOf(r.router, r) === vk, (r) => (r.stale = undefined));
    this.clean();
  }

  tick(now: number): void {
    for (const r of this.routers) {
      if (r.flushAt === undefined || r.flushAt > now) continue;
      r.flushAt = undefined;
      this.each((x) => x.router === r.name, (x) => (x.stale = undefined));
    }
    this.clean();
  }

  // ── queries ──

  private visible(filter: RouteFilter, withRouter: boolean): { r: GoldenRoute; attrs: AttributesJson; stale: boolean }[] {
    const out: { r: GoldenRoute; attrs: AttributesJson; stale: boolean }[] = [];
    for (const r of this.routesByKey.values()) {
      if ((filter.rd ?? null) !== r.rd && !(filter.rd === '' && r.rd === null)) continue;
      if (withRouter && filter.router !== undefined && r.router !== filter.router) continue;
      if (filter.peer !== undefined && r.peer.address !== filter.peer) continue;
      if (filter.view !== undefined && r.view !== filter.view) continue;
      if (filter.afiSafi !== undefined && afiSafiName(r.afi, r.safi) !== filter.afiSafi) continue;
      if (r.current) out.push({ r, attrs: r.current, stale: false });
      if (r.stale) out.push({ r, attrs: r.stale, stale: true });
    }
    return out;
  }

  /** Sign: which is preferred; magnitude: 1 + index of the deciding key (the step, as route-order.ts numbers them). */
  private compare(
    a: { r: GoldenRoute; attrs: AttributesJson; stale: boolean },
    b: { r: GoldenRoute; attrs: AttributesJson; stale: boolean },
  ): number {
    const ra = this.routers.findIndex((x) => x.name === a.r.router);
    const rb = this.routers.findIndex((x) => x.name === b.r.router);
    const keys = (x: typeof a, routerIndex: number): (number | string)[] => [
      VIEWS.indexOf(x.r.view),
      x.stale ? 1 : 0,
      -(x.attrs.localPref ?? 100),
      pathLength(x.attrs),
      x.attrs.origin === 'igp' ? 0 : x.attrs.origin === 'egp' ? 1 : x.attrs.origin === 'incomplete' ? 2 : 3,
      x.attrs.med ?? 0,
      x.r.peer.bgpId >>> 0,
      x.r.peer.address,
      routerIndex,
      x.r.pathId,
      x.r.afi,
      x.r.safi,
    ];
    const ka = keys(a, ra);
    const kb = keys(b, rb);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] === kb[i]) continue;
      // Keys 10 and 11 (AFI, SAFI) are one step, `family`.
      const step = Math.min(i, 10) + 1;
      return ka[i]! < kb[i]! ? -step : step;
    }
    return 0;
  }

  private json(x: { r: GoldenRoute; attrs: AttributesJson; stale: boolean }, best: { r: GoldenRoute; attrs: AttributesJson; stale: boolean }): RouteJson {
    return {
      router: x.r.router,
      peer: {
        address: x.r.peer.address,
        asn: x.r.peer.asn,
        bgpId: formatIPv4(x.r.peer.bgpId),
        type: peerTypeName(x.r.peer.type),
        distinguisher: x.r.peer.distinguisher,
      },
      view: x.r.view,
      afiSafi: afiSafiName(x.r.afi, x.r.safi),
      rd: x.r.rd,
      pathId: x.r.pathId,
      stale: x.stale,
      restored: false,
      receivedAt: isoSeconds(x.stale ? x.r.staleAges.received : x.r.currentAges.received),
      changedAt: isoSeconds(x.stale ? x.r.staleAges.changed : x.r.currentAges.changed),
      lostAt: x === best ? null : DECISION_STEPS[Math.abs(this.compare(best, x)) - 1]!,
      ...x.attrs,
    };
  }

  private group(list: ReturnType<GoldenRib['visible']>, prefix: Prefix): PrefixRoutesJson {
    const mine = list.filter((x) => x.r.prefix.equals(prefix)).sort((a, b) => this.compare(a, b));
    return { prefix: prefix.toString(), rd: mine[0]!.r.rd, routes: mine.map((x) => this.json(x, mine[0]!)) };
  }

  private prefixesOf(list: ReturnType<GoldenRib['visible']>): Prefix[] {
    const seen = new Map<string, Prefix>();
    for (const x of list) seen.set(x.r.prefix.toString(), x.r.prefix);
    return [...seen.values()].sort(comparePrefixes);
  }

  lookup(address: string, filter: RouteFilter = {}): LookupJson | undefined {
    const a: Address = parseAddress(address);
    const find = (withRouter: boolean): PrefixRoutesJson | undefined => {
      const list = this.visible(filter, withRouter).filter((x) => x.r.prefix.contains(a));
      // Prefixes with a current route win over stale-only ones unless stale=include.
      const live = filter.stale === 'include' ? list : list.filter((x) => !x.stale);
      const ps = this.prefixesOf(live.length > 0 ? live : list).sort((x, y) => y.length - x.length);
      return ps.length === 0 ? undefined : this.group(list, ps[0]!);
    };
    let res = find(true);
    if (res) return { ...res, fallback: false };
    if (filter.router !== undefined && this.fallback) {
      res = find(false);
      if (res) return { ...res, fallback: true };
    }
    return undefined;
  }

  routes(prefix: string, filter: RouteFilter = {}): PrefixRoutesJson | undefined {
    const p = parsePrefix(prefix);
    const list = this.visible(filter, true).filter((x) => x.r.prefix.equals(p));
    return list.length === 0 ? undefined : this.group(list, p);
  }

  moreSpecifics(prefix: string, filter: RouteFilter = {}): PrefixRoutesJson[] {
    const p = parsePrefix(prefix);
    const list = this.visible(filter, true).filter((x) => p.contains(x.r.prefix) && !x.r.prefix.equals(p));
    return this.prefixesOf(list).map((q) => this.group(list, q));
  }

  lessSpecifics(prefix: string, filter: RouteFilter = {}): PrefixRoutesJson[] {
    const p = parsePrefix(prefix);
    const list = this.visible(filter, true).filter((x) => x.r.prefix.contains(p) && !x.r.prefix.equals(p));
    return this.prefixesOf(list)
      .sort((x, y) => x.length - y.length)
      .map((q) => this.group(list, q));
  }

  originatedBy(asn: number, rds: (string | null)[], filter: RouteFilter = {}): OriginPrefixJson[] {
    const out: OriginPrefixJson[] = [];
    for (const rd of rds) {
      const list = this.visible({ ...filter, rd: rd ?? undefined }, true).filter((x) => x.attrs.originAs === asn);
      for (const p of this.prefixesOf(list)) {
        out.push({ prefix: p.toString(), rd, routes: list.filter((x) => x.r.prefix.equals(p)).length });
      }
    }
    return out;
  }

  peers(router: string): Pick<PeerStatusJson, 'address' | 'state' | 'routes' | 'staleRoutes'>[] | undefined {
    const r = this.routers.find((x) => x.name === router);
    if (!r) return undefined;
    return r.peers.map((p) => {
      const routes = Object.fromEntries(VIEWS.map((v) => [v, 0])) as Record<View, number>;
      let stale = 0;
      for (const x of this.routesByKey.values()) {
        if (x.router !== router || peerId(x.peer) !== peerId(p.key)) continue;
        if (x.current) routes[x.view]++;
        if (x.stale) {
          routes[x.view]++;
          stale++;
        }
      }
      return { address: p.key.address, state: p.state, routes, staleRoutes: stale };
    });
  }

  /** Total routes (current and stale) and distinct (rd, prefix) pairs. */
  counts(): { routes: number; prefixes: number } {
    let routes = 0;
    const prefixes = new Set<string>();
    for (const r of this.routesByKey.values()) {
      routes += (r.current ? 1 : 0) + (r.stale ? 1 : 0);
      prefixes.add(`${r.rd}|${r.prefix.toString()}`);
    }
    return { routes, prefixes: prefixes.size };
  }

  /** Names of known routers, in registration order. */
  routerNames(): string[] {
    return this.routers.map((r) => r.name);
  }
}

export { Address };

function isoSeconds(seconds: number): string | null {
  return seconds === 0 ? null : new Date(seconds * 1000).toISOString();
}
