/** writeFileAtomic: errors name the file, and SIGKILL at random moments never leaves a missing or partial file. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RibstoreError } from '../../src/errors.js';
import { readFileBytes, removeStaleTempFiles, writeFileAtomic } from '../../src/store/atomic-file.js';
import { decodeContainer, encodeContainer, sectionId } from '../../src/store/container.js';
import { runAndKill } from '../support/kill-child.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'atomic-writer-child.js');

test('writeFileAtomic replaces the file and leaves no temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ribstore-atomic-'));
  try {
    const path = join(dir, 'a.snap');
    await writeFile(path, 'old');
    await writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    assert.deepEqual([...(await readFileBytes(path))], [1, 2, 3]);
    assert.deepEqual(await readdir(dir), ['a.snap']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('file errors name the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ribstore-atomic-'));
  try {
    await assert.rejects(readFileBytes(join(dir, 'missing.snap')), (e: unknown) => e instanceof RibstoreError && e.code === 'FILE_ERROR' && /missing\.snap: cannot read: no such file/.test(e.message));
    await assert.rejects(writeFileAtomic(join(dir, 'no-dir', 'x.snap'), Uint8Array.of(1)), (e: unknown) => e instanceof RibstoreError && e.code === 'FILE_ERROR' && /x\.snap: cannot write atomically/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('SIGKILL at random points during repeated atomic writes never leaves a missing or half-written file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ribstore-atomic-'));
  try {
    const path = join(dir, 'rib.snap');
    await writeFileAtomic(path, encodeContainer([{ id: sectionId('DATA'), payload: new Uint8Array(10) }]));
    for (let i = 0; i < 30; i++) {
      await runAndKill(CHILD, [path, String(i * 1000)], Math.floor(Math.random() * 40));
      const sections = decodeContainer(await readFileBytes(path), path);
      assert.equal(sections.length, 1);
      const payload = sections[0]!.payload;
      assert.ok(payload.every((b) => b === payload[0]), 'payload is one complete generation');
      await removeStaleTempFiles(path);
      assert.deepEqual(await readdir(dir), ['rib.snap']);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
