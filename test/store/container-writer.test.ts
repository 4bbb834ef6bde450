/**
 * ContainerFileWriter: writes exactly encodeContainer's bytes, abort and failed steps leave
 * the old target and no temp file, errors are FILE_ERROR naming the file and the step, and
 * SIGKILL at random moments never leaves a missing, partial or mixed file.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RibstoreError } from '../../src/errors.js';
import { readFileBytes, removeStaleTempFiles } from '../../src/store/atomic-file.js';
import { ContainerFileWriter } from '../../src/store/container-writer.js';
import { decodeContainer, encodeContainer, MAX_SECTIONS, type Section, sectionId } from '../../src/store/container.js';
import { generationLayout } from './container-writer-child.js';
import { withTempDir } from '../support/temp-dir.js';
import { runAndKill } from '../support/kill-child.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'container-writer-child.js');

function fileError(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof RibstoreError, `not a RibstoreError: ${String(error)}`);
    assert.equal(error.code, 'FILE_ERROR');
    assert.match(error.message, pattern);
    return true;
  };
}

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

async function writeAll(path: string, sections: readonly Section[]): Promise<void> {
  const writer = await ContainerFileWriter.open(path);
  for (const s of sections) await writer.section(s.id, s.payload);
  assert.equal(writer.sectionCount, sections.length);
  await writer.commit();
}

test('ContainerFileWriter writes exactly the bytes of encodeContainer', async () => {
  await withTempDir('writer', async (dir) => {
    const cases: Section[][] = [
      [],
      [{ id: sectionId('EMPT'), payload: new Uint8Array(0) }],
      [
        { id: sectionId('META'), payload: pattern(5, 1) },
        { id: sectionId('EMPT'), payload: new Uint8Array(0) },
        // Over 2 MiB, not a multiple of the writer's 1 MiB chunk: CRC and writes span chunks.
        { id: sectionId('ENTS'), payload: pattern(2.5 * 1024 * 1024 + 3, 2) },
        { id: 0xfffffffe, payload: pattern(1000, 3) },
      ],
    ];
    for (const [n, sections] of cases.entries()) {
      const path = join(dir, `c${n}.snap`);
      await writeAll(path, sections);
      const bytes = await readFileBytes(path);
      assert.deepEqual(bytes, encodeContainer(sections), `case ${n}`);
      assert.equal(decodeContainer(bytes, path).length, sections.length);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['c0.snap', 'c1.snap', 'c2.snap']);
  });
});

test('ContainerFileWriter: payloads may be views into a reused buffer, and calls may overlap', async () => {
  await withTempDir('writer', async (dir) => {
    const path = join(dir, 'reuse.snap');
    const buffer = new Uint8Array(300_000);
    const expected: Section[] = [];
    const writer = await ContainerFileWriter.open(path);
    for (let k = 0; k < 6; k++) {
      // An odd offset into the buffer, so the CRC's unaligned head runs too.
      const payload = buffer.subarray(k + 1, k + 1 + 50_000 * k);
      payload.set(pattern(payload.length, k));
      expected.push({ id: sectionId(`SEC${k}`), payload: payload.slice() });
      await writer.section(sectionId(`SEC${k}`), payload);
      buffer.fill(0xee); // the writer is done with the payload: this must not reach the file
    }
    await writer.commit();
    assert.deepEqual(await readFileBytes(path), encodeContainer(expected));

    // Calls without awaiting each one run in order.
    const overlapping = join(dir, 'overlap.snap');
    const sections = [0, 1, 2, 3].map((k) => ({ id: sectionId(`OVL${k}`), payload: pattern(70_000 * k + 1, k) }));
    const w = await ContainerFileWriter.open(overlapping);
    await Promise.all([...sections.map((s) => w.section(s.id, s.payload)), w.commit()]);
    assert.deepEqual(await readFileBytes(overlapping), encodeContainer(sections));

    // Queued sections are written together, but never with one queued after a commit or abort.
    const late = join(dir, 'late.snap');
    const w2 = await ContainerFileWriter.open(late);
    const early = sections.map((s) => w2.section(s.id, s.payload));
    const committed = w2.commit();
    await assert.rejects(w2.section(sectionId('LATE'), pattern(10, 9)), fileError(/write section 4 \(LATE\).*already closed/));
    await Promise.all([...early, committed]);
    assert.deepEqual(await readFileBytes(late), encodeContainer(sections));
  });
});

test('ContainerFileWriter.abort leaves no file and the old target intact; it is idempotent', async () => {
  await withTempDir('writer', async (dir) => {
    const fresh = join(dir, 'fresh.snap');
    const w1 = await ContainerFileWriter.open(fresh);
    await w1.section(sectionId('DATA'), pattern(10_000, 1));
    await w1.abort();
    await w1.abort();
    assert.deepEqual(await readdir(dir), []);

    const path = join(dir, 'old.snap');
    await writeFile(path, 'old contents');
    const w2 = await ContainerFileWriter.open(path);
    await w2.section(sectionId('DATA'), pattern(10_000, 2));
    await w2.abort();
    assert.deepEqual(await readdir(dir), ['old.snap']);
    assert.equal(Buffer.from(await readFileBytes(path)).toString(), 'old contents');
    await assert.rejects(w2.section(sectionId('MORE'), new Uint8Array(1)), fileError(/old\.snap: cannot write atomically \(write section 1 \(MORE\).*already closed/));
    await assert.rejects(w2.commit(), fileError(/old\.snap: cannot write atomically \(write header\)/));
    assert.equal(Buffer.from(await readFileBytes(path)).toString(), 'old contents');

    // After a successful commit, abort is a no-op (it must not touch the new target).
    await writeAll(path, [{ id: sectionId('NEW_'), payload: pattern(3, 3) }]);
    const w3 = await ContainerFileWriter.open(path);
    await w3.commit();
    await w3.abort();
    assert.deepEqual(decodeContainer(await readFileBytes(path), path), []);
    assert.deepEqual(await readdir(dir), ['old.snap']);
  });
});

test('ContainerFileWriter: a failed open names the file; a failed step names it, cleans up and leaves the target', async () => {
  await withTempDir('writer', async (dir) => {
    await assert.rejects(ContainerFileWriter.open(join(dir, 'no-dir', 'x.snap')), fileError(/no-dir\/x\.snap: cannot write atomically \(create temp file\): ENOENT/));

    // A non-empty directory at the target path: everything succeeds until the rename.
    const path = join(dir, 'target.snap');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'x');
    const writer = await ContainerFileWriter.open(path);
    await writer.section(sectionId('DATA'), pattern(5000, 4));
    await assert.rejects(writer.commit(), fileError(/target\.snap: cannot write atomically \(rename temp file over the target\)/));
    assert.deepEqual(await readdir(dir), ['target.snap'], 'temp file removed');
    assert.deepEqual(await readdir(path), ['keep'], 'target untouched');
    await writer.abort(); // safe after a failed step
    await assert.rejects(writer.section(sectionId('DATA'), new Uint8Array(1)), fileError(/target\.snap: .*already closed \(after failed step "rename temp file over the target"\)/));
  });
});

test(`ContainerFileWriter refuses section ${MAX_SECTIONS + 1} and removes the temp file`, async () => {
  await withTempDir('writer', async (dir) => {
    const path = join(dir, 'many.snap');
    const writer = await ContainerFileWriter.open(path);
    const empty = new Uint8Array(0);
    for (let k = 0; k < MAX_SECTIONS; k++) await writer.section(k, empty);
    await assert.rejects(writer.section(MAX_SECTIONS, empty), fileError(/many\.snap: cannot write atomically \(write section 65535 .*at most 65535 sections/));
    assert.deepEqual(await readdir(dir), []);
  });
});

/** The generation number of the container at `path`, after checking it is exactly that generation. */
async function checkOneGeneration(path: string): Promise<number> {
  const sections = decodeContainer(await readFileBytes(path), path);
  const generation = new DataView(sections[0]!.payload.buffer, sections[0]!.payload.byteOffset, 4).getUint32(0);
  const layout = generationLayout(generation);
  assert.equal(sections.length, layout.length, `generation ${generation}: section count`);
  for (const [k, { id, length, fill }] of layout.entries()) {
    const s = sections[k]!;
    assert.equal(s.id, id);
    assert.equal(s.payload.length, length, `generation ${generation}, section ${k}: length`);
    if (fill >= 0) assert.ok(s.payload.every((b) => b === fill), `generation ${generation}, section ${k}: all from one generation`);
  }
  return generation;
}

test('SIGKILL at random moments during streaming writes never leaves a missing, partial or mixed file', async () => {
  await withTempDir('writer', async (dir) => {
    const path = join(dir, 'rib.snap');
    await writeAll(
      path,
      generationLayout(0).map(({ id, length, fill }) => {
        const payload = new Uint8Array(length).fill(fill);
        if (fill < 0) new DataView(payload.buffer).setUint32(0, 0);
        return { id, payload };
      }),
    );
    let replaced = 0;
    let interrupted = 0;
    let previous = await checkOneGeneration(path);
    for (let i = 1; i <= 25; i++) {
      await runAndKill(CHILD, [path, String(i * 100_000)], Math.floor(Math.random() * 60));
      const generation = await checkOneGeneration(path);
      if (generation !== previous) replaced++;
      previous = generation;
      if ((await removeStaleTempFiles(path)) > 0) interrupted++;
      assert.deepEqual(await readdir(dir), ['rib.snap']);
    }
    // The kills must have hit both ways for the test to mean anything.
    assert.ok(replaced > 0, 'no child ever committed a generation');
    assert.ok(interrupted > 0, 'no kill ever interrupted a write');
  });
});
