/**
 * The {@link QueryReader} of a thread that reads the RIB from shared memory: a
 * {@link SharedRibReader} seen through the interface rib-queries.ts answers from. Used by the
 * reader workers (reader-worker.ts) and the HTTP worker (http-worker.ts).
 */
import type { SharedRibReader } from '../rib/shared-rib-reader.js';
import type { QueryReader } from './rib-queries.js';

/** `reader` as a QueryReader. */
export function sharedQueryReader(reader: SharedRibReader): QueryReader {
  return {
    lookup: (address, filter) => reader.lookup(address, filter),
    routes: (prefix, filter) => reader.routes(prefix, filter),
    lessSpecifics: (prefix, filter) => reader.lessSpecifics(prefix, filter),
    // One consistent attempt reads what the page needs, not the whole scan.
    moreSpecifics: (prefix, filter, atLeast) => reader.moreSpecificsList(prefix, filter, atLeast),
  };
}
