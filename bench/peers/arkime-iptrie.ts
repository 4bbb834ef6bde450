/**
 * Peer: `arkime-iptrie`, a native C addon (node-gyp) wrapping a binary patricia trie per family.
 * `add(address, length, value)` and `find(address)` take address strings; values are JS
 * references held by the addon. Its trie lives in malloc'd memory the addon does not report to
 * V8, so only the RSS delta sees it.
 */
import { type PeerLibrary, type PeerTable, requirePeer } from './peer.js';

interface IPTrie {
  add(address: string, length: number, value: string): void;
  find(address: string): string | undefined;
}

/** arkime-iptrie, driven through add/find. */
export const arkimeIptriePeer: PeerLibrary = {
  name: 'arkime-iptrie',
  structure: 'native C patricia trie (node-gyp addon)',
  answer: 'longest-prefix',
  linearScan: false,
  families: [4, 6],
  build(prefixes): PeerTable {
    const { IPTrie } = requirePeer<{ IPTrie: new () => IPTrie }>('arkime-iptrie');
    const table = new IPTrie();
    for (const prefix of prefixes) {
      const slash = prefix.indexOf('/');
      table.add(prefix.slice(0, slash), Number(prefix.slice(slash + 1)), prefix);
    }
    return {
      query: (address) => address,
      lookup: (query) => table.find(query),
      matched: (query) => table.find(query) ?? undefined,
    };
  },
};
