/**
 * The read cursor bgpdump reads MRT bodies with (its `mstream`), reproduced so that
 * `bgpdump -m` output can be matched byte for byte: a read past the end yields zeros instead
 * of failing, and an address is read into a fixed 16-byte buffer (extra bytes dropped).
 * Used only by the bgpdump text formatter; the RFC-strict decoders never read this way.
 */
import { readWord } from '../../ip/address.js';

/** A read cursor with bgpdump's `mstream` semantics: reads past the end return zeros. */
export class LenientStream {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    public end: number,
  ) {}

  canRead(): number {
    return this.end - this.pos;
  }

  getc(): number {
    if (this.pos >= this.end) {
      this.pos = this.end;
      return 0;
    }
    return this.bytes[this.pos++]!;
  }

  getw(): number {
    return (this.getc() << 8) | this.getc();
  }

  getl(): number {
    if (this.end - this.pos >= 4) {
      const v = readWord(this.bytes, this.pos);
      this.pos += 4;
      return v;
    }
    return ((this.getw() << 16) | this.getw()) >>> 0;
  }

  /** Skip `n` bytes (stopping at the end). */
  skip(n: number): void {
    this.pos = this.end - this.pos >= n ? this.pos + n : this.end;
  }

  /**
   * Read `n` bytes into the words of `out` (zero-filled past the end of the stream, bytes
   * past the 16th dropped, as bgpdump's fixed 16-byte address buffer keeps them).
   */
  getWords(n: number, out: Words): void {
    const room = this.end - this.pos;
    const take = Math.min(room, n, 16);
    const b = this.bytes;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    for (let i = 0; i < take; i++) {
      const v = b[this.pos + i]! << (24 - 8 * (i & 3));
      if (i < 4) w0 |= v;
      else if (i < 8) w1 |= v;
      else if (i < 12) w2 |= v;
      else w3 |= v;
    }
    out.w0 = w0 >>> 0;
    out.w1 = w1 >>> 0;
    out.w2 = w2 >>> 0;
    out.w3 = w3 >>> 0;
    this.pos = room >= n ? this.pos + n : this.end;
  }

  /** A sub-stream over the next `len` bytes (fewer if fewer remain); this stream skips them. */
  copy(len: number): LenientStream {
    const take = Math.max(0, Math.min(len, this.end - this.pos));
    const sub = new LenientStream(this.bytes, this.pos, this.pos + take);
    this.pos += take;
    return sub;
  }
}

/** An address as bgpdump holds it: 16 bytes, here as four big-endian words (IPv4 in w0). */
export interface Words {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
}
