/**
 * Child process for the crash-safety test: rewrites `argv[2]` with writeFileAtomic forever,
 * each time a valid container whose single section holds a generation number and filler,
 * until the parent kills it with SIGKILL.
 */
import { writeFileAtomic } from '../../src/store/atomic-file.js';
import { encodeContainer, sectionId } from '../../src/store/container.js';

const target = process.argv[2]!;
const DATA = sectionId('DATA');
let generation = Number(process.argv[3] ?? 0);
process.stdout.write('ready\n');
for (;;) {
  const payload = new Uint8Array(256 * 1024 + (generation % 4096)).fill(generation & 0xff);
  await writeFileAtomic(target, encodeContainer([{ id: DATA, payload }]));
  generation++;
}
