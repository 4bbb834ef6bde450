/**
 * The optional / transitive flag bits each path attribute type must carry (RFC 4271 4.3 and
 * the RFC of each later attribute): what the encoder writes and the decoder checks
 * (RFC 7606 3(c): wrong bits on a known attribute are a malformed attribute).
 *
 * `CANONICAL_FLAGS[type]` holds the bits for a type ribstore models, -1 for any other type.
 */
import { AttributeFlag, AttributeType } from './constants.js';

/** Well-known attributes: transitive, not optional. */
export const WELL_KNOWN = AttributeFlag.TRANSITIVE;
/** Optional attributes a speaker does not pass on. */
export const OPTIONAL_NON_TRANSITIVE = AttributeFlag.OPTIONAL;
/** Optional attributes passed on to other speakers. */
export const OPTIONAL_TRANSITIVE = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;

/**
 * Canonical flags per known type code (-1: not modelled): the optional/transitive bits the
 * RFC categories give each type, what the encoder writes and the decoder checks. Generated
 * once from those categories.
 */
export const CANONICAL_FLAGS: Int16Array = (() => {
  const flags = new Int16Array(256).fill(-1);
  for (const t of [AttributeType.ORIGIN, AttributeType.AS_PATH, AttributeType.NEXT_HOP, AttributeType.LOCAL_PREF, AttributeType.ATOMIC_AGGREGATE]) {
    flags[t] = WELL_KNOWN;
  }
  for (const t of [AttributeType.MULTI_EXIT_DISC, AttributeType.ORIGINATOR_ID, AttributeType.CLUSTER_LIST, AttributeType.MP_REACH_NLRI, AttributeType.MP_UNREACH_NLRI]) {
    flags[t] = OPTIONAL_NON_TRANSITIVE;
  }
  for (const t of [AttributeType.AGGREGATOR, AttributeType.COMMUNITIES, AttributeType.EXTENDED_COMMUNITIES, AttributeType.AS4_PATH, AttributeType.AS4_AGGREGATOR, AttributeType.LARGE_COMMUNITY, AttributeType.OTC]) {
    flags[t] = OPTIONAL_TRANSITIVE;
  }
  return flags;
})();

/** Flag bits kept on a raw attribute: optional, transitive, partial (the rest is the encoder's or unused). */
export const RAW_FLAGS_KEPT = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE | AttributeFlag.PARTIAL;
