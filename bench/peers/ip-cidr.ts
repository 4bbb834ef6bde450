/**
 * Peer: `ip-cidr` (pure JS on `ip-address`, BigInt arithmetic), one `IPCIDR` object per block.
 * Like netmask it has no table: longest-prefix match is a scan over every block with
 * `contains(address)`, keeping the longest. Linear in the table size; measured on a sample.
 */
import { type PeerLibrary, type PeerTable, requirePeer } from './peer.js';

interface IPCIDR {
  contains(address: string): boolean;
}

/** ip-cidr, an array of IPCIDR blocks scanned for the longest containing block. */
export const ipCidrPeer: PeerLibrary = {
  name: 'ip-cidr',
  structure: 'array of IPCIDR objects (BigInt), linear scan',
  answer: 'longest-prefix',
  linearScan: true,
  families: [4, 6],
  build(prefixes): PeerTable {
    const IPCIDR = requirePeer<{ default: new (text: string) => IPCIDR }>('ip-cidr').default;
    const blocks = prefixes.map((prefix) => new IPCIDR(prefix));
    const lengths = prefixes.map((prefix) => Number(prefix.slice(prefix.indexOf('/') + 1)));
    const longest = (address: string): number => {
      let best = -1;
      let bestLength = -1;
      for (let i = 0; i < blocks.length; i++) {
        if (lengths[i]! > bestLength && blocks[i]!.contains(address)) {
          best = i;
          bestLength = lengths[i]!;
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
