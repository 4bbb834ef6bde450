/**
 * Peer: `longest-prefix-match` (pure JS): per-family hash maps of binary-string keys plus radix
 * tries over the bit strings. Its lookup takes a prefix, so an address is asked as `addr/32` or
 * `addr/128` (built outside the timed loop). `getMatch` returns an array of the stored payloads of
 * the longest match.
 */
import { type PeerLibrary, type PeerTable, requirePeer } from './peer.js';

interface LongestPrefixMatch {
  addPrefix(prefix: string, payload: string): void;
  getMatch(prefix: string): string[];
}

/** longest-prefix-match, driven through addPrefix/getMatch. */
export const longestPrefixMatchPeer: PeerLibrary = {
  name: 'longest-prefix-match',
  structure: 'JS hash maps + radix tries of bit strings',
  answer: 'longest-prefix',
  linearScan: false,
  families: [4, 6],
  build(prefixes, family): PeerTable {
    const Construct = requirePeer<new () => LongestPrefixMatch>('longest-prefix-match');
    const table = new Construct();
    for (const prefix of prefixes) table.addPrefix(prefix, prefix);
    const suffix = family === 4 ? '/32' : '/128';
    return {
      query: (address) => address + suffix,
      lookup: (query) => table.getMatch(query),
      matched: (query) => table.getMatch(query)[0],
    };
  },
};
