/**
 * Fuzz target for the MRT record layer.
 *
 * `mrt-records`: input = an MRT byte stream (a few records). `run` frames and decodes it,
 * prints every record as bgpdump text (the lenient bgpdump-style reader must never throw),
 * turns records into routes through the BGP codec, and checks one invariant, throwing a
 * plain Error (a finding) when it breaks: re-encoding a decoded record and decoding it again
 * gives the same bgpdump text.
 *
 * Seeds: the generated sample file (every record kind, one seed per record, RIB records
 * behind their PEER_INDEX_TABLE) and the first records of the real gzip MRT files in
 * ../shared/data/mrt when present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { formatBgpdumpLines } from '../../src/wire/mrt/bgpdump-format.js';
import { createMrtDecodeState, decodeMrtRecord } from '../../src/wire/mrt/decode.js';
import { concatMrt, encodeMrtRecord } from '../../src/wire/mrt/encode.js';
import { MrtFramer } from '../../src/wire/mrt/framer.js';
import type { MrtPeerIndexTable, MrtRecord } from '../../src/wire/mrt/records.js';
import { forEachMrtRoute } from '../../src/wire/mrt/routes.js';
import { sharedData } from '../../test/support/shared-data.js';
import { sampleFile } from '../../test/wire/mrt/samples.js';
import type { FuzzTarget } from '../target.js';

const REAL_FILES = ['bview.20020722.2337.gz', 'bview.ipv4_unicast_add_path.gz', 'bview.ipv6_unicast_add_path.gz', 'updates.20160811.1600.gz', 'updates.et-header.2015.gz'];
const PER_FILE = 40;

/** One seed per record; records needing a PEER_INDEX_TABLE get theirs in front. */
function seedsOf(stream: Uint8Array, limit: number): Uint8Array[] {
  const framer = new MrtFramer();
  const seeds: Uint8Array[] = [];
  let table: Uint8Array | undefined;
  let at = 0;
  const records = framer.push(stream);
  for (const r of records) {
    const size = 12 + r.header.length;
    const bytes = stream.subarray(at, at + size);
    at += size;
    if (r.kind === 'peer-index-table') table = bytes;
    seeds.push(r.kind === 'rib' && table ? concatMrt([table, bytes]) : bytes.slice());
    if (seeds.length >= limit) break;
  }
  return seeds;
}

/** The first `bytes` of a gzip file's content (the gzip stream may be cut there). */
function gzipHead(path: string, bytes: number): Uint8Array {
  const data = gunzipSync(readFileSync(path), { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate the cut */ });
  return data.subarray(0, bytes);
}

let seeds: Uint8Array[] | undefined;

function buildSeeds(): Uint8Array[] {
  const out = seedsOf(sampleFile(), 1000);
  for (const file of REAL_FILES) {
    const path = sharedData('mrt', file);
    if (!existsSync(path)) continue;
    const head = gzipHead(path, 64 * 1024);
    out.push(...seedsOf(head.subarray(0, head.length), PER_FILE));
  }
  return out;
}

function textOf(record: MrtRecord): string {
  const text = formatBgpdumpLines(record);
  forEachMrtRoute(record, () => {});
  return text;
}

/** Frame, decode, print and re-encode one MRT stream. */
export const mrtRecordsTarget: FuzzTarget = {
  name: 'mrt-records',
  get seeds() {
    seeds ??= buildSeeds();
    return seeds;
  },
  maxInputLength: 65_536,
  run(input: Uint8Array): void {
    const framer = new MrtFramer();
    let table: MrtPeerIndexTable | undefined;
    for (const record of framer.push(input)) {
      const text = textOf(record);
      const state = createMrtDecodeState();
      state.peerIndexTable = table;
      const again = decodeMrtRecord(encodeMrtRecord(record), 0, state, record.header.offset);
      if (formatBgpdumpLines(again) !== text) {
        throw new Error(`re-encoded ${record.kind} record at offset ${record.header.offset} prints differently`);
      }
      if (record.kind === 'peer-index-table') table = record;
    }
    framer.pendingRecord();
  },
};
