/**
 * A truncated MRT dump (a download cut mid-record, a broken bzip2 stream) loads what is whole:
 * `loadMrtFiles` with `truncated: 'keep'` holds exactly the routes of the complete records and
 * says where the file was cut; without it the cut is an error (after the whole records);
 * `ribstore load` warns and exits 0, or 1 with `--strict`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMrtFiles } from '../../src/collector/mrt-loader.js';
import { Rib } from '../../src/rib/rib.js';
import { MrtTruncatedError } from '../../src/wire/mrt/file-reader.js';
import { generatedRibDump } from '../support/generated-mrt.js';
import { projectRoot, sharedData, skipUnlessShared } from '../support/shared-data.js';
import { withTempDir } from '../support/temp-dir.js';

const main = join(projectRoot, 'dist/src/cli/main.js');

test('a dump cut mid-record loads exactly its complete records; the cut is an error unless kept', async () => {
  await withTempDir('mrt-cut', async (dir) => {
    const whole = generatedRibDump({ prefixes: 400, peers: 3 });
    const cutPath = join(dir, 'cut.mrt');
    writeFileSync(cutPath, whole.subarray(0, whole.length - 25));

    const kept = await loadMrtFiles(new Rib(), [cutPath], { truncated: 'keep' });
    assert.equal(kept.truncated.length, 1);
    const cut = kept.truncated[0]!;
    assert.equal(cut.file, cutPath);
    assert.match(cut.message, /cut\.mrt is truncated or corrupt after \d+ bytes of MRT data: the .* record at offset \d+ is incomplete/);
    assert.ok(cut.consumed > 0 && cut.consumed < whole.length - 25);

    // The same routes as a file that ends cleanly where the whole records end.
    const cleanPath = join(dir, 'clean.mrt');
    writeFileSync(cleanPath, whole.subarray(0, cut.consumed));
    const clean = await loadMrtFiles(new Rib(), [cleanPath]);
    assert.deepEqual(clean.truncated, []);
    assert.equal(kept.announcements, clean.announcements);
    assert.equal(kept.routes, clean.routes);
    assert.equal(kept.prefixes, clean.prefixes);
    const fullPath = join(dir, 'full.mrt');
    writeFileSync(fullPath, whole);
    const full = await loadMrtFiles(new Rib(), [fullPath]);
    assert.ok(kept.routes < full.routes, 'the cut record is not loaded');

    // Default (`fail`): the whole records are in the RIB, then the cut throws.
    const rib = new Rib();
    await assert.rejects(loadMrtFiles(rib, [cutPath]), (error: unknown) => error instanceof MrtTruncatedError && error.code === 'FILE_ERROR' && error.consumed === cut.consumed);
    assert.equal(rib.stats().routes, clean.routes);
  });
});

test('ribstore load: a truncated file warns and exits 0; with --strict it exits 1; both print the summary', async () => {
  await withTempDir('mrt-cut-cli', async (dir) => {
    const whole = generatedRibDump({ prefixes: 200, peers: 2 });
    const cutPath = join(dir, 'cut.mrt');
    writeFileSync(cutPath, whole.subarray(0, whole.length - 10));
    const lenient = spawnSync(process.execPath, [main, 'load', cutPath], { encoding: 'utf8' });
    assert.equal(lenient.status, 0, lenient.stderr);
    assert.match(lenient.stdout, /routes: +\d+/);
    assert.match(lenient.stdout, /truncated: +.*cut\.mrt after \d+ bytes/);
    assert.match(lenient.stderr, /warning: .*cut\.mrt is truncated or corrupt/);
    const strict = spawnSync(process.execPath, [main, 'load', '--strict', '--json', cutPath], { encoding: 'utf8' });
    assert.equal(strict.status, 1, strict.stderr);
    const summary = JSON.parse(strict.stdout) as { routes: number; truncated: { file: string }[] };
    assert.ok(summary.routes > 0);
    assert.deepEqual(summary.truncated.map((t) => t.file), [cutPath]);
  });
});

const REAL_CUT = 'rib.20140523.0600_firstMB.bz2';
test(`real RouteViews dump cut after its first MiB (${REAL_CUT}): its 270,005 whole routes load`, { skip: skipUnlessShared('mrt', REAL_CUT), timeout: 300_000 }, async () => {
  // 270,005: the RIB entries `bgpdump -m` prints for this file (its SOURCES.md entry; mrt-export.test checks the count).
  const summary = await loadMrtFiles(new Rib(), [sharedData('mrt', REAL_CUT)], { truncated: 'keep' });
  assert.equal(summary.truncated.length, 1);
  assert.equal(summary.announcements + summary.skipped, 270_005);
});
