/**
 * Real router BMP streams (Cisco IOS XR, Huawei VRP, 6WIND/FRR) from ../shared/data/bmp: every
 * message decodes, the counts per message type equal the table in that folder's SOURCES.md
 * (section "Raw BMP streams", parsed here so the test follows the document), and re-encoding
 * every decoded message gives the original bytes.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BmpFramer, decodeBmpMessage, encodeBmpMessage } from '../../../src/wire/bmp/index.js';
import { sharedData, skipUnlessShared } from '../../support/shared-data.js';

interface Row {
  /** The files the row covers (one, or the 208 session-NN range). */
  files: string[];
  bytes: number;
  /** Counts by BMP message type code 0..4. */
  counts: number[];
}

/** Parse the "Raw BMP streams" table of SOURCES.md into rows with resolved file paths. */
function expectedRows(): Row[] {
  const text = readFileSync(sharedData('bmp', 'SOURCES.md'), 'utf8');
  const section = text.slice(text.indexOf('## Raw BMP streams'));
  const rows: Row[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | file | bytes | 0 | 1 | 2 | 3 | 4 |
    if (cells.length !== 9 || !/\.bmp$/.test(cells[1]!)) continue;
    const [folderPrefix, name] = cells[1]!.split('/') as [string, string];
    const folder = readdirSync(sharedData('bmp')).find((f) => f.startsWith(folderPrefix.replace('…', '')))!;
    assert.ok(folder, `folder for ${cells[1]}`);
    const range = /^session-(\d+)\.\.(\d+)\.bmp$/.exec(name);
    const files = range
      ? readdirSync(sharedData('bmp', folder))
          .filter((f) => /^session-\d+\.bmp$/.test(f))
          .filter((f) => Number(f.slice(8, 10)) >= Number(range[1]) && Number(f.slice(8, 10)) <= Number(range[2]))
          .map((f) => join(folder, f))
      : [join(folder, name)];
    rows.push({
      files,
      bytes: Number(cells[2]!.replace(/[^0-9]/g, '')),
      counts: cells.slice(3, 8).map((c) => (c === '' ? 0 : Number(c.replace(/,/g, '')))),
    });
  }
  return rows;
}

const skip = skipUnlessShared('bmp', 'SOURCES.md');

test('vendor BMP streams: zero errors, message counts per type as in SOURCES.md, byte-exact re-encoding', { skip }, () => {
  const rows = expectedRows();
  assert.equal(rows.length, 6, 'six rows in the Raw BMP streams table');
  let allFiles = 0;
  for (const row of rows) {
    const counts = [0, 0, 0, 0, 0, 0, 0];
    let bytes = 0;
    for (const file of row.files) {
      const stream = new Uint8Array(readFileSync(sharedData('bmp', file)));
      bytes += stream.length;
      // Feed in odd-sized chunks so messages straddle chunk boundaries, as on a socket.
      const framer = new BmpFramer();
      for (let at = 0; at < stream.length; at += 1447) {
        for (const frame of framer.push(stream.subarray(at, at + 1447))) {
          const message = decodeBmpMessage(frame.bytes, frame.offset);
          counts[frame.bytes[5]!]!++;
          assert.notEqual(message.kind, 'unknown', `${file} at ${frame.offset}`);
          assert.deepStrictEqual(encodeBmpMessage(message), frame.bytes, `${file} at ${frame.offset}: re-encoding differs`);
        }
      }
      framer.end();
      allFiles++;
    }
    assert.equal(bytes, row.bytes, `${row.files.join(', ')}: bytes`);
    assert.deepStrictEqual(counts.slice(0, 5), row.counts, `${row.files.join(', ')}: counts by type 0..4`);
    assert.deepStrictEqual(counts.slice(5), [0, 0], 'no termination or mirroring in these captures');
  }
  assert.equal(allFiles, 19);
});
