/**
 * Make sure the benchmark peers are installed: when bench/peers/node_modules is missing, run
 * `npm ci --prefix bench/peers` once (progress to stderr). A failed install is reported and the
 * benchmark goes on: each peer that cannot then be loaded is listed as failed in the output.
 *
 * arkime-iptrie (a native C addon built by node-gyp) is an optional dependency there, so a
 * machine without a compiler still installs the pure-JS peers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { peersDir } from './peer.js';

/** Result of {@link ensurePeersInstalled}: undefined when fine, else why the install failed. */
export type InstallProblem = string | undefined;

/** Install bench/peers when its node_modules is absent; returns a problem description or undefined. */
export function ensurePeersInstalled(): InstallProblem {
  if (existsSync(join(peersDir, 'node_modules'))) return undefined;
  process.stderr.write(`installing benchmark peers: npm ci --prefix ${peersDir}\n`);
  const result = spawnSync('npm', ['ci', '--prefix', peersDir, '--no-audit', '--no-fund'], {
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.error) return `npm ci --prefix bench/peers could not run: ${result.error.message}`;
  if (result.status !== 0) return `npm ci --prefix bench/peers exited with status ${result.status}`;
  return undefined;
}
