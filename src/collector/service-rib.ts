/**
 * The RIB as the service builds it: attribute sets in the canonical form of
 * route-attributes.ts, one `PrefixTable` index per table (global, and one per RD).
 */
import { Rib } from '../rib/rib.js';
import type { PrefixIndex } from '../rib/prefix-index.js';
import { PrefixTable } from '../table/prefix-table.js';
import type { Prefix } from '../ip/prefix.js';
import { decodeRouteAttributes } from './route-attributes.js';

/** Options of {@link createServiceRib}. */
export interface ServiceRibOptions {
  /** How long a disconnected router's routes are kept (ms). Default 5 minutes. */
  readonly keepMs?: number;
}

/**
 * The RIB's {@link PrefixIndex} over table/'s `PrefixTable` (uint32 values = RIB slots): the
 * table answers "no match" with -1 where the index interface says `undefined`.
 */
class PrefixTableIndex implements PrefixIndex {
  private readonly t = new PrefixTable({});
  get(p: Prefix) { return this.t.getValue(p); }
  set(p: Prefix, s: number) { return this.t.set(p, s); }
  delete(p: Prefix) { return this.t.delete(p); }
  lookupV4(a: number) { const v = this.t.lookupV4(a); return v < 0 ? undefined : v; }
  lookupV6(a: number, b: number, c: number, d: number) { const v = this.t.lookupV6(a, b, c, d); return v < 0 ? undefined : v; }
  supernets(p: Prefix) { return this.t.supernets(p); }
  subnets(p: Prefix) { return this.t.subnets(p); }
  get size() { return this.t.size; }
}

/** A RIB wired to the BGP codec (attributes) and the prefix table (indexes). */
export function createServiceRib(options: ServiceRibOptions): Rib {
  return new Rib({
    keepMs: options.keepMs ?? 300_000,
    decodeAttributes: decodeRouteAttributes,
    createIndex: () => new PrefixTableIndex(),
  });
}
