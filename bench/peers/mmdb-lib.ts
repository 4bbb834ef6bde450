/**
 * Peer: `mmdb-lib` (pure JS MaxMind DB reader; the engine of the popular `maxmind` package),
 * reading a database built from the same prefixes by ./mmdb-database.ts (untimed "prepare" step:
 * a user builds the file offline). Load = constructing the Reader over the file's bytes; lookups
 * walk the binary search tree one bit per step and decode the stored string (no cache, the
 * library's default). Memory = the database buffer plus the reader.
 */
import { buildMmdb } from './mmdb-database.js';
import { type PeerLibrary, type PeerTable, requirePeer } from './peer.js';

interface MmdbReader {
  get(address: string): string | null;
}

/** mmdb-lib, over a per-family MMDB whose value for each prefix is its own text. */
export const mmdbLibPeer: PeerLibrary = {
  name: 'mmdb-lib',
  structure: 'MaxMind DB binary tree in one Buffer (database built from the same prefixes)',
  answer: 'longest-prefix',
  linearScan: false,
  families: [4, 6],
  prepare(prefixes, family, numeric) {
    const start = process.hrtime.bigint();
    const db = buildMmdb(family, numeric.words, numeric.lengths, numeric.indices, prefixes);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return {
      artifact: db.bytes,
      note: `database built by bench/peers/mmdb-database.ts (untimed): ${db.nodeCount.toLocaleString('en-US')} nodes, ${(db.bytes.length / 2 ** 20).toFixed(1)} MiB, ${Math.round(ms)} ms`,
    };
  },
  build(_prefixes, _family, artifact): PeerTable {
    const { Reader } = requirePeer<{ Reader: new (db: Buffer) => MmdbReader }>('mmdb-lib');
    // Copy: the peer owns its bytes, so they are counted in its memory delta.
    const reader = new Reader(Buffer.from(artifact as Buffer));
    return {
      query: (address) => address,
      lookup: (query) => reader.get(query),
      matched: (query) => reader.get(query) ?? undefined,
    };
  },
};
