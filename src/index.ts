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
