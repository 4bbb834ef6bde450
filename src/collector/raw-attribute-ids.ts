/**
 * RawAttributeIds: attribute set ids by the raw bytes they were decoded from, for the MRT
 * loader's RIB entries. A RIB dump repeats each attribute block for every prefix the peer
 * announced with it; a hit here skips the decode, the canonical re-encode and the pool's
 * hashing of the canonical bytes. Valid only for blocks read under one decode context (the
 * loader keeps one table per AFI/SAFI): the same bytes then always make the same set.
 *
 * ```
 *  slots (open addressing, linear probing, power of two, at most half full):
 *    hash[i] | id[i] (0: empty) | start[i], length[i] ──► bytes: | block | block | ... |
 * ```
 *
 * The table holds one attribute-pool reference per id it keeps (given by {@link add}) and
 * gives them all back in {@link clear}. It is bounded by its owner: past {@link MAX_BYTES} of
 * kept bytes it says it is {@link full}, and the owner clears it at a point where no id it
 * handed out is still waiting for the RIB to take its own reference.
 * Nothing here allocates per lookup.
 */

/** Kept bytes past which the table starts over. */
export const MAX_BYTES = 64 << 20;

/** FNV-1a over `bytes[start, end)`. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h | 0;
}

export class RawAttributeIds {
  private hash = new Int32Array(1024);
  private id = new Uint32Array(1024);
  private start = new Uint32Array(1024);
  private length = new Uint32Array(1024);
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  private bytesUsed = 0;

  /** @param release gives back one attribute-pool reference (the RIB's `releaseAttributes`). */
  constructor(private readonly release: (id: number) => void) {}

  /** Whether the kept bytes passed {@link MAX_BYTES}: the owner should {@link clear} the table when no id it gave is in use. */
  get full(): boolean {
    return this.bytesUsed > MAX_BYTES;
  }

  /** Ids kept. */
  get size(): number {
    return this.used;
  }

  /** The id kept for exactly `bytes[start, end)`, or 0. */
  get(bytes: Uint8Array, start: number, end: number): number {
    const h = hashBytes(bytes, start, end);
    const mask = this.id.length - 1;
    const n = end - start;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = this.id[i]!;
      if (id === 0) return 0;
      if (this.hash[i] === h && this.length[i] === n && this.same(this.start[i]!, bytes, start, n)) return id;
    }
  }

  /** Keep `id` for `bytes[start, end)` (not kept yet), taking over one reference to it. */
  add(bytes: Uint8Array, start: number, end: number, id: number): void {
    const n = end - start;
    if ((this.used + 1) * 2 > this.id.length) this.rehash(this.id.length * 2);
    if (this.bytesUsed + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.bytesUsed + n));
      grown.set(this.bytes.subarray(0, this.bytesUsed));
      this.bytes = grown;
    }
    this.bytes.set(bytes.subarray(start, end), this.bytesUsed);
    this.place(hashBytes(bytes, start, end), id, this.bytesUsed, n);
    this.bytesUsed += n;
    this.used++;
  }

  /** Forget every id, giving back the references held. */
  clear(): void {
    const ids = this.id;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) this.release(ids[i]!);
    ids.fill(0);
    this.used = 0;
    this.bytesUsed = 0;
  }

  private same(at: number, bytes: Uint8Array, start: number, n: number): boolean {
    const kept = this.bytes;
    for (let k = 0; k < n; k++) if (kept[at + k] !== bytes[start + k]) return false;
    return true;
  }

  private place(h: number, id: number, start: number, length: number): void {
    const mask = this.id.length - 1;
    let i = h & mask;
    while (this.id[i] !== 0) i = (i + 1) & mask;
    this.hash[i] = h;
    this.id[i] = id;
    this.start[i] = start;
    this.length[i] = length;
  }

  private rehash(capacity: number): void {
    const { hash, id, start, length } = this;
    this.hash = new Int32Array(capacity);
    this.id = new Uint32Array(capacity);
    this.start = new Uint32Array(capacity);
    this.length = new Uint32Array(capacity);
    for (let i = 0; i < id.length; i++) if (id[i] !== 0) this.place(hash[i]!, id[i]!, start[i]!, length[i]!);
  }
}
