/**
 * The MRT loader: MRT files (RIB dumps and update files) into the {@link Rib}.
 *
 * ```
 *  file ─► readMrtFile (plain/gz/bz2, batches of records) ─► per record:
 *     TABLE_DUMP_V2 PEER_INDEX_TABLE   remember the peers (and their BGP ids for BGP4MP records)
 *     TABLE_DUMP_V2 RIB_*              the record's routes (one per entry, the entry's originated time
 *                                      as receivedAt and changedAt) in bulk: mrt-rib-entries.ts
 *     TABLE_DUMP (v1)                  one route (2-octet AS attributes)
 *     BGP4MP MESSAGE* (UPDATE)         walked like a BMP Route Monitoring UPDATE (announce/withdraw),
 *                                      the record's time stamping the routes' receivedAt / changedAt
 *     BGP4MP STATE_CHANGE              leaving Established flushes the peer
 * ```
 *
 * Every route is filed under one router name (default `mrt`), its peer (address, AS, BGP id)
 * and the `adj-rib-in-post` view: a collector's RIB dump is what it accepted from each peer.
 * The loader yields to the event loop after every batch of records, so a service keeps
 * answering while it preloads. Routes it cannot take (an attribute block that does not decode,
 * an AFI/SAFI other than IPv4/IPv6 unicast/multicast in RIB_GENERIC) are counted as skipped.
 */
import { stat } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { RibstoreError } from '../errors.js';
import type { Address } from '../ip/address.js';
import type { PeerKey, View } from '../rib/peer-registry.js';
import type { Rib } from '../rib/rib.js';
import { decodePathAttributes } from '../wire/bgp/attribute-decode.js';
import { type BgpDecodeContext, createDecodeContext } from '../wire/bgp/context.js';
import { BgpDecodeError } from '../wire/bgp/errors.js';
import { MrtTruncatedError, detectCompression, readMrtFile } from '../wire/mrt/file-reader.js';
import type { MrtPeer, MrtRecord } from '../wire/mrt/records.js';
import { MrtRibEntryLoader } from './mrt-rib-entries.js';
import { RouteFeed } from './route-feed.js';

/** Progress of a load, reported after each batch of records. */
export interface MrtLoadProgress {
  /** The file being read (base name) and its index in the list. */
  readonly fileName: string;
  readonly fileIndex: number;
  /** Decompressed bytes read so far in this file. */
  readonly bytesDone: number;
  /** Decompressed size of this file when known (plain files; gzip from its trailer), else null. */
  readonly bytesTotal: number | null;
  /** Records and routes (announcements) so far, over every file. */
  readonly records: number;
  readonly routes: number;
  /** Milliseconds since the load started. */
  readonly elapsedMs: number;
}

/** Options of {@link loadMrtFiles}. */
export interface MrtLoadOptions {
  /** Router name the routes are filed under (default `mrt`). */
  readonly router?: string;
  /** View the routes are filed under (default `adj-rib-in-post`). */
  readonly view?: View;
  /** Called after each batch of records. */
  readonly onProgress?: (progress: MrtLoadProgress) => void;
  /**
   * What a truncated or corrupt file does (see {@link MrtTruncatedError}): `fail` (default)
   * throws after its complete records are loaded; `keep` keeps them, lists the file in the
   * summary's `truncated` and goes on with the next file.
   */
  readonly truncated?: 'fail' | 'keep';
  /**
   * TABLE_DUMP_V2 RIB records in bulk (default true): attribute blocks recognised by their raw
   * bytes, each record's routes loaded into their prefix at once (mrt-rib-entries.ts). False
   * decodes and announces every entry on its own; the RIB is the same either way.
   */
  readonly bulk?: boolean;
}

/** A file that ended early, in {@link MrtLoadSummary.truncated}. */
export interface MrtTruncation {
  readonly file: string;
  /** Bytes of MRT data in the complete records that were loaded from it. */
  readonly consumed: number;
  readonly message: string;
}

