/**
 * A reader worker of the API (reader-pool.ts): opens the RIB's shared memory
 * (`workerData` is a {@link SharedRibDescriptor}, its port transferred) and answers
 * {@link RibQuery} messages with {@link answerQuery}, the code the main thread runs with
 * `--api-workers 0`. One message in, one message out per request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RibstoreError } from '../errors.js';
import { SharedRibReader, type SharedRibDescriptor } from '../rib/shared-rib-reader.js';
import { ApiError } from './errors.js';
import { answerQuery, type RibQuery } from './rib-queries.js';
import { sharedQueryReader } from './shared-query-reader.js';
import type { WorkerReply } from './reader-pool.js';

const queries = sharedQueryReader(SharedRibReader.open(workerData as SharedRibDescriptor));

parentPort!.on('message', ({ id, query }: { id: number; query: RibQuery }) => {
  let reply: WorkerReply;
  try {
    reply = { id, ok: true, value: answerQuery(queries, query) };
  } catch (error) {
    if (error instanceof ApiError) reply = { id, ok: false, status: error.statusCode, code: error.code, message: error.message };
    else if (error instanceof RibstoreError) reply = { id, ok: false, code: error.code, message: error.message };
    else reply = { id, ok: false, code: 'INTERNAL_ERROR', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(reply);
});
