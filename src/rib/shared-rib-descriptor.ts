/**
 * SharedRibDescriptor: what a worker thread needs to read a RIB from shared memory
 * ({@link RibWriter.share} makes it, {@link SharedRibReader.open} opens it). Every field but
 * `port` is a SharedArrayBuffer or plain data; post it with the port in the transfer list:
 * `worker.postMessage(descriptor, [descriptor.port])`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { SharedLiveTableDescriptor } from '../table/shared-control.js';
import type { AttributePoolShared } from './attribute-pool.js';
import type { PeerRegistryShared } from './peer-registry.js';
import type { RouteSetsShared } from './route-sets.js';

/** A RIB shared with a worker reader (see the module doc). */
export interface SharedRibDescriptor {
  /** The version and count words (shared-versions.ts). */
  control: SharedArrayBuffer;
  /** The name log (shared-names.ts). */
  names: SharedArrayBuffer;
  registry: PeerRegistryShared;
  attributes: AttributePoolShared;
  sets: RouteSetsShared;
  /** The tables that existed when shared; later ones come through `port`. */
  tables: SharedLiveTableDescriptor[];
  /** Receives `{ table, shared }` for each table created later (drained synchronously by the reader). */
  port: MessagePort;
}
