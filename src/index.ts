/**
 * ribstore: a BGP routing information base and IP prefix table for Node.js.
 *
 * The package root exports the public API of every layer; see README.md for a tour.
 */
export { RibstoreError, DecodeError, type ErrorCode } from './errors.js';

// ip/: addresses and prefixes
export {
  Address,
  type Family,
  parseAddress,
  parseIPv4,
  parseIPv6,
  formatIPv4,
  formatIPv6,
  compareAddresses,
  checkIPv4Number,
} from './ip/address.js';
export { Prefix, type PrefixInput, parsePrefix, toPrefix, prefixV4, comparePrefixes } from './ip/prefix.js';

// table/: the prefix table
export {
  PrefixMap,
  PrefixMapView,
  PrefixMapSnapshot,
  type PrefixMapOptions,
  PrefixTable,
  PrefixTableSnapshot,
  PrefixTableReader,
  MAX_TABLE_VALUE,
  type PrefixTableOptions,
  type PrefixTableStats,
  type SharedSnapshotDescriptor,
} from './table/index.js';
export { type ValueCodec, jsonValueCodec } from './table/serialise.js';

// store/: crash-safe files and the snapshot container
export {
  writeFileAtomic,
  readFileBytes,
  removeStaleTempFiles,
  ContainerFileWriter,
  encodeContainer,
  decodeContainer,
  requireSection,
  sectionId,
  sectionName,
  type Section,
  crc32c,
} from './store/index.js';

// wire/bgp: the BGP-4 codec (more in src/wire/bgp/index.ts: constants, NLRI helpers)
export type {
  BgpMessage,
  BgpOpen,
  BgpUpdate,
  BgpNotification,
  BgpKeepalive,
  BgpRouteRefresh,
  Capability,
  PathAttributes,
  AsPathSegment,
  AsPathSegmentType,
  Aggregator,
  Origin,
  Nlri,
  MpReach,
  MpUnreach,
  RawAttribute,
  RouteDistinguisher,
  LargeCommunity,
  ExtendedCommunity,
  ErrorAction,
  BgpDecodeContext,
  BgpDecodeContextOptions,
  DecodedAttributes,
  UpdateVisitor,
  WalkResult,
} from './wire/bgp/index.js';
export {
  BgpDecodeError,
  createDecodeContext,
  negotiateDecodeContext,
  FOUR_OCTET_AS_CONTEXT,
  TWO_OCTET_AS_CONTEXT,
  decodeBgpMessage,
  encodeBgpMessage,
  bgpMessageLength,
  decodeUpdate,
  walkUpdate,
  encodeUpdate,
  decodeOpen,
  encodeOpen,
  decodePathAttributes,
  encodePathAttributes,
  NlriCursor,
  formatCommunity,
  parseCommunity,
  formatLargeCommunity,
  parseLargeCommunity,
  formatExtendedCommunity,
  formatAsPath,
  formatOrigin,
  formatRouteDistinguisher,
  parseRouteDistinguisher,
} from './wire/bgp/index.js';

// wire/bmp: BMP (RFC 7854, 8671, 9069) messages, stream framer and per-peer session state
export {
  type BmpMessage,
  type BmpRouteMonitoring,
  type BmpStatisticsReport,
  type BmpPeerDown,
  type BmpPeerUp,
  type BmpInitiation,
  type BmpTermination,
  type BmpRouteMirroring,
  type BmpUnknownMessage,
  type BmpStat,
  type BmpTlv,
  BmpMessageType,
  BmpPeerType,
  BmpPeerFlag,
  BmpLocRibFlag,
  BmpPeerDownReason,
  BmpInformationType,
  BmpTerminationType,
  BmpTerminationReason,
  BmpMirroringType,
  BmpPeerHeader,
  formatPeerDistinguisher,
  decodeBmpMessage,
  encodeBmpMessage,
  textTlv,
  tlvText,
  BmpFramer,
  type BmpFrame,
  type BmpFramerOptions,
  DEFAULT_MAX_BMP_MESSAGE_LENGTH,
  BmpSession,
  type BmpPeerState,
  type BmpSessionOptions,
  bmpPeerKey,
} from './wire/bmp/index.js';
// wire/mrt: MRT records, files, routes and bgpdump text
export {
  type MrtRecord,
  type MrtHeader,
  type MrtPeer,
  type MrtPeerIndexTable,
  type MrtRib,
  type MrtRibEntry,
  type MrtTableDump,
  type MrtBgp4mpMessage,
  type MrtBgp4mpStateChange,
  type MrtUnknown,
  type MrtRoute,
  type MrtRecordInput,
  MrtType,
  TableDumpV2Subtype,
  Bgp4mpSubtype,
  decodeMrtRecord,
  createMrtDecodeState,
  encodeMrtRecord,
  concatMrt,
  encodeRibEntryAttributes,
  MrtFramer,
  readMrtFile,
  MrtTruncatedError,
  forEachMrtRecord,
  forEachMrtRoute,
  formatBgpdumpLines,
} from './wire/mrt/index.js';
// rib/: the routing information base
export {
  Rib,
  type RibOptions,
  type RouteFilter,
  type PeerViewKey,
  type OriginPrefixJson,
  type SweepReport,
  AttributePool,
  PeerRegistry,
  type PeerKey,
  type View,
  VIEWS,
  applyUpdate,
  RibUpdateVisitor,
  type UpdateTarget,
  type ApplyResult,
  type AttributesJson,
  type RouteJson,
  DECISION_STEPS,
  type DecisionStep,
  type PeerJson,
  type PrefixRoutesJson,
  type LookupJson,
  type PeerStatusJson,
  type RouterStatusJson,
  type RibStatsJson,
  RibFreeze,
  type FrozenPrefixVisitor,
  writeRibSnapshot,
  type SnapshotWriteOptions,
  type SnapshotReport,
  restoreRibSnapshot,
  readRibSnapshot,
  type RestoredRib,
  SnapshotDirectory,
  type SnapshotDirectoryOptions,
} from './rib/index.js';
// bus/: OpenBMP v1.7 raw framing for message buses
export {
  encodeOpenBmpRecord,
  decodeOpenBmpRecord,
  openBmpRecordLength,
  openBmpCollectorHash,
  openBmpRouterHash,
  OpenBmpFramer,
  type OpenBmpHeader,
  type OpenBmpHeaderFields,
  type OpenBmpRecord,
  type OpenBmpFrame,
} from './bus/index.js';
// collector/ and api/: the BMP collector service, the MRT loader and the HTTP API
export { BmpCollector, type BmpCollectorOptions, type CollectorRouter, type CollectorPeer } from './collector/bmp-collector.js';
export { loadMrtFiles, type MrtLoadOptions, type MrtLoadProgress, type MrtLoadSummary, type MrtTruncation } from './collector/mrt-loader.js';
export { exportMrt, MrtExportStream, type MrtExportOptions, type MrtExportSummary } from './collector/mrt-export.js';
export { AllowList, parseDuration, parseListenAddress, parseSize, type ListenAddress } from './collector/options.js';
export { startService, type Service, type ServiceOptions } from './service/service.js';
export { createApiServer, type ApiServerOptions } from './api/server.js';
