/**
 * The bulk path of the MRT loader for TABLE_DUMP_V2 RIB records (one prefix, the routes of
 * every peer that has it). Per record:
 *
 * ```
 *  entry ─► attribute id: RawAttributeIds hit (raw bytes seen before)  ─┐
 *                         or decode ─► canonical bytes ─► intern (kept) ─┤─► (pv, path id, attr, time)
 *           peer-view id: cached per (index peer, AFI/SAFI)             ─┘        │
 *  record ─► Rib.loadPrefix: one slot of the right size, one table insert  ◄──────┘
 *            (a prefix the table holds already, or a record naming one route twice:
 *             Rib.announce route by route, as the plain path does)
 * ```
 *
 * The attribute sets and the routes are exactly the plain path's (MrtLoadOptions `bulk: false`:
 * decode, `internUpdateAttributes`, `Rib.announce` per entry); test/collector/mrt-bulk-load.test.ts
 * compares the two RIBs route for route. Entries whose attributes do not decode, or are
 * treated as withdraw, are skipped and counted, as on the plain path.
 */
import { RibstoreError } from '../errors.js';
import type { PeerKey, View } from '../rib/peer-registry.js';
import type { Rib } from '../rib/rib.js';
import { internUpdateAttributes } from '../rib/update-ingest.js';
import { decodePathAttributes } from '../wire/bgp/attribute-decode.js';
import { type BgpDecodeContext, createDecodeContext } from '../wire/bgp/context.js';
import { BgpDecodeError } from '../wire/bgp/errors.js';
import { checkNlriList, isKnownFamily } from '../wire/bgp/nlri.js';
import type { MrtPeer, MrtRib } from '../wire/mrt/records.js';
import { RawAttributeIds } from './raw-attribute-ids.js';

/** MP_REACH_NLRI's attribute type code. */
const MP_REACH = 14;

/**
 * The cache key of an entry's attribute block, written to `out.key`: a flags byte, then the
 * block's bytes with the NLRI of a full-form MP_REACH_NLRI (and its length field) left out.
 * Dumpers that write the full form (RFC 4760, not RFC 6396's next-hop-only form) repeat the
 * prefix there, so without the cut no two entries' blocks would be equal. Two blocks with
 * equal keys decode to the same attributes but for those NLRI, which a hit still checks
 * ({@link checkNlriList}, as the decoder would). The flags byte says whether NLRI were cut
 * and whether they were empty. Returns false for a block that is not walked here (an
 * attribute overrunning the block, an unknown MP_REACH family): it is decoded every time.
 */
function entryKey(raw: Uint8Array, out: EntryKey): boolean {
  const end = raw.length;
  if (out.key.length < end + 1) out.key = new Uint8Array(2 * end + 1);
  const key = out.key;
  let at = 1;
  let flags = 0;
  out.nlriStart = -1;
  let pos = 0;
  while (pos < end) {
    if (end - pos < 3) return false;
    const extended = (raw[pos]! & 0x10) !== 0;
    const head = extended ? 4 : 3;
    if (end - pos < head) return false;
    const length = extended ? (raw[pos + 2]! << 8) | raw[pos + 3]! : raw[pos + 2]!;
    const valueEnd = pos + head + length;
    if (valueEnd > end) return false;
    const v = pos + head;
    // The full form: AFI, SAFI, next-hop length, next hop, reserved, NLRI (the short form's
    // first byte is its next-hop length, one less than the value's; the full form's is 0).
    if (raw[pos + 1] === MP_REACH && flags === 0 && length >= 5 && raw[v]! + 1 !== length && v + 5 + raw[v + 3]! <= valueEnd) {
      const afi = (raw[v]! << 8) | raw[v + 1]!;
      const safi = raw[v + 2]!;
      if (!isKnownFamily(afi, safi)) return false;
      const nlriStart = v + 5 + raw[v + 3]!;
      key[at++] = raw[pos]!;
      key[at++] = MP_REACH;
      for (let i = v; i < nlriStart; i++) key[at++] = raw[i]!;
      flags = nlriStart === valueEnd ? 1 : 2;
      out.afi = afi;
      out.safi = safi;
      out.nlriStart = nlriStart;
      out.nlriEnd = valueEnd;
    } else {
      for (let i = pos; i < valueEnd; i++) key[at++] = raw[i]!;
    }
    pos = valueEnd;
  }
  key[0] = flags;
  out.length = at;
  return true;
}

