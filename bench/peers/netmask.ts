/**
 * Peer: `netmask` (pure JS), one `Netmask` object per block. It has no table, so a user keeps an
 * array of blocks and scans it: longest-prefix match = every block whose `contains(address)` is
 * true, keeping the longest `bitmask`. The scan visits every block, so its cost is linear in the
 * table size (the benchmark measures it on a sample and extrapolates).
 */
import { type PeerLibrary, type PeerTable, requirePeer } from './peer.js';

interface Netmask {
  readonly bitmask: number;
  contains(address: string): boolean;
}

/** netmask, an array of Netmask blocks scanned for the longest containing block. */
export const netmaskPeer: PeerLibrary = {
  name: 'netmask',
  structure: 'array of Netmask objects, linear scan',
  answer: 'longest-prefix',
  linearScan: true,
  families: [4, 6],
  build(prefixes): PeerTable {
    const { Netmask } = requirePeer<{ Netmask: new (text: string) => Netmask }>('netmask');
    const blocks = prefixes.map((prefix) => new Netmask(prefix));
    const longest = (address: string): number => {
      let best = -1;
      let bestLength = -1;
      for (let i = 0; i < blocks.length; i++) {
        const block = blocks[i]!;
        if (block.bitmask > bestLength && block.contains(address)) {
          best = i;
          bestLength = block.bitmask;
        }
      }
      return best;
    };
    return {
      query: (address) => address,
      lookup: (query) => longest(query),
      matched: (query) => {
        const i = longest(query);
        return i < 0 ? undefined : prefixes[i];
      },
    };
  },
};