/** What a load did. */
export interface MrtLoadSummary {
  readonly files: string[];
  readonly records: number;
  /** Routes announced (RIB entries and UPDATE announcements) and withdrawn. */
  readonly announcements: number;
  readonly withdrawals: number;
  /** Routes not taken (see the module doc). */
  readonly skipped: number;
  /** Files that ended early or broke off (only with `truncated: 'keep'`): what was whole was loaded. */
  readonly truncated: MrtTruncation[];
  /** RIB figures after the load. */
  readonly routes: number;
  /** Distinct prefixes (per route distinguisher table). */
  readonly prefixes: number;
  readonly peers: number;
  readonly attributeSets: number;
  readonly elapsedMs: number;
  readonly memory: { rss: number; heapUsed: number; arrayBuffers: number };
}

/** Established, in BGP4MP state changes (RFC 4271 FSM). */
const ESTABLISHED = 6;

/** Load `files` in order into `rib`. See the module doc. */
export async function loadMrtFiles(rib: Rib, files: readonly string[], options: MrtLoadOptions = {}): Promise<MrtLoadSummary> {
  const started = performance.now();
  const router = options.router ?? 'mrt';
  const view = options.view ?? 'adj-rib-in-post';
  const feed = new RouteFeed(rib, router);
  const peerKeys = new Map<string, PeerKey>();
  /** BGP ids learned from PEER_INDEX_TABLEs, by `address|asn`, for BGP4MP records (which carry none). */
  const bgpIds = new Map<string, number>();
  const peerKey = (address: Address, asn: number, bgpId: number | undefined): PeerKey => {
    const addressText = address.toString();
    const id = bgpId ?? bgpIds.get(`${addressText}|${asn}`) ?? 0;
    const text = `${addressText}|${asn}|${id}`;
    let key = peerKeys.get(text);
    if (!key) {
      key = { type: 0, distinguisher: '0:0', address: addressText, asn, bgpId: id };
      peerKeys.set(text, key);
    }
    return key;
  };
  const indexPeerKeys = new WeakMap<MrtPeer, PeerKey>();
  const indexPeerKey = (peer: MrtPeer): PeerKey => {
    let key = indexPeerKeys.get(peer);
    if (!key) {
      key = peerKey(peer.address, peer.asn, peer.bgpId);
      indexPeerKeys.set(peer, key);
    }
    return key;
  };
  const ribEntries = new MrtRibEntryLoader(rib, router, view, indexPeerKey, options.bulk ?? true);
  const tableDumpContext = createDecodeContext({ fourOctetAs: false, requireMandatoryAttributes: false });
  const bgp4mpContexts = new Map<string, BgpDecodeContext>();
  const bgp4mpContext = (fourOctetAs: boolean, addPath: boolean): BgpDecodeContext => {
    const k = `${fourOctetAs}|${addPath}`;
    let ctx = bgp4mpContexts.get(k);
    if (!ctx) {
      const families = addPath ? [1, 2].flatMap((afi) => [1, 2, 4, 128].map((safi) => ({ afi, safi }))) : [];
      ctx = createDecodeContext({ fourOctetAs, addPath: families, extendedMessage: true, requireMandatoryAttributes: false });
      bgp4mpContexts.set(k, ctx);
    }
    return ctx;
  };

  let records = 0;
  let announcements = 0;
  let withdrawals = 0;
  let skipped = 0;
  const truncated: MrtTruncation[] = [];

  const apply = (record: MrtRecord): void => {
    switch (record.kind) {
      case 'peer-index-table':
        for (const peer of record.peers) bgpIds.set(`${peer.address.toString()}|${peer.asn}`, peer.bgpId);
        return;
      case 'rib': {
        if (!record.prefix) {
          skipped += record.entries.length;
          return;
        }
        const outcome = ribEntries.load(record);
        announcements += outcome.announced;
        skipped += outcome.skipped;
        return;
      }
      case 'table-dump': {
        try {
          const decoded = decodePathAttributes(record.attributes, 0, record.attributes.length, tableDumpContext, 'MRT TABLE_DUMP attributes');
          if (decoded.treatAsWithdraw) {
            skipped++;
            return;
          }
          const afi = record.prefix.family === 4 ? 1 : 2;
          feed.announceRoute(peerKey(record.peerAddress, record.peerAs, undefined), view, afi, 1, record.prefix, 0, decoded.attributes, record.originatedTime);
          announcements++;
        } catch (error) {
          if (!(error instanceof BgpDecodeError)) throw error;
          skipped++;
        }
        return;
      }
      case 'bgp4mp-message': {
        if (record.local || record.message.length < 19 || record.message[18] !== 2) return; // only received UPDATEs
        // The routes' ages are the record's time (when the collector received the UPDATE).
        rib.replayTime = record.header.timestamp;
        try {
          const outcome = feed.applyUpdate(peerKey(record.peerAddress, record.peerAs, undefined), view, record.message, 0, bgp4mpContext(record.fourOctetAs, record.addPath));
          announcements += outcome.announced;
          withdrawals += outcome.withdrawn;
        } catch (error) {
          if (!(error instanceof BgpDecodeError)) throw error;
          skipped++;
        } finally {
          rib.replayTime = -1;
        }
        return;
      }
      case 'bgp4mp-state-change':
        if (record.oldState === ESTABLISHED && record.newState !== ESTABLISHED) {
          rib.peerDown(router, peerKey(record.peerAddress, record.peerAs, undefined));
          feed.invalidatePeerViews();
          ribEntries.invalidatePeerViews();
        }
        return;
      case 'unknown':
        return;
    }
  };

  try {
    for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
      const file = files[fileIndex]!;
      const fileName = basename(file);
      const bytesTotal = await decompressedSize(file);
      try {
        for await (const batch of readMrtFile(file)) {
          for (let i = 0; i < batch.length; i++) apply(batch[i]!);
          records += batch.length;
          const last = batch[batch.length - 1]!;
          options.onProgress?.({
            fileName,
            fileIndex,
            bytesDone: last.header.offset + 12 + last.header.length,
            bytesTotal,
            records,
            routes: announcements,
            elapsedMs: performance.now() - started,
          });
          await yieldToLoop();
        }
      } catch (error) {
        if (!(error instanceof MrtTruncatedError) || options.truncated !== 'keep') throw error;
        truncated.push({ file, consumed: error.consumed, message: error.message });
      }
    }
  } finally {
    ribEntries.release(); // the references its attribute tables hold
  }
  if (rib.sweepPending) await rib.sweep();

  const stats = rib.stats();
  const memory = process.memoryUsage();
  return {
    files: [...files],
    records,
    announcements,
    withdrawals,
    skipped,
    truncated,
    routes: stats.routes,
    prefixes: stats.prefixes,
    peers: stats.peers,
    attributeSets: stats.attributeSets,
    elapsedMs: performance.now() - started,
    memory: { rss: memory.rss, heapUsed: memory.heapUsed, arrayBuffers: memory.arrayBuffers },
  };
}

/** The decompressed size of a file when it can be known cheaply: plain size, or gzip's ISIZE trailer. */
async function decompressedSize(file: string): Promise<number | null> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new RibstoreError('FILE_ERROR', `cannot read MRT file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const compression = await detectCompression(file);
  if (compression === 'none') return size;
  if (compression !== 'gzip' || size < 18) return null;
  const handle = await open(file, 'r');
  try {
    const trailer = new Uint8Array(4);
    await handle.read(trailer, 0, 4, size - 4);
    // ISIZE is the size modulo 2^32 of the last gzip member: right for the usual one-member files under 4 GiB.
    const isize = (trailer[0]! | (trailer[1]! << 8) | (trailer[2]! << 16) | (trailer[3]! << 24)) >>> 0;
    return isize > 0 ? isize : null;
  } finally {
    await handle.close();
  }
}
