/**
 * The `ribstore` dispatcher as a child process: `--version` prints the package version, and the
 * first word of a command group (`ribstore mrt`) lists its commands (`--help`: exit 0; alone: 2);
 * `npm start` runs the built collector without rebuilding it; the README's lookup example answers;
 * serve's stderr holds JSON log lines only when it is not a terminal.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRoot, sharedData, skipUnlessShared } from '../support/shared-data.js';

const main = join(projectRoot, 'dist/src/cli/main.js');
const ribstore = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });

test('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const run = ribstore(flag);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), `ribstore ${version}`);
  }
  assert.match(ribstore('--help').stdout, /ribstore --version/);
});

test('`ribstore mrt --help` lists the mrt commands; `ribstore mrt` alone is a usage error', () => {
  const help = ribstore('mrt', '--help');
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: ribstore mrt <command>/);
  assert.match(help.stdout, /mrt dump/);
  const alone = ribstore('mrt');
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /mrt dump/);
  assert.match(ribstore('bmp', '--help').stdout, /bmp dump/);
});

test('`npm start` starts the built collector without rebuilding (the build is `prepare`, run by npm ci)', { timeout: 60_000 }, () => {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts['prepare'] ?? '', /npm run build/, 'npm ci builds');
  const built = statSync(main).mtimeMs;
  const started = Date.now();
  const run = spawnSync('npm', ['start', '--silent', '--', '--help'], { cwd: projectRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Usage: ribstore serve/);
  assert.equal(statSync(main).mtimeMs, built, 'dist was not rebuilt');
  assert.ok(Date.now() - started < 30_000, `npm start took ${Date.now() - started} ms`);
});

test("the README's lookup example answers on ../shared/data/mrt/rib.bz2", { skip: skipUnlessShared('mrt', 'rib.bz2'), timeout: 300_000 }, () => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const example = /node dist\/src\/cli\/main\.js lookup (\S+) --mrt rib\.bz2/.exec(readme);
  assert.ok(example, 'the README has a lookup example on rib.bz2');
  const run = ribstore('lookup', example[1]!, '--mrt', sharedData('mrt', 'rib.bz2'), '--compact');
  assert.equal(run.status, 0, `the example answers no route: ${run.stderr}`);
  const answer = JSON.parse(run.stdout) as { prefix: string; routes: unknown[] };
  assert.equal(answer.prefix, '2001:67c:2e8::/48');
  assert.ok(answer.routes.length > 0);
});

test('serve writes only JSON log lines to a non-terminal stderr (no plain banner mixed in)', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [main, 'serve', '--bmp-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line:\n${stderr}`)), 30_000);
      child.stderr!.on('data', () => {
        if (stderr.includes('ribstore ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    const lines = stderr.split('\n').filter((line) => line !== '');
    assert.ok(lines.length >= 2);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
