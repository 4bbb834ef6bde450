/**
 * The publish worker thread: the NATS connection and JetStream acknowledgements off the
 * collector's thread. It reads the collector's BMP messages from the shared ring
 * (publish-feed.ts), frames each as an OpenBMP record (the message is read straight behind its
 * header) and queues it on its {@link JetStreamSender}; the sender's figures go back in the shared
 * counter block after every change. Logs, failures' texts and the end of a close are posted (rare
 * events, never one per message). While records come it polls the ring every
 * {@link POLL_INTERVAL_MS} instead of waiting to be notified (a notify is costly for the
 * collector's thread, DESIGN.md "Waking"); after {@link BUSY_POLL_MS} without records it waits.
 *
 * Started by `BmpPublisher` (publisher.ts) with {@link PublishWorkerData}; it ends after a
 * `{ type: 'close', flushMs }` message: it reads what is left in the ring, waits up to `flushMs`
 * for acknowledgements, closes the connection and posts `{ type: 'closed' }`. A
 * `{ type: 'crash', reason }` message (a test hook) makes it throw, as a bug would.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ByteRingMemory } from './byte-ring.js';
import { JetStreamSender, type JetStreamSenderOptions, type SenderLog } from './jetstream-sender.js';
import { stampOpenBmpHeader } from './openbmp.js';
import { type FeedMessage, PublishFeedReader, SharedFeedCounters } from './publish-feed.js';
import { type RouterTarget, type TargetScope, routerTarget } from './router-target.js';

/** After reading records, the worker polls the ring every POLL_INTERVAL_MS until it found none for BUSY_POLL_MS. */
const POLL_INTERVAL_MS = 1;
const BUSY_POLL_MS = 50;

/** What the publisher passes to the worker. */
export interface PublishWorkerData {
  readonly ring: ByteRingMemory;
  readonly counters: SharedArrayBuffer;
  readonly sender: Omit<JetStreamSenderOptions, 'log' | 'onChange' | 'onError'>;
  readonly scope: TargetScope;
}

/** Messages the worker posts to the publisher. */
export type PublishWorkerEvent =
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly fields: object; readonly message: string }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'closed' };

function post(event: PublishWorkerEvent): void {
  parentPort!.postMessage(event);
}

async function run(data: PublishWorkerData): Promise<void> {
  const counters = new SharedFeedCounters(data.counters);
  const log: SenderLog = {
    info: (fields, message) => post({ type: 'log', level: 'info', fields, message }),
    warn: (fields, message) => post({ type: 'log', level: 'warn', fields, message }),
    error: (fields, message) => post({ type: 'log', level: 'error', fields, message }),
  };
  let lastError = '';
  const sender: JetStreamSender = new JetStreamSender({
    ...data.sender,
    log,
    onChange: () => counters.store(sender.statistics()),
    onError: (message) => {
      // Posted when the text changes: an outage's repeated failures are counted, not posted each.
      if (message !== lastError) post({ type: 'error', message });
      lastError = message;
    },
  });
  const targets = new Map<string, { target: RouterTarget | null; sent: number }>();
  const targetOf = (router: string): { target: RouterTarget | null; sent: number } => {
    let entry = targets.get(router);
    if (!entry) {
      entry = { target: routerTarget(data.scope, router), sent: 0 };
      targets.set(router, entry);
    }
    return entry;
  };
  const reader = new PublishFeedReader(data.ring, (router) => targetOf(router).target?.header.length ?? 0);
  const queue = (message: FeedMessage): void => {
    const entry = targetOf(message.router);
    const target = entry.target;
    // The collector's thread sends only routers with a target; a record without one is skipped.
    if (!target) return;
    const seconds = Math.floor(message.timeMs / 1000);
    stampOpenBmpHeader(message.buffer, target.header, seconds, Math.floor(message.timeMs - seconds * 1000) * 1000, message.buffer.length - message.offset);
    sender.enqueue(target.subject, message.buffer, target.idPrefix + entry.sent++, message.timeMs, false);
  };
  let closing: { flushMs: number } | null = null;
  parentPort!.on('message', (message: { type: 'close'; flushMs: number } | { type: 'crash'; reason: string }) => {
    // Test hook (BmpPublisher.crashWorkerForTest): an uncaught error, as a bug in this thread would be.
    if (message.type === 'crash') throw new Error(message.reason);
    if (message.type !== 'close') return;
    closing = { flushMs: message.flushMs };
    reader.interrupt();
  });
  sender.start();
  let lastDataAt = -Infinity;
  for (;;) {
    if (reader.pull(queue) > 0) {
      sender.pump();
      lastDataAt = performance.now();
    }
    if (closing) break;
    // While the collector streams, look again after a timer tick instead of waiting for its
    // notify: the collector's thread then never notifies (measured at ~1 µs of its CPU per BMP
    // message, DESIGN.md "Per-message cost"); once idle, wait to be woken.
    if (performance.now() - lastDataAt < BUSY_POLL_MS) await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    else await reader.waitForData(1000);
  }
  reader.pull(queue);
  await sender.close((closing as { flushMs: number }).flushMs);
  counters.store(sender.statistics());
  post({ type: 'closed' });
}

if (parentPort) {
  void run(workerData as PublishWorkerData).catch((error: unknown) => {
    post({ type: 'log', level: 'error', fields: { err: error instanceof Error ? error.message : String(error) }, message: 'bus: publish worker failed' });
    throw error;
  });
}
