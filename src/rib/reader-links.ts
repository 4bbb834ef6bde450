/**
 * ReaderLinks: the writer's side of the worker readers a RIB was shared with (DESIGN-threads.md).
 * Everything a reader reads is in shared memory except one thing: the buffers of a table made
 * after the RIB was shared (a SharedArrayBuffer cannot be written into another one). So each
 * reader gets a MessagePort, and every new table's live view is posted on each port before the
 * shared table count says it exists.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { RibstoreError } from '../errors.js';
import { PrefixTable } from '../table/prefix-table.js';
import type { PrefixIndex } from './prefix-index.js';

/** The ports of the RIB's worker readers. */
export class ReaderLinks {
  private readonly ports: MessagePort[] = [];

  /** A link for one more reader: its end of the channel, to go in its descriptor. */
  open(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.ports.push(port1);
    // A reader that closes (or whose thread ends) is forgotten; the port never keeps the process alive.
    port1.once('close', () => this.ports.splice(this.ports.indexOf(port1), 1));
    port1.unref();
    return port2;
  }

  /** Tell every reader of table `t` (call before the table is counted in shared memory). */
  tableAdded(t: number, index: PrefixIndex): void {
    for (const port of this.ports) port.postMessage({ table: t, shared: shareIndex(index) });
  }
}

/** The live shared view of a table, for worker readers. */
export function shareIndex(index: PrefixIndex): ReturnType<PrefixTable['shareLive']> {
  if (!(index instanceof PrefixTable) || !index.shared) {
    throw new RibstoreError('INVALID_ARGUMENT', 'only a RIB over the default shared PrefixTable index can be shared with worker readers');
  }
  return index.shareLive();
}
