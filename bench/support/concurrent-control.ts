/** Words of the control array the reader threads (bench/support/reader-threads.ts, bench/concurrent-reader.ts) share with the benchmark that starts them. */

/** 0 while readers wait, 1 once they may start. */
export const GO = 0;
/** 1 once readers must stop and report. */
export const STOP = 1;
/** Readers that have opened the RIB and warmed up. */
export const READY = 2;
/** Words in the control array. */
export const CONTROL_WORDS = 4;

/** What a reader worker (bench/concurrent-reader.ts) posts when it stops. */
export interface ReaderReport {
  lookups: number;
  elapsedNs: number;
  /** Latency percentiles and maximum of one lookup (ns). */
  p50: number;
  p99: number;
  max: number;
  retries: number;
  /** CPU time the reader's thread got while it ran (NaN where /proc/thread-self is missing). */
  cpuSeconds: number;
}
