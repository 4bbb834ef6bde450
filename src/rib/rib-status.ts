/**
 * Status queries of the RIB: routers, their peers and the summary statistics, as the HTTP API
 * answers them (`/routers`, `/routers/{name}/peers`, `/stats`). They read the peer registry's
 * counts (and the route sets' and attribute pool's sizes), never a route; the route queries
 * are rib-reader.ts's. {@link RibReader} exposes these as its `routers`, `peers` and `stats`.
 */
import { formatIPv4 } from '../ip/address.js';
import type { AttributePool } from './attribute-pool.js';
import { PV_ACTIVE, PV_DOOMED, PV_STALE, type PeerRecord, type PeerRegistry, VIEWS, type View, afiSafiName } from './peer-registry.js';
import type { PrefixIndexReader } from './prefix-index.js';
import { type PeerJson, type PeerStatusJson, type RibStatsJson, type RouterStatusJson, peerTypeName } from './route-json.js';
import type { RouteSets } from './route-sets.js';

/** The JSON form of a peer (shared by route answers and peer status). */
export function peerJson(peer: PeerRecord): PeerJson {
  return {
    address: peer.address,
    asn: peer.asn,
    bgpId: formatIPv4(peer.bgpId),
    type: peerTypeName(peer.type),
    distinguisher: peer.distinguisher,
  };
}

/** Every router with its state, peer count and route count (routes pending flush not counted). */
export function routerStatus(registry: PeerRegistry): RouterStatusJson[] {
  return registry.routers().map((r) => {
    let routes = 0;
    for (const pid of r.peers) for (const pv of registry.peerById(pid).views) if (registry.pvState[pv] !== PV_DOOMED) routes += registry.pvCount[pv]!;
    return {
      name: r.name,
      state: r.state,
      downSince: r.downSince === undefined ? null : new Date(r.downSince).toISOString(),
      flushAt: r.flushAt === undefined ? null : new Date(r.flushAt).toISOString(),
      peers: r.peers.length,
      routes,
    };
  });
}

/** The peers of router `router` with state and route counts per view; undefined for an unknown router. */
export function peerStatus(registry: PeerRegistry, router: string): PeerStatusJson[] | undefined {
  const r = registry.findRouter(router);
  if (r === undefined) return undefined;
  return r.peers.map((pid) => {
    const peer = registry.peerById(pid);
    const routes = Object.fromEntries(VIEWS.map((v) => [v, 0])) as Record<View, number>;
    const byFamily: Record<string, number> = {};
    let stale = 0;
    for (const pv of peer.views) {
      const st = registry.pvState[pv];
      if (st !== PV_ACTIVE && st !== PV_STALE) continue;
      const n = registry.pvCount[pv]!;
      routes[VIEWS[registry.pvView[pv]!]!] += n;
      const fam = afiSafiName(registry.pvAfi[pv]!, registry.pvSafi[pv]!);
      byFamily[fam] = (byFamily[fam] ?? 0) + n;
      if (st === PV_STALE) stale += n;
    }
    return { ...peerJson(peer), state: peer.state, routes, staleRoutes: stale, routesByAfiSafi: byFamily };
  });
}

/** Summary statistics over the registry, the route sets, the attribute pool and the tables' indexes. */
export function ribStats(
  registry: PeerRegistry,
  sets: RouteSets,
  attributes: AttributePool,
  tables: readonly PrefixIndexReader[],
): RibStatsJson {
  let pending = 0;
  for (let pv = 1; pv < registry.pvBound; pv++) if (registry.pvState[pv] === PV_DOOMED) pending += registry.pvCount[pv]!;
  let peers = 0;
  for (const r of registry.routers()) peers += r.peers.length;
  return {
    routers: registry.routers().length,
    peers,
    peerViews: registry.pvLive,
    routes: sets.routes - pending,
    prefixes: sets.slots,
    attributeSets: attributes.size,
    pendingFlush: pending,
    memory: {
      routeBytes: sets.byteLength,
      attributeBytes: attributes.byteLength,
      tableBytes: tables.reduce((sum, t) => sum + (t.stats?.().bytes ?? 0), 0),
    },
  };
}
