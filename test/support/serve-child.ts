/**
 * `ribstore serve` as a child process on free loopback ports, for tests that restart or kill
 * it (snapshots, replicas). Its JSON log lines are collected; it counts as started at the
 * `ribstore serving` log line. Every child still running when the test file ends is killed, so
 * a failed assertion leaves none behind.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after } from 'node:test';
import { projectRoot } from './shared-data.js';

const MAIN = join(projectRoot, 'dist/src/cli/main.js');

const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

export class ServeChild {
  /** Its JSON log lines so far (start-up ones, restore included, are all in by the time it serves). */
  readonly logs: Record<string, any>[] = [];
  /** The HTTP base URL. */
  url = '';
  /** The BMP listener's port. */
  bmpPort = 0;
  private constructor(readonly child: ChildProcess) {}

  /** Start `ribstore serve ARGS` on free loopback ports and resolve once it serves. */
  static start(args: readonly string[]): Promise<ServeChild> {
    const child = spawn(process.execPath, [MAIN, 'serve', '--bmp-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    const serve = new ServeChild(child);
    running.add(child);
    child.once('exit', () => running.delete(child));
    let text = '';
    return new Promise((resolve, reject) => {
      const early = (code: number | null): void => reject(new Error(`ribstore serve exited with ${code} before serving: ${text.slice(-2000)}`));
      child.once('error', reject);
      child.once('exit', early);
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        text += chunk;
        let nl: number;
        while ((nl = text.indexOf('\n')) >= 0) {
          const line = text.slice(0, nl);
          text = text.slice(nl + 1);
          if (!line.startsWith('{')) continue;
          const log = JSON.parse(line) as Record<string, any>;
          serve.logs.push(log);
          // The JSON logs, not the plain "serving" line: log lines may trail plain stderr writes,
          // and every start-up log (restore, rejected files) comes before these. `ribstore
          // serving` names the listeners; resolve only at `ribstore ready`, logged once the
          // signal handlers are in place: a SIGTERM sent between the two killed the child
          // without its final snapshot (seen in CI and reproduced in 3 of 6 tries).
          if (log.msg === 'ribstore serving') {
            serve.url = log.http as string;
            serve.bmpPort = Number(String(log.bmp).slice(String(log.bmp).lastIndexOf(':') + 1));
          } else if (log.msg === 'ribstore ready: serving, signals handled') {
            child.off('exit', early);
            resolve(serve);
          }
        }
      });
    });
  }

  /** GET `path` and its JSON body, asserting a 200. */
  async get<T = any>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`);
    assert.equal(response.status, 200, `${path}: ${response.status}`);
    return (await response.json()) as T;
  }

  /** Send `signal` and resolve with the exit code (or signal name). */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    return new Promise((resolve) => {
      this.child.once('exit', (code, sig) => resolve(code ?? sig ?? -1));
      this.child.kill(signal);
    });
  }
}
