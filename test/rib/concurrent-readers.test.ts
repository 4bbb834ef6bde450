/**
 * The golden concurrent test of worker readers (DESIGN-threads.md): two workers answer random
 * lookups, routes and more-specifics queries from the RIB's shared memory while this thread
 * applies a random script (announce, re-announce, withdraw, attribute change, peer up/down,
 * router down/up/flush, End-of-RIB, keep-time ticks, partial sweeps; the attribute pool compacts
 * in small steps meanwhile) as fast as it can,
 * publishing its op count after each op. Every answer must equal the golden model at some op
 * count between the query's start and end (fixtures/concurrent-reader-worker.ts).
 *
 * Checks: RIBSTORE_CONCURRENT_CHECKS in all (default 100 000, split between the workers).
 * Mutation check: the same run with the reader's validation off must produce wrong answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CHECKS, OPS, OpScript, STOP } from './support/op-script.js';
import { Harness } from './support/random-ops.js';

const WORKERS = 2;
const TOTAL_CHECKS = Number(process.env.RIBSTORE_CONCURRENT_CHECKS ?? 100_000);

interface WorkerReport {
  checks: number;
  mismatches: number;
  examples: unknown[];
  retries: number;
  wideWindows: number;
}

/** Run the writer against WORKERS readers until each did `checks` or `deadlineMs` passed. */
async function run(seed: number, checks: number, validate: boolean, deadlineMs: number): Promise<{ reports: WorkerReport[]; ops: number; compactions: number }> {
  const h = new Harness();
  const script = new OpScript(seed);
  const progress = new Int32Array(new SharedArrayBuffer(4 * (CHECKS + WORKERS)));
  const workers: Worker[] = [];
  const reports: Promise<WorkerReport>[] = [];
  for (let index = 0; index < WORKERS; index++) {
    const descriptor = h.rib.share();
    const worker = new Worker(new URL('./fixtures/concurrent-reader-worker.js', import.meta.url), {
      workerData: { descriptor, progress, seed, index, checks, validate },
      transferList: [descriptor.port],
    });
    workers.push(worker);
    reports.push(
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
    );
  }
  const deadline = Date.now() + deadlineMs;
  let k = 0;
  try {
    // Writers and readers start together: wait (a little) for the workers to load.
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (; ; k++) {
      if ((k & 63) === 0) {
        let all = true;
        for (let i = 0; i < WORKERS; i++) if (Atomics.load(progress, CHECKS + i) < checks) all = false;
        if (all || Date.now() > deadline) break;
        // Let the workers' messages (errors) through now and then.
        if ((k & 16383) === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      h.apply(script.op(k));
      Atomics.store(progress, OPS, k + 1);
    }
  } finally {
    Atomics.store(progress, STOP, 1);
  }
  const done = await Promise.all(reports);
  await Promise.all(workers.map((w) => w.terminate()));
  return { reports: done, ops: k, compactions: h.rib.attributes.compactions };
}

test(`worker readers answer as the golden model at some version within each query, under a concurrent writer (${TOTAL_CHECKS} checks)`, { timeout: 120_000 }, async () => {
  const { reports, ops, compactions } = await run(20261204, Math.ceil(TOTAL_CHECKS / WORKERS), true, 90_000);
  const checks = reports.reduce((n, r) => n + r.checks, 0);
  const mismatches = reports.reduce((n, r) => n + r.mismatches, 0);
  const retries = reports.reduce((n, r) => n + r.retries, 0);
  const wide = reports.reduce((n, r) => n + r.wideWindows, 0);
  assert.deepEqual(
    reports.flatMap((r) => r.examples),
    [],
    `${mismatches} of ${checks} answers matched no version in their window`,
  );
  assert.equal(mismatches, 0);
  assert.ok(checks >= TOTAL_CHECKS, `${checks} checks done, ${TOTAL_CHECKS} wanted (writer applied ${ops} ops)`);
  // The run must really be concurrent: writes during reads, and reads that had to retry.
  assert.ok(wide > 0, `${wide} of ${checks} answers were read while the writer applied ops`);
  assert.ok(retries > 0, 'some attempts saw a write and were retried');
  // The harness's pool compacts at any garbage past 3/4 of it, in small paced steps: readers
  // must have read while attribute bytes moved.
  assert.ok(compactions > 0, 'the attribute pool compacted during the run');
  console.log(`# ${checks} checks, ${ops} writer ops, ${wide} reads overlapped writes, ${retries} retried attempts, ${compactions} pool compactions`);
});

test('mutation check: with validation off, the same run gives answers that match no version', { timeout: 120_000 }, async () => {
  // A torn read needs a reader and the writer on the same slot at the same instant: usually
  // ~100 of 40 000 answers, but a run where the threads barely overlap (a loaded machine: CI
  // once saw 0) shows none. So runs repeat, with new seeds, until one shows a wrong answer or
  // the budget ends; with validation on, the test above shows 0 in 100 000.
  const budget = Date.now() + 90_000;
  let mismatches = 0;
  let checks = 0;
  let runs = 0;
  while (mismatches === 0 && runs < 20 && Date.now() < budget) {
    const { reports } = await run(20261205 + runs, 20_000, false, 30_000);
    mismatches += reports.reduce((n, r) => n + r.mismatches, 0);
    checks += reports.reduce((n, r) => n + r.checks, 0);
    runs++;
  }
  assert.ok(mismatches > 0, `validation off: ${mismatches} wrong answers of ${checks} in ${runs} runs`);
  console.log(`# validation off: ${mismatches} of ${checks} answers matched no version (${runs} runs)`);
});
