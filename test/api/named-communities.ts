/**
 * Test data for community names and route filters: a names file's text, and a second small
 * BMP router (one peer) whose routes carry well-known communities and share a prefix with the
 * synthetic router of synthetic-router.ts, so router, peer and AS filters have something to
 * tell apart. Built with the project's own encoders.
 */
import { parseAddress } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { CommunityNames } from '../../src/rib/community-names.js';
import type { Service } from '../../src/service/service.js';
import { encodeBmpMessage, textTlv } from '../../src/wire/bmp/encode.js';
import { encodeUpdate } from '../../src/wire/bgp/update.js';
import type { Nlri } from '../../src/wire/bgp/types.js';
import { replay } from '../e2e/bmp-replay.js';
import { waitFor } from '../e2e/support-service.js';
import { header, peerUp } from './synthetic-router.js';
import { startSyntheticService } from './synthetic-service.js';

/** A names file naming the synthetic router's communities (exact, mask, range, wildcard, large, `$N`). */
export const NAMES_FILE = `# community names of the API and page tests
65000:1        Learned from customers
65000:2-9      Regional $2
65002:1xx      City $2
65000:1:*      Large one, $3
65535:65281    Our NO_EXPORT
`;

/** The names {@link NAMES_FILE} and the built-in table give the communities of the test routes. */
export const EXPECTED_NAMES: Record<string, string> = {
  '65000:1': 'Learned from customers',
  '65000:2': 'Regional 2',
  '65002:100': 'City 100',
  '65000:1:2': 'Large one, 2',
  '65535:65281': 'Our NO_EXPORT',
  '65535:666': 'BLACKHOLE',
};

/** The second router's one peer. */
export const PEER_C = { address: '198.51.100.7', asn: 64999, bgpId: '198.51.100.7' };

const ctx = { fourOctetAs: true, addPath: new Set<number>() };
const nlri = (text: string): Nlri => ({ prefix: parsePrefix(text), pathId: undefined, labels: undefined, rd: undefined });

/** Peer C's prefixes: one of its own, one the synthetic router's peers have too. */
export const PEER_C_PREFIXES = ['192.0.2.0/24', '10.1.0.0/16'];

/** The second router's stream: Peer C announces {@link PEER_C_PREFIXES} with NO_EXPORT, BLACKHOLE and an unnamed 64999:5. */
export function wellKnownStream(): Uint8Array {
  const update = encodeUpdate(
    {
      attributes: {
        origin: 0,
        asPath: [{ type: 2, asns: [64999, 65020] }],
        nextHop: parseAddress(PEER_C.address),
        communities: [0xffffff01, 0xffff029a, 64999 * 65536 + 5],
      },
      announced: PEER_C_PREFIXES.map(nlri),
    },
    ctx,
  );
  const messages = [
    encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'well-known-router'), textTlv(1, 'ribstore test stream')] }),
    peerUp(PEER_C),
    encodeBmpMessage({ kind: 'routeMonitoring', peer: header(PEER_C, false), update }),
  ];
  return Buffer.concat(messages);
}

/** A service with {@link NAMES_FILE}'s names holding the synthetic router (`router`) and the well-known one (`second`). */
export async function startNamedService(router: string, second: string): Promise<Service> {
  const service = await startSyntheticService(router, { communityNames: CommunityNames.parse(NAMES_FILE, 'names.txt') });
  await replay(wellKnownStream(), service.bmpPort, second);
  await waitFor('the second router to finish', () => service.collector.routers.get(second)?.state === 'disconnected');
  return service;
}
