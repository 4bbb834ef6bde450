/**
 * Child process for the streaming writer's crash-safety test: rewrites `argv[2]` with
 * ContainerFileWriter forever, generation after generation, until the parent kills it
 * with SIGKILL. `generationSections` (also used by the parent to check what it finds)
 * says what generation g holds: a GENR section with g, then 2 to 4 DATA sections of
 * 64-128 KiB filled with a byte derived from g, all written from one reused buffer.
 */
import { fileURLToPath } from 'node:url';
import { ContainerFileWriter } from '../../src/store/container-writer.js';
import { sectionId } from '../../src/store/container.js';

const GENR = sectionId('GENR');
const DATA = sectionId('DATA');

/** The sections of generation `g`, as [id, length, fill byte] (GENR's payload is g itself). */
export function generationLayout(g: number): { id: number; length: number; fill: number }[] {
  const layout = [{ id: GENR, length: 4, fill: -1 }];
  for (let k = 0; k < 2 + (g % 3); k++) layout.push({ id: DATA, length: 65536 + ((g * 7919 + k * 4099) % 65536), fill: (g + k) & 0xff });
  return layout;
}

async function main(): Promise<void> {
  const target = process.argv[2]!;
  let generation = Number(process.argv[3] ?? 0);
  // One buffer for every payload, refilled between sections: the writer must be done with
  // a payload when section() resolves.
  const buffer = new Uint8Array(128 * 1024);
  process.stdout.write('ready\n');
  for (;;) {
    const writer = await ContainerFileWriter.open(target);
    for (const { id, length, fill } of generationLayout(generation)) {
      const payload = buffer.subarray(0, length);
      if (id === GENR) new DataView(payload.buffer, payload.byteOffset, 4).setUint32(0, generation);
      else payload.fill(fill);
      await writer.section(id, payload);
    }
    await writer.commit();
    generation++;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
