/**
 * Peer: `cidr-matcher` (pure JS on `ip6addr`): answers only whether an address lies in any stored
 * block (no matched prefix, no value), by scanning its list of ranges until the first hit. A miss
 * scans everything, so its cost is linear in the table size; measured on a sample. Its answers are
 * checked as membership: hit exactly when ribstore finds a prefix.
 */
import { type PeerLibrary, type PeerTable, requirePeer } from './peer.js';

interface CidrMatcher {
  addNetworkClass(prefix: string): void;
  contains(address: string): boolean;
}

/** cidr-matcher, membership only. */
export const cidrMatcherPeer: PeerLibrary = {
  name: 'cidr-matcher',
  structure: 'array of ranges, linear scan to first hit; membership only',
  answer: 'membership',
  linearScan: true,
  families: [4, 6],
  build(prefixes): PeerTable {
    const Construct = requirePeer<new () => CidrMatcher>('cidr-matcher');
    const matcher = new Construct();
    for (const prefix of prefixes) matcher.addNetworkClass(prefix);
    return {
      query: (address) => address,
      lookup: (query) => matcher.contains(query),
      matched: (query) => (matcher.contains(query) ? '(member)' : undefined),
    };
  },
};
