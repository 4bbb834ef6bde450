/**
 * NameLog: the names worker readers need and shared memory cannot hold as typed arrays (router
 * names, peer keys, route distinguisher table names), as an append-only log of JSON lines in
 * a shared growable byte array.
 *
 * ```
 *  bytes: {"kind":"router","id":0,"name":"r1"}\n{"kind":"peer","id":0,"router":0,...}\n ...
 *         └──────────────── published: RibVersions word LOG_BYTES ────────────────┘
 * ```
 *
 * Routers, peers and tables are never renamed or removed (ids are never reused), so a reader
 * parses each record once, from where it stopped, in id order. The writer appends inside a
 * structure section and publishes the new length after the bytes are written.
 */
import { RibstoreError } from '../errors.js';
import { GrowableArray } from './growable.js';
import type { NameRecord } from './peer-registry.js';
import { LOG_BYTES, type RibVersions } from './shared-versions.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NEWLINE = 10;

/** The append-only name log (see the module doc). */
export class NameLog {
  private readonly bytes: GrowableArray<Uint8ArrayConstructor>;
  private length = 0;

  /** The writer's log (`buffer` undefined) or a reader's mapping of a posted one. */
  constructor(
    private readonly versions: RibVersions,
    buffer?: SharedArrayBuffer,
  ) {
    this.bytes = buffer === undefined ? new GrowableArray(Uint8Array, 4096, () => versions.grew()) : GrowableArray.attach(Uint8Array, buffer);
  }

  /** The shared bytes, to post to readers. */
  get shared(): SharedArrayBuffer {
    return this.bytes.shared;
  }

  /** Append one record (writer). */
  append(record: NameRecord): void {
    const line = encoder.encode(JSON.stringify(record) + '\n');
    const view = this.bytes.ensure(this.length + line.length);
    view.set(line, this.length);
    this.length += line.length;
    this.versions.publish(LOG_BYTES, this.length);
  }

  /**
   * Records published after byte `from` (reader): returns them and the offset to read from
   * next time. The published length only covers whole, written lines.
   * @throws RibstoreError `INVALID_ARGUMENT` if the log does not parse (not a RIB's name log).
   */
  read(from: number): { records: NameRecord[]; next: number } {
    const end = this.versions.load(LOG_BYTES);
    if (end <= from) return { records: [], next: from };
    const view = this.bytes.refresh();
    if (end > view.length) throw new RibstoreError('INVALID_ARGUMENT', `name log length ${end} is past its buffer (${view.length} bytes)`);
    const records: NameRecord[] = [];
    let start = from;
    for (let i = from; i < end; i++) {
      if (view[i] !== NEWLINE) continue;
      // Decode a copy: TextDecoder does not take views of shared memory.
      const text = decoder.decode(view.slice(start, i));
      try {
        records.push(JSON.parse(text) as NameRecord);
      } catch (e) {
        throw new RibstoreError('INVALID_ARGUMENT', `name log record at byte ${start} does not parse`, { cause: e });
      }
      start = i + 1;
    }
    return { records, next: start };
  }
}
