/**
 * Test attribute sets: an {@link AttributesJson} serialised as JSON is its "canonical
 * bytes". Lets the RIB's logic be tested without the BGP codec (the codec-backed form is
 * tested separately).
 */
import { type AttributeSummary, HAS_LOCAL_PREF, HAS_MED, HAS_ORIGIN_AS } from '../../../src/rib/attribute-pool.js';
import type { AttributesJson } from '../../../src/rib/route-json.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Canonical bytes of a test attribute set. */
export function testBytes(a: AttributesJson): Uint8Array {
  return encoder.encode(JSON.stringify(a));
}

/** Decode test bytes back. */
export function decodeTestAttributes(bytes: Uint8Array): AttributesJson {
  return JSON.parse(decoder.decode(bytes)) as AttributesJson;
}

/** AS path length as the decision process counts it. */
export function pathLength(a: AttributesJson): number {
  return a.asPath.length;
}

/** Fill a summary for a test attribute set. */
export function testSummary(a: AttributesJson, out: AttributeSummary): AttributeSummary {
  out.originAs = a.originAs ?? 0;
  out.localPref = a.localPref ?? 0;
  out.med = a.med ?? 0;
  out.asPathLength = pathLength(a);
  out.origin = a.origin === 'igp' ? 0 : a.origin === 'egp' ? 1 : a.origin === 'incomplete' ? 2 : 3;
  out.flags = (a.med !== null ? HAS_MED : 0) | (a.localPref !== null ? HAS_LOCAL_PREF : 0) | (a.originAs !== null ? HAS_ORIGIN_AS : 0);
  return out;
}

/** A test attribute set from a few numbers. */
export function makeAttributes(originAs: number, pathLen: number, localPref: number | null, med: number | null, community: number): AttributesJson {
  const asPath: number[] = [];
  for (let i = 1; i < pathLen; i++) asPath.push(64500 + i);
  asPath.push(originAs);
  return {
    nextHop: '192.0.2.1',
    origin: community % 3 === 0 ? 'igp' : community % 3 === 1 ? 'egp' : 'incomplete',
    asPath,
    originAs,
    med,
    localPref,
    communities: [`65000:${community}`],
    largeCommunities: [],
    extendedCommunities: [],
    atomicAggregate: false,
    aggregator: null,
    originatorId: null,
    clusterList: [],
    otc: null,
    unknownAttributes: [],
  };
}
