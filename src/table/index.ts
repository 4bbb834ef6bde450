/** table/: PrefixMap and the typed-array prefix trie under it. See DESIGN.md beside this file. */
export { PrefixMap, PrefixMapView, PrefixMapSnapshot, type PrefixMapOptions } from './prefix-map.js';
export {
  PrefixTable,
  PrefixTableSnapshot,
  type PrefixTableOptions,
  type PrefixTableStats,
} from './prefix-table.js';
export { MAX_TABLE_VALUE } from './layout.js';
export { PrefixTableReader, type SharedLiveTableDescriptor, type SharedSnapshotDescriptor } from './prefix-table-reader.js';
export { type EntrySink, type EntrySource, type ValueCodec, jsonValueCodec } from './serialise.js';