/** Scratch of {@link entryKey}. */
interface EntryKey {
  key: Uint8Array;
  length: number;
  /** The cut NLRI `[nlriStart, nlriEnd)` of the raw block and their family; nlriStart -1: none cut. */
  nlriStart: number;
  nlriEnd: number;
  afi: number;
  safi: number;
}

/** Lookups after which a family whose blocks hit less than one time in eight stops keying them. */
const HIT_SAMPLE = 1 << 16;

/** Per AFI/SAFI of a load: the decode context, the attribute ids by key and how well they hit. */
interface FamilyState {
  ctx: BgpDecodeContext;
  ids: RawAttributeIds;
  /** Whether blocks are keyed ({@link entryKey}) and looked up in `ids`. */
  keyed: boolean;
  lookups: number;
  hits: number;
}

/** What one record did. */
export interface RibRecordOutcome {
  announced: number;
  skipped: number;
}

/** Loads TABLE_DUMP_V2 RIB records into a RIB (see the module doc); one per load. */
export class MrtRibEntryLoader {
  /** Per `afi << 8 | safi`: the decode context and the attribute ids by raw bytes. */
  private readonly families = new Map<number, FamilyState>();
  /** Per index peer: `afi << 8 | safi` → peer-view id. */
  private peerViews = new WeakMap<MrtPeer, Map<number, number>>();
  private routes = new Uint32Array(3 * 64);
  private ages = new Uint32Array(2 * 64);
  private readonly outcome: RibRecordOutcome = { announced: 0, skipped: 0 };
  /** References to sets of unkeyed blocks, held until the record's routes take theirs. */
  private readonly owned: number[] = [];
  private readonly key: EntryKey = { key: new Uint8Array(256), length: 0, nlriStart: -1, nlriEnd: -1, afi: 0, safi: 0 };

  /**
   * @param peerKey the loader's peer key of an index peer (one object per peer).
   * @param bulk false: announce route by route (the plain path, for comparison).
   */
  constructor(
    private readonly rib: Rib,
    private readonly router: string,
    private readonly view: View,
    private readonly peerKey: (peer: MrtPeer) => PeerKey,
    private readonly bulk: boolean,
  ) {}

