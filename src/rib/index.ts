/** rib/: the routing information base. See rib.ts (the structure; its session life cycle), rib-writer.ts (the write side), rib-reader.ts (the query side), and README.md for a tour. */
export { Rib, type RibOptions, type PeerViewKey, type SweepReport } from './rib.js';
export { RibWriter, type RibWriterOptions, type RibWatcher } from './rib-writer.js';
export { RibReader, type RibReaderOptions, type RouteFilter, type OriginPrefixJson } from './rib-reader.js';
export {
  AttributePool,
  type AttributePoolOptions,
  type AttributeSummary,
  emptySummary,
  HAS_MED,
  HAS_LOCAL_PREF,
  HAS_ORIGIN_AS,
} from './attribute-pool.js';
export {
  PeerRegistry,
  type PeerKey,
  type PeerRecord,
  type RouterRecord,
  type PeerState,
  type RouterState,
  type View,
  VIEWS,
  viewRank,
  afiSafiName,
} from './peer-registry.js';
export { RouteSets } from './route-sets.js';
export type { PrefixIndex, PrefixIndexReader } from './prefix-index.js';
export { SharedRibReader, type SharedRibReaderOptions, type SharedRibDescriptor } from './shared-rib-reader.js';
export { compareRoutes } from './route-order.js';
export { DECISION_STEPS, type DecisionStep, decisionStepOf, lostAt } from './route-decision.js';
export {
  routeAttributes,
  encodeRouteAttributes,
  decodeRouteAttributes,
  summarizeAttributes,
  attributesToJson,
  asPathLength,
  originAsOf,
  RIB_ATTRIBUTE_CONTEXT,
} from './attribute-codec.js';
export { applyUpdate, RibUpdateVisitor, internUpdateAttributes, endOfRibFamily, type UpdateTarget, type ApplyResult } from './update-ingest.js';
export type {
  AttributesJson,
  RouteJson,
  PeerJson,
  PeerTypeName,
  PrefixRoutesJson,
  LookupJson,
  PeerStatusJson,
  RouterStatusJson,
  RibStatsJson,
} from './route-json.js';
export { peerTypeName } from './route-json.js';
export { RibFreeze, type FrozenRouter, type FrozenPeer, type FrozenPrefixVisitor } from './rib-freeze.js';
export { writeRibSnapshot, type SnapshotWriteOptions, type SnapshotReport } from './snapshot-write.js';
export { restoreRibSnapshot, readRibSnapshot, type RestoredRib } from './snapshot-restore.js';
export { SnapshotDirectory, type SnapshotDirectoryOptions, type RestoredSnapshot, snapshotFileName, snapshotFileTime } from './snapshot-directory.js';
export { CommunityNames, CommunityNamesError } from './community-names.js';
export { WELL_KNOWN_COMMUNITIES, type WellKnownCommunity } from './well-known-communities.js';
