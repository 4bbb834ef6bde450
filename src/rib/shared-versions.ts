/**
 * RibVersions: the RIB-wide words worker readers validate against (see DESIGN-threads.md),
 * in one small SharedArrayBuffer.
 *
 * ```
 *  word STRUCTURE  odd while the writer changes what slot versions do not cover: a table's
 *                  prefixes, slots allocated or freed, the peer registry, attribute pool
 *                  compaction; even otherwise. Sections nest (one odd/even pair per outermost one).
 *  word GROWTH     +1 after any shared array of the RIB grew (readers re-map their views)
 *  word TABLES     number of prefix tables (global + one per route distinguisher)
 *  word LOG_BYTES  bytes of the registry log (registry-log.ts) readers may parse
 * ```
 *
 * Store ordering: a reader checks "version before = version after, and even" around plain
 * reads, so the writer's version stores must become visible in program order with its data
 * stores. x86-64 keeps stores in order and V8 emits typed-array stores in program order, so
 * there the writer uses plain stores (about 1 ns instead of about 20 ns for `Atomics.store`);
 * on other CPUs it uses `Atomics.store`. Readers always use `Atomics.load`, which the JIT
 * neither drops nor moves.
 */

/** Word: the structure version. */
export const STRUCTURE = 0;
/** Word: the growth counter. */
export const GROWTH = 1;
/** Word: the number of tables. */
export const TABLES = 2;
/** Word: bytes of the registry log. */
export const LOG_BYTES = 3;
const WORDS = 8;

/** Whether plain stores keep their program order for other threads (x86 TSO). */
// Read through globalThis: this module also reaches the browser bundle (src/web imports
// rib/route-json.ts, whose imports lead here), which is compiled without Node's types.
const arch = (globalThis as { process?: { arch?: string } }).process?.arch;
export const ORDERED_STORES = arch === 'x64' || arch === 'ia32';

/** Make the version word `i` of `words` odd (a write section begins) or even (it ends): +1. */
function bumpVersion(words: Int32Array, i: number): void {
  if (ORDERED_STORES) words[i] = words[i]! + 1;
  else Atomics.store(words, i, words[i]! + 1);
}

/** The RIB's shared control words and the writer's nesting of structure sections. */
export class RibVersions {
  /** The control words (see the module doc). */
  readonly words: Int32Array;
  private depth = 0;

  /** The writer's control block; a reader passes the buffer it was given. */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(WORDS * 4)) {
    this.words = new Int32Array(buffer);
  }

  /** The buffer to post to readers. */
  get buffer(): SharedArrayBuffer {
    return this.words.buffer as SharedArrayBuffer;
  }

  /** Begin a structure section (nestable). */
  beginStructure(): void {
    if (this.depth++ === 0) bumpVersion(this.words, STRUCTURE);
  }

  /** End a structure section. */
  endStructure(): void {
    if (--this.depth === 0) bumpVersion(this.words, STRUCTURE);
  }

  /** Tell readers that a shared array grew. */
  grew(): void {
    Atomics.add(this.words, GROWTH, 1);
  }

  /** Publish a writer-side count (TABLES, LOG_BYTES) for readers. */
  publish(word: number, value: number): void {
    Atomics.store(this.words, word, value);
  }

  /** A reader's load of word `i`. */
  load(i: number): number {
    return Atomics.load(this.words, i);
  }
}