  /** Load one record with a prefix; the outcome is reused: read it before the next call. */
  load(record: MrtRib): RibRecordOutcome {
    const out = this.outcome;
    out.announced = 0;
    out.skipped = 0;
    const prefix = record.prefix!;
    const entries = record.entries;
    if (this.routes.length < entries.length * 3) {
      this.routes = new Uint32Array(entries.length * 3);
      this.ages = new Uint32Array(entries.length * 2);
    }
    const routes = this.routes;
    const ages = this.ages;
    const family = this.family(record.afi, record.safi);
    // Between records, when no route being loaded holds an id of the table: it may start over.
    if (family.keyed && family.lookups >= HIT_SAMPLE && family.hits * 8 < family.lookups) {
      // Blocks hardly ever repeat in this dump: keying them costs more than it saves.
      family.keyed = false;
      family.ids.clear();
    } else if (family.ids.full) {
      family.ids.clear();
    }
    const rib = this.rib;
    const owned = this.owned;
    let n = 0;
    for (const entry of entries) {
      const raw = entry.attributes;
      const keyed = family.keyed && entryKey(raw, this.key);
      const key = this.key;
      let attr = keyed ? family.ids.get(key.key, 0, key.length) : 0;
      if (keyed) family.lookups++;
      if (attr !== 0) family.hits++;
      if (attr !== 0 && key.nlriStart >= 0) {
        try {
          checkNlriList(raw, key.nlriStart, key.nlriEnd, key.afi, key.safi, false, 'MRT RIB entry attributes');
        } catch (error) {
          if (!(error instanceof BgpDecodeError)) throw error;
          out.skipped++;
          continue;
        }
      }
      if (attr === 0) {
        const id = this.intern(raw, family.ctx, record.afi, record.safi);
        if (id === 0) {
          out.skipped++;
          continue;
        }
        if (!this.bulk) {
          try {
            rib.announce(this.peerView(entry.peer, record.afi, record.safi), 0, prefix, entry.pathId ?? 0, id, entry.originatedTime);
          } finally {
            rib.releaseAttributes(id);
          }
          out.announced++;
          continue;
        }
        if (keyed) family.ids.add(key.key, 0, key.length, id);
        else owned.push(id); // given back once the routes took theirs
        attr = id;
      }
      routes[n * 3 + 2] = attr;
      routes[n * 3] = this.peerView(entry.peer, record.afi, record.safi);
      routes[n * 3 + 1] = entry.pathId ?? 0;
      ages[n * 2] = entry.originatedTime;
      ages[n * 2 + 1] = entry.originatedTime;
      n++;
    }
    try {
      if (n === 0) return out;
      try {
        rib.loadPrefix(0, prefix.family, prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, routes, n, true, ages);
      } catch (error) {
        // The prefix has routes already, or the record names a route twice: as the plain path does.
        if (!(error instanceof RibstoreError) || error.code !== 'INVALID_ARGUMENT') throw error;
        for (let i = 0; i < n; i++) rib.announce(routes[i * 3]!, 0, prefix, routes[i * 3 + 1]!, routes[i * 3 + 2]!, ages[i * 2]!);
      }
      out.announced = n;
      return out;
    } finally {
      for (const id of owned) rib.releaseAttributes(id);
      owned.length = 0;
    }
  }

  /** Forget cached peer-views (the loader's feed was told the RIB may have retired them). */
  invalidatePeerViews(): void {
    this.peerViews = new WeakMap();
  }

  /** Give back the references the attribute tables hold (at the end of a load). */
  release(): void {
    for (const { ids } of this.families.values()) ids.clear();
  }

  /** Decode and intern an entry's attributes (the caller owns the reference), or 0 when the entry is skipped. */
  private intern(raw: Uint8Array, ctx: BgpDecodeContext, afi: number, safi: number): number {
    try {
      const decoded = decodePathAttributes(raw, 0, raw.length, ctx, 'MRT RIB entry attributes');
      if (decoded.treatAsWithdraw) return 0;
      const attributes = decoded.attributes;
      const multiprotocol = attributes.mpReach !== undefined && !(afi === 1 && safi === 1 && attributes.nextHop !== undefined);
      return internUpdateAttributes(this.rib, attributes, multiprotocol);
    } catch (error) {
      if (!(error instanceof BgpDecodeError)) throw error;
      return 0;
    }
  }

  private family(afi: number, safi: number): FamilyState {
    const k = (afi << 8) | safi;
    let f = this.families.get(k);
    if (f === undefined) {
      f = {
        ctx: createDecodeContext({ fourOctetAs: true, mrtRibEntry: { afi, safi }, requireMandatoryAttributes: false }),
        ids: new RawAttributeIds((id) => this.rib.releaseAttributes(id)),
        keyed: this.bulk,
        lookups: 0,
        hits: 0,
      };
      this.families.set(k, f);
    }
    return f;
  }

  private peerView(peer: MrtPeer, afi: number, safi: number): number {
    let views = this.peerViews.get(peer);
    if (views === undefined) {
      views = new Map();
      this.peerViews.set(peer, views);
    }
    const k = (afi << 8) | safi;
    let pv = views.get(k);
    if (pv === undefined) {
      pv = this.rib.peerView({ router: this.router, peer: this.peerKey(peer), view: this.view, afi, safi });
      views.set(k, pv);
    }
    return pv;
  }
}
