/**
 * What a test needs from its machine (a Debian tool, the ../shared data) and what happens when
 * it is absent: on a developer's machine the test skips with a one-line reason; under CI
 * (`CI=true`, exported by .ci/run) the run fails instead, so a broken CI image cannot turn
 * the real-world oracles into silent skips.
 */
import { spawnSync } from 'node:child_process';

/** Whether this run is CI (`CI=true` or `CI=1`): absent requirements fail instead of skipping. */
export const inCi = process.env['CI'] === 'true' || process.env['CI'] === '1';

/**
 * Pass a skip reason through: `false` (nothing missing) stays `false`; a reason is returned for
 * `test(name, { skip })` on a developer's machine, and under CI throws so the test file fails
 * with that reason.
 */
export function skipOrFail(reason: false | string): false | string {
  if (reason !== false && inCi) throw new Error(`CI=true and a test requirement is missing: ${reason}`);
  return reason;
}

/** Tools already probed in this process: tool name → skip reason or false. */
const probed = new Map<string, false | string>();

/**
 * `false` when `tool` can be started, else the one-line reason to skip (via {@link skipOrFail}).
 * Only "not found" (ENOENT) counts as missing: a probe that is slow on a loaded machine (a
 * timeout) or exits non-zero still proves the tool is there.
 */
export function missingTool(tool: string, debianPackage: string, probeArgs: string[] = ['--help']): false | string {
  let reason = probed.get(tool);
  if (reason === undefined) {
    const probe = spawnSync(tool, probeArgs, { stdio: 'ignore', timeout: 30_000 });
    const code = (probe.error as NodeJS.ErrnoException | undefined)?.code;
    reason = code === 'ENOENT' || code === 'EACCES' ? `needs ${tool} (Debian package ${debianPackage}), not found on PATH` : false;
    probed.set(tool, reason);
  }
  return skipOrFail(reason);
}
