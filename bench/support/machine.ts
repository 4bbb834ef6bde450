/**
 * The machine line printed with every benchmark table: CPU model, core count, memory, Node and
 * V8 versions, OS. Figures without it cannot be compared with anyone else's.
 */
import { arch, cpus, platform, release, totalmem } from 'node:os';

/** One line describing this machine and runtime. */
export function machineLine(): string {
  const list = cpus();
  const model = (list[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB RAM`;
  return `${model}, ${list.length} cores, ${memory}; Node ${process.version} (V8 ${process.versions.v8}); ${platform()} ${release()} ${arch()}`;
}
