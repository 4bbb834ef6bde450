/**
 * Growable typed arrays over growable `SharedArrayBuffer`s: the storage of every long-lived
 * RIB structure.
 *
 * Why shared and growable: the RIB's arrays are meant to be read by worker threads later
 * (a `SharedArrayBuffer` can be posted to a worker without a copy), and a growable buffer
 * grows in place (the runtime reserves address space up to `maxByteLength` and commits pages
 * as they are touched), so growth never copies and never holds two generations at once.
 * Measured on Node 20: a fixed-length view over a growable SharedArrayBuffer loops as fast
 * as one over a plain ArrayBuffer.
 *
 * Invariant: `view` always covers the whole buffer (`view.length * BYTES === buffer.byteLength`);
 * after {@link GrowableArray.ensure} callers must re-read `view` (it may be a new object).
 */

/** Typed-array constructors the RIB stores numbers in. */
export type NumericArrayConstructor =
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | Float64ArrayConstructor;

type ViewOf<C extends NumericArrayConstructor> = InstanceType<C>;
type ViewConstructor<C extends NumericArrayConstructor> = new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => ViewOf<C>;

interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(newByteLength: number): void;
  readonly maxByteLength: number;
}
type GrowableSabConstructor = new (length: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;

/**
 * A byte range of a shared buffer a bulk load is about to fill (what `reserve` methods return,
 * for `prefaultPages` in prefault-pages.ts).
 */
export interface PageRange {
  readonly buffer: SharedArrayBuffer;
  /** First byte (inclusive) and end (exclusive). */
  readonly start: number;
  readonly end: number;
}

/** Largest size any one RIB array may reach (address space reserved, not memory). */
const MAX_BYTES = 2 ** 32;

/** A typed array of one element type that can grow without copying. */
export class GrowableArray<C extends NumericArrayConstructor> {
  /** The current view; re-read it after {@link ensure}. */
  view: ViewOf<C>;
  private readonly buffer: GrowableSharedArrayBuffer;
  private readonly ctor: C;

  /** Told after each growth (the RIB bumps a shared counter so worker readers re-map). */
  private readonly onGrow: (() => void) | undefined;

  /**
   * Create an array of `initialLength` zeroed elements of type `ctor`; `onGrow` is called
   * after each growth.
   */
  constructor(ctor: C, initialLength: number, onGrow?: () => void, buffer?: SharedArrayBuffer) {
    this.ctor = ctor;
    this.onGrow = onGrow;
    if (buffer !== undefined) {
      this.buffer = buffer as GrowableSharedArrayBuffer;
    } else {
      const bytes = Math.max(1, initialLength) * ctor.BYTES_PER_ELEMENT;
      this.buffer = new (SharedArrayBuffer as unknown as GrowableSabConstructor)(bytes, { maxByteLength: MAX_BYTES });
    }
    this.view = new (ctor as unknown as ViewConstructor<C>)(this.buffer, 0, this.buffer.byteLength / ctor.BYTES_PER_ELEMENT);
  }

  /**
   * A read-only mapping, in another thread, of an array whose {@link shared} buffer was
   * posted to it. Its owner may grow the buffer: call {@link refresh} to map the new length.
   */
  static attach<C extends NumericArrayConstructor>(ctor: C, buffer: SharedArrayBuffer): GrowableArray<C> {
    return new GrowableArray(ctor, 0, undefined, buffer);
  }

  /** Re-map the view if the buffer grew (in a thread that {@link attach}ed it). Returns the view. */
  refresh(): ViewOf<C> {
    const length = this.buffer.byteLength / this.ctor.BYTES_PER_ELEMENT;
    if (length !== this.view.length) this.view = new (this.ctor as unknown as ViewConstructor<C>)(this.buffer, 0, length);
    return this.view;
  }

  /** Number of elements the array holds now. */
  get length(): number {
    return this.view.length;
  }

  /** Bytes committed to this array. */
  get byteLength(): number {
    return this.buffer.byteLength;
  }

  /**
   * Make room for at least `length` elements (growing by at least 1/4 to keep growth
   * amortised); new elements are zero. Returns the (possibly new) view.
   */
  ensure(length: number): ViewOf<C> {
    if (length <= this.view.length) return this.view;
    const per = this.ctor.BYTES_PER_ELEMENT;
    const wanted = Math.max(length, Math.ceil(this.view.length * 1.25) + 16);
    const bytes = Math.min(wanted * per, Math.floor(MAX_BYTES / per) * per);
    if (bytes < length * per) throw new RangeError(`RIB array cannot grow to ${length} elements`);
    this.buffer.grow(bytes);
    this.view = new (this.ctor as unknown as ViewConstructor<C>)(this.buffer, 0, bytes / per);
    this.onGrow?.();
    return this.view;
  }

  /** The underlying shared buffer (for handing to a worker). */
  get shared(): SharedArrayBuffer {
    return this.buffer;
  }
}
