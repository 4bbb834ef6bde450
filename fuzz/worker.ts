/**
 * The worker side of run.ts: fuzz one target and post the {@link FuzzResult} back.
 *
 * Before each run the input is copied into the shared `current` buffer
 * (`[length: int32][bytes]`) and the shared counter is bumped, so the parent can tell a hang
 * (counter stuck) and save the input that caused it, even after killing this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzTarget, type FuzzOptions } from './engine.js';
import type { FuzzTarget } from './target.js';

/** What run.ts hands the worker. */
export interface WorkerTask {
  target: string;
  options: Omit<FuzzOptions, 'onInput'>;
  /** Int32 [0] = inputs started. */
  progress: SharedArrayBuffer;
  /** Int32 length, then the bytes of the input being run. */
  current: SharedArrayBuffer;
  /** URL of the module whose `targets` export lists the targets (normally targets/index.js). */
  targetsModule: string;
}

const task = workerData as WorkerTask;
const { targets } = (await import(task.targetsModule)) as { targets: readonly FuzzTarget[] };
const target = targets.find((t) => t.name === task.target);
if (!target) throw new Error(`no fuzz target named ${task.target}`);
const progress = new Int32Array(task.progress);
const currentLength = new Int32Array(task.current, 0, 1);
const currentBytes = new Uint8Array(task.current, 4);
const result = fuzzTarget(target, {
  ...task.options,
  onInput(input) {
    const n = Math.min(input.length, currentBytes.length);
    currentBytes.set(input.subarray(0, n));
    currentLength[0] = n;
    Atomics.add(progress, 0, 1);
  },
});
parentPort!.postMessage(result);
