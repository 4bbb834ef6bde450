/**
 * CPU time per thread and per process on Linux, from `/proc/PID/task/TID/stat` (user + system
 * time, in clock ticks of 1/100 s): what each thread of a run cost, where `process.cpuUsage()`
 * only gives the sum over all threads. Figures are `null` where /proc is not there.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** User + system seconds of one `stat` file, or null when unreadable (thread or process gone). */
function statSeconds(path: string): number | null {
  try {
    const text = readFileSync(path, 'latin1');
    // Fields after the command name (which may hold spaces) in parentheses: state is field 3.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The thread ids of this process. */
export function threadIds(): number[] {
  try {
    return readdirSync(`/proc/${process.pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds of thread `tid` of this process (the main thread's id is the process id). */
export function threadCpuSeconds(tid: number): number | null {
  return statSeconds(`/proc/${process.pid}/task/${tid}/stat`);
}

/** CPU seconds of process `pid` (all its threads). */
export function processCpuSeconds(pid: number): number | null {
  return statSeconds(`/proc/${pid}/stat`);
}

/** CPU seconds of the calling thread (`/proc/thread-self`: a worker thread can time itself). */
export function currentThreadCpuSeconds(): number | null {
  return statSeconds('/proc/thread-self/stat');
}
