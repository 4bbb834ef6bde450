/**
 * The per-session decode context: what was negotiated in the two OPENs and changes how
 * UPDATE bytes must be read.
 *
 * - `fourOctetAs`: AS numbers in AS_PATH and AGGREGATOR are 4 bytes (RFC 6793), else 2
 *   bytes with AS4_PATH / AS4_AGGREGATOR carrying the real values.
 * - `addPath`: the AFI/SAFI families (keys from `familyKey`) whose NLRI carry a 4-byte path
 *   identifier in front of each prefix (RFC 7911), in the direction being decoded.
 * - `extendedMessage`: messages may be up to 65535 bytes (RFC 8654) instead of 4096.
 * - `requireMandatoryAttributes`: report an UPDATE that announces routes without ORIGIN,
 *   AS_PATH (or NEXT_HOP for its own NLRI field) as treat-as-withdraw (RFC 7606 3(d)).
 *   On by default, as a BGP speaker must; a monitoring feed (BMP, MRT) records what the
 *   router holds and may turn it off: FRR's BMP Loc-RIB sends IPv4 routes without NEXT_HOP.
 * - `mrtRibEntry`: the attribute block comes from an MRT TABLE_DUMP_V2 RIB entry, whose
 *   MP_REACH_NLRI holds only the next hop (RFC 6396 section 4.3.4); `afi`/`safi` say what
 *   the next hop belongs to.
 */
import { CapabilityCode, familyKey } from './constants.js';
import type { BgpOpen } from './types.js';

/** How to read one session's messages; build it with {@link createDecodeContext}. */
export interface BgpDecodeContext {
  readonly fourOctetAs: boolean;
  readonly addPath: ReadonlySet<number>;
  readonly extendedMessage: boolean;
  readonly requireMandatoryAttributes: boolean;
  readonly mrtRibEntry: { readonly afi: number; readonly safi: number } | undefined;
}

/** Options for {@link createDecodeContext}; every field defaults to off. */
export interface BgpDecodeContextOptions {
  fourOctetAs?: boolean;
  /** Families with ADD-PATH path identifiers, as `{afi, safi}` pairs. */
  addPath?: readonly { afi: number; safi: number }[];
  extendedMessage?: boolean;
  /** Default true. */
  requireMandatoryAttributes?: boolean;
  mrtRibEntry?: { afi: number; safi: number };
}

/** Build a decode context. With no options: 2-octet AS, no ADD-PATH, 4096-byte messages. */
export function createDecodeContext(options: BgpDecodeContextOptions = {}): BgpDecodeContext {
  const addPath = new Set<number>();
  for (const family of options.addPath ?? []) addPath.add(familyKey(family.afi, family.safi));
  return {
    fourOctetAs: options.fourOctetAs ?? false,
    addPath,
    extendedMessage: options.extendedMessage ?? false,
    requireMandatoryAttributes: options.requireMandatoryAttributes ?? true,
    mrtRibEntry: options.mrtRibEntry,
  };
}

/** The usual context of modern sessions and of MRT *_AS4 records: 4-octet AS, nothing else. */
export const FOUR_OCTET_AS_CONTEXT: BgpDecodeContext = createDecodeContext({ fourOctetAs: true });

/** The context of a plain RFC 4271 session: 2-octet AS, nothing else. */
export const TWO_OCTET_AS_CONTEXT: BgpDecodeContext = createDecodeContext();

/**
 * The context for reading messages sent by `sender` to `receiver`, from their two OPENs
 * (as BMP Peer Up carries them): 4-octet AS when both offer it; ADD-PATH for a family
 * when the sender may send (2 or 3) and the receiver may receive (1 or 3) path ids;
 * extended messages when both offer them.
 */
export function negotiateDecodeContext(sender: BgpOpen, receiver: BgpOpen): BgpDecodeContext {
  const has = (open: BgpOpen, code: number) => open.capabilities.some((c) => c.code === code && c.kind !== 'unknown');
  const receiveFamilies = new Set<number>();
  for (const c of receiver.capabilities) {
    if (c.kind !== 'add-path') continue;
    for (const f of c.families) if (f.sendReceive & 1) receiveFamilies.add(familyKey(f.afi, f.safi));
  }
  const addPath: { afi: number; safi: number }[] = [];
  for (const c of sender.capabilities) {
    if (c.kind !== 'add-path') continue;
    for (const f of c.families) {
      if (f.sendReceive & 2 && receiveFamilies.has(familyKey(f.afi, f.safi))) addPath.push(f);
    }
  }
  return createDecodeContext({
    fourOctetAs: has(sender, CapabilityCode.FOUR_OCTET_AS) && has(receiver, CapabilityCode.FOUR_OCTET_AS),
    addPath,
    extendedMessage:
      has(sender, CapabilityCode.EXTENDED_MESSAGE) && has(receiver, CapabilityCode.EXTENDED_MESSAGE),
  });
}
