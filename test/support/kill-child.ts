/**
 * Crash tests: run a node script as a child process and SIGKILL it a while after it says it
 * is ready (its first line on stdout), wherever it is then.
 */
import { spawn } from 'node:child_process';

/** Run `script` with `args`; `delayMs` after its first output, kill it with SIGKILL. Resolves when it has exited. */
export function runAndKill(script: string, args: readonly string[], delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.once('exit', () => resolve());
  });
}
