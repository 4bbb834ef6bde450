/**
 * ContainerFileReader against decodeContainer (the reader of bytes in memory): the same
 * payloads from an intact file, and every single-byte flip and every truncation of a small
 * file rejected by both, in the same words when the damage is inside a payload.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { RibstoreError } from '../../src/errors.js';
import { ContainerFileReader } from '../../src/store/container-file-reader.js';
import { HEADER_BYTES, SECTION_HEAD_BYTES, decodeContainer, encodeContainer, sectionId } from '../../src/store/container.js';
import { withTempDir } from '../support/temp-dir.js';

const SECTIONS = [
  { id: sectionId('META'), payload: Uint8Array.of(1, 2, 3, 4) },
  { id: sectionId('EMPT'), payload: new Uint8Array(0) },
  { id: sectionId('DATA'), payload: Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255) },
  { id: sectionId('DATA'), payload: Uint8Array.of(9, 8, 7) },
];

/** Every payload of the file at `path`, read with one reused buffer; or the error. */
async function readAll(path: string): Promise<Uint8Array[] | RibstoreError> {
  try {
    const file = await ContainerFileReader.open(path);
    try {
      const buffer = new Uint8Array(64);
      const out: Uint8Array[] = [];
      for (const s of file.sections) out.push((await file.read(s, buffer)).slice());
      return out;
    } finally {
      await file.close();
    }
  } catch (error) {
    assert.ok(error instanceof RibstoreError, `not a RibstoreError: ${String(error)}`);
    return error;
  }
}

function decodeAll(bytes: Uint8Array, source: string): Uint8Array[] | RibstoreError {
  try {
    return decodeContainer(bytes, source).map((s) => s.payload);
  } catch (error) {
    assert.ok(error instanceof RibstoreError, `not a RibstoreError: ${String(error)}`);
    return error;
  }
}

test('ContainerFileReader reads the payloads decodeContainer reads, ids and order kept', async () => {
  await withTempDir('container-reader', async (dir) => {
    const path = join(dir, 'good.snap');
    await writeFile(path, encodeContainer(SECTIONS));
    const file = await ContainerFileReader.open(path);
    try {
      assert.deepEqual(
        file.sections.map((s) => s.id),
        SECTIONS.map((s) => s.id),
      );
      assert.deepEqual(
        file.sectionsWithId(sectionId('DATA')).map((s) => s.index),
        [2, 3],
      );
    } finally {
      await file.close();
    }
    assert.deepEqual(
      (await readAll(path)) as Uint8Array[],
      SECTIONS.map((s) => s.payload),
    );
  });
});

test('ContainerFileReader: every flip and every truncation is a FILE_ERROR naming the file, as decodeContainer reports it', async () => {
  await withTempDir('container-reader', async (dir) => {
    const good = encodeContainer(SECTIONS);
    const path = join(dir, 'bad.snap');
    // Where the payloads are: damage there must be reported in the same words by both readers.
    const payloadBytes = new Set<number>();
    let at = HEADER_BYTES;
    for (const s of SECTIONS) {
      for (let i = 0; i < s.payload.length; i++) payloadBytes.add(at + SECTION_HEAD_BYTES + i);
      at += SECTION_HEAD_BYTES + s.payload.length;
    }
    const damaged: Uint8Array[] = [];
    for (let i = 0; i < good.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = good.slice();
        bad[i]! ^= mask;
        damaged.push(bad);
      }
    }
    for (let n = 0; n < good.length; n++) damaged.push(good.slice(0, n));
    damaged.push(Uint8Array.of(...good, 0));
    for (const bad of damaged) {
      await writeFile(path, bad);
      const fromFile = await readAll(path);
      const fromBytes = decodeAll(bad, path);
      assert.ok(fromBytes instanceof RibstoreError, 'the damage is caught in memory');
      assert.ok(fromFile instanceof RibstoreError, `the damage is caught in the file too (decodeContainer: ${fromBytes.message})`);
      assert.equal(fromFile.code, 'FILE_ERROR');
      assert.ok(fromFile.message.startsWith(`${path}: `), fromFile.message);
      const flipped = bad.length === good.length ? bad.findIndex((b, i) => b !== good[i]) : -1;
      if (payloadBytes.has(flipped)) assert.equal(fromFile.message, fromBytes.message);
    }
  });
});

test('ContainerFileReader names a missing file', async () => {
  await withTempDir('container-reader', async (dir) => {
    await assert.rejects(ContainerFileReader.open(join(dir, 'none.snap')), (e: unknown) => e instanceof RibstoreError && e.code === 'FILE_ERROR' && /none\.snap: cannot read: no such file/.test(e.message));
  });
});
