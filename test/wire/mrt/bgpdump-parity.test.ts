/**
 * Real-data oracles for the MRT layer (need ../shared/data/mrt and Debian's bgpdump):
 *
 * - bgpdump parity: for every MRT file there, `formatBgpdumpLines` over our decoder prints
 *   exactly what `bgpdump -m FILE` prints, line for line (the truncated RouteViews RIB
 *   included: every complete record). Both sides are streamed and compared as they come —
 *   neither output is held in memory — and all files run at once (bgpdump on rib.bz2
 *   alone takes half a minute or more). A failure names the file, the line number and both
 *   lines.
 * - Lossless records: re-encoding every decoded record gives the file's bytes back.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { RibstoreError } from '../../../src/errors.js';
import { formatBgpdumpLines } from '../../../src/wire/mrt/bgpdump-format.js';
import { Bzip2TruncatedError, bunzip2 } from '../../../src/wire/mrt/bzip2.js';
import { encodeMrtRecord } from '../../../src/wire/mrt/encode.js';
import { readMrtFile } from '../../../src/wire/mrt/file-reader.js';
import { missingTool } from '../../support/requirements.js';
import { sharedData, skipUnlessShared } from '../../support/shared-data.js';

const TRUNCATED = 'rib.20140523.0600_firstMB.bz2';
const noShared = skipUnlessShared('mrt');
const files = noShared ? [] : readdirSync(sharedData('mrt')).filter((f) => /\.(gz|bz2)$/.test(f)).sort();
const noBgpdump = missingTool('bgpdump', 'bgpdump', ['-T']);
const noBzip2 = missingTool('bzip2', 'bzip2');

/** Compare our text with bgpdump's, streaming; returns the number of lines. */
async function compareWithBgpdump(file: string): Promise<number> {
  const path = sharedData('mrt', file);
  const child = spawn('bgpdump', ['-m', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  const theirs = createInterface({ input: child.stdout, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let line = 0;
  let readError: unknown;
  try {
    try {
      for await (const batch of readMrtFile(path)) {
        for (const record of batch) {
          const text = formatBgpdumpLines(record);
          if (text.length === 0) continue;
          let start = 0;
          while (start < text.length) {
            const end = text.indexOf('\n', start);
            const ours = text.slice(start, end);
            start = end + 1;
            line++;
            const next = await theirs.next();
            if (next.done) assert.fail(`${file} line ${line}: bgpdump has ended, ribstore prints\n  ${ours}`);
            if (next.value !== ours) assert.fail(`${file} line ${line} differs:\n  ribstore: ${ours}\n  bgpdump:  ${next.value}`);
          }
        }
      }
    } catch (error) {
      if (!(error instanceof RibstoreError)) throw error;
      readError = error;
    }
    const extra = await theirs.next();
    if (!extra.done) assert.fail(`${file} line ${line + 1}: ribstore has ended, bgpdump prints\n  ${extra.value}`);
  } finally {
    child.kill();
  }
  if (file === TRUNCATED) {
    assert.ok(readError instanceof RibstoreError && readError.code === 'FILE_ERROR', `${file}: expected a truncation error`);
    assert.match(readError.message, /is incomplete/);
  } else {
    assert.equal(readError, undefined, `${file}: ${readError}`);
  }
  return line;
}

test('ribstore mrt dump text equals bgpdump -m on every shared MRT file', { skip: noShared || noBgpdump || noBzip2, timeout: 15 * 60_000 }, async (t) => {
  assert.ok(files.length >= 8, `expected the 8 MRT files of ../shared/data/mrt, found ${files.length}`);
  const counts = await Promise.all(files.map((file) => compareWithBgpdump(file)));
  for (let i = 0; i < files.length; i++) t.diagnostic(`${files[i]}: ${counts[i]} lines identical`);
  const byFile = Object.fromEntries(files.map((f, i) => [f, counts[i]]));
  // Entry counts published in ../shared/data/mrt/SOURCES.md.
  assert.equal(byFile['rib.bz2'], 609_246);
  assert.equal(byFile['updates.et-header.2015.gz'], 577_744);
  assert.equal(byFile[TRUNCATED], 270_005);
});

function decompress(file: string): Uint8Array {
  const path = sharedData('mrt', file);
  if (file.endsWith('.gz')) return gunzipSync(readFileSync(path));
  // The bzip2 command is fast but withholds the tail of a truncated file; bunzip2 recovers it.
  if (file !== TRUNCATED) return spawnSync('bzip2', ['-dc', path], { maxBuffer: 1 << 30 }).stdout;
  try {
    return Buffer.concat(bunzip2(readFileSync(path)));
  } catch (error) {
    if (error instanceof Bzip2TruncatedError) return Buffer.concat(error.output);
    throw error;
  }
}

test('re-encoding every record of every shared MRT file gives its bytes back', { skip: noShared || noBzip2, timeout: 10 * 60_000 }, async () => {
  for (const file of files) {
    if (!existsSync(sharedData('mrt', file))) continue;
    const bytes = decompress(file);
    let checked = 0;
    try {
      for await (const batch of readMrtFile(sharedData('mrt', file))) {
        for (const record of batch) {
          const encoded = encodeMrtRecord(record);
          const at = record.header.offset;
          if (Buffer.compare(Buffer.from(encoded), bytes.subarray(at, at + encoded.length)) !== 0) {
            assert.fail(`${file}: the ${record.kind} record at offset ${at} re-encodes differently`);
          }
          checked++;
        }
      }
    } catch (error) {
      if (!(error instanceof RibstoreError) || file !== TRUNCATED) throw error;
    }
    assert.ok(checked > 0, `${file}: no records`);
  }
});
