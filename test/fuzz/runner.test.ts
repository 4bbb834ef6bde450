/**
 * The `npm run fuzz` command end to end, on targets with planted bugs: it reports an
 * exception and a hang (killing the stuck worker), saves both inputs, passes the clean
 * target, and exits 1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../support/shared-data.js';

test('npm run fuzz finds planted exceptions and hangs, saves their inputs, and exits 1', () => {
  const out = mkdtempSync(join(tmpdir(), 'ribstore-fuzz-'));
  try {
    const run = spawnSync(
      process.execPath,
      [
        join(projectRoot, 'dist/fuzz/run.js'),
        '--targets-module',
        join(projectRoot, 'dist/test/fuzz/fixtures/planted-targets.js'),
        '--inputs',
        '20000',
        '--hang-ms',
        '1500',
        '--out',
        out,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /planted-clean\s+20,001 inputs .* 0 findings/);
    assert.match(run.stdout, /exception \(\d+x\): RangeError: planted: three bytes/);
    assert.match(run.stdout, /hang \(1x\): no progress for 1500 ms/);
    const files = readdirSync(out).sort();
    const hang = files.find((f) => f.startsWith('planted-hang-hang-') && f.endsWith('.bin'));
    const exception = files.find((f) => f.startsWith('planted-exception-exception-') && f.endsWith('.bin'));
    assert.ok(hang && exception, files.join(' '));
    assert.equal(readFileSync(join(out, hang)).at(0), 0xff);
    assert.equal(readFileSync(join(out, exception)).length, 3);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('npm run fuzz --help and bad flags', () => {
  const help = spawnSync(process.execPath, [join(projectRoot, 'dist/fuzz/run.js'), '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--inputs N/);
  const bad = spawnSync(process.execPath, [join(projectRoot, 'dist/fuzz/run.js'), '--target', 'no-such-target'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown target no-such-target/);
});
