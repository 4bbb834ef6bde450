/**
 * wire/mrt: MRT (RFC 6396, RFC 8050) records — decoder, encoder, incremental framer, file
 * reader (plain/gzip/bzip2), routes via the BGP codec, and `bgpdump -m` text. See records.ts
 * for the data model.
 */
export * from './records.js';
export { MrtType, TableDumpSubtype, TableDumpV2Subtype, Bgp4mpSubtype, PeerTypeBit, MAX_RECORD_LENGTH, mrtTypeName } from './constants.js';
export { type MrtDecodeState, createMrtDecodeState, decodeMrtRecord, mrtRecordSize } from './decode.js';
export {
  type MrtHeaderInput,
  type MrtRecordInput,
  type MrtRibInput,
  type MrtRibEntryInput,
  type MrtPeerIndexTableInput,
  encodeMrtRecord,
  concatMrt,
} from './encode.js';
export { MrtFramer, type MrtFramerOptions, type MrtPendingRecord } from './framer.js';
export { type MrtCompression, type ReadMrtFileOptions, readMrtFile, forEachMrtRecord, detectCompression, MrtTruncatedError } from './file-reader.js';
export { type MrtRoute, forEachMrtRoute } from './routes.js';
export { encodeRibEntryAttributes } from './rib-attributes.js';
export { formatBgpdumpLines, bgpdumpIPv6 } from './bgpdump-format.js';
export { bunzip2, Bzip2TruncatedError } from './bzip2.js';
