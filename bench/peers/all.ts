/**
 * The list of benchmark peers, fastest-first as a user would try them: tries (native, then JS),
 * the MMDB reader, then the block-list libraries that scan linearly.
 */
import { arkimeIptriePeer } from './arkime-iptrie.js';
import { cidrMatcherPeer } from './cidr-matcher.js';
import { ipCidrPeer } from './ip-cidr.js';
import { longestPrefixMatchPeer } from './longest-prefix-match.js';
import { mmdbLibPeer } from './mmdb-lib.js';
import { netmaskPeer } from './netmask.js';
import type { PeerLibrary } from './peer.js';

/** Every peer the table benchmark runs. */
export const peerLibraries: readonly PeerLibrary[] = [
  arkimeIptriePeer,
  longestPrefixMatchPeer,
  mmdbLibPeer,
  netmaskPeer,
  ipCidrPeer,
  cidrMatcherPeer,
];
