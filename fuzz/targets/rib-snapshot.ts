/**
 * Fuzz target for RIB snapshot restore (src/rib/snapshot-restore.ts).
 *
 * `rib-snapshot`: input = a snapshot's sections without their checksums, each framed as
 * `id u32 | length u32 | payload` (a length past the end takes what is left). `run` builds a
 * valid container around them (so the checksums hold and the mutations reach the records:
 * flipped and truncated files are the tests' job) and restores it. Every malformed META,
 * ROUT, ATTR or SUMM must be a RibstoreError; a restore that succeeds must hold what SUMM
 * says, which the restore itself checks.
 *
 * Seeds: snapshots written by writeRibSnapshot of small RIBs loaded from generated MRT dumps
 * (IPv4 and IPv6, several peers; one with a second, disconnected router and a VPN table).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMrtFiles } from '../../src/collector/mrt-loader.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { restoreRibSnapshot } from '../../src/rib/snapshot-restore.js';
import { writeRibSnapshot } from '../../src/rib/snapshot-write.js';
import { readFileBytes } from '../../src/store/atomic-file.js';
import { type Section, decodeContainer, encodeContainer } from '../../src/store/container.js';
import { generatedRibDump } from '../../test/support/generated-mrt.js';
import type { FuzzTarget } from '../target.js';

/** Sections framed without checksums (see the module doc). */
function frame(sections: readonly Section[]): Uint8Array {
  const out = new Uint8Array(sections.reduce((n, s) => n + 8 + s.payload.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const s of sections) {
    view.setUint32(at, s.id);
    view.setUint32(at + 4, s.payload.length);
    out.set(s.payload, at + 8);
    at += 8 + s.payload.length;
  }
  return out;
}

function unframe(input: Uint8Array): Section[] {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const sections: Section[] = [];
  let at = 0;
  while (at + 8 <= input.length && sections.length < 0xffff) {
    const id = view.getUint32(at);
    const end = Math.min(input.length, at + 8 + view.getUint32(at + 4));
    sections.push({ id, payload: input.subarray(at + 8, end) });
    at = end;
  }
  return sections;
}

async function seedSnapshots(): Promise<Uint8Array[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ribstore-fuzz-snapshot-'));
  try {
    const seeds: Uint8Array[] = [];
    for (const [prefixes, peers, extras] of [
      [8, 2, false],
      [40, 3, true],
    ] as const) {
      const dump = join(dir, `dump-${prefixes}.mrt`);
      writeFileSync(dump, generatedRibDump({ prefixes, peers }));
      const rib = new Rib();
      await loadMrtFiles(rib, [dump]);
      if (extras) {
        // A second router with a VPN route, then disconnected: stale routes and two tables.
        const pv = rib.peerView({ router: 'r2', peer: { type: 1, distinguisher: '65000:1', address: '192.0.2.9', asn: 65009, bgpId: 9 }, view: 'loc-rib', afi: 1, safi: 128 });
        const attr = rib.attributes.ids().next().value as number;
        rib.announce(pv, rib.table('65000:1'), parsePrefix('198.51.100.0/24'), 7, attr);
        rib.routerDown('r2');
      }
      const path = join(dir, `seed-${prefixes}.snap`);
      await writeRibSnapshot(rib, path);
      seeds.push(frame(decodeContainer(await readFileBytes(path), path)));
    }
    return seeds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const seeds = await seedSnapshots();

/** `rib-snapshot`: see the module doc. */
export const ribSnapshotTarget: FuzzTarget = {
  name: 'rib-snapshot',
  seeds,
  maxInputLength: 1 << 17,
  run(input) {
    restoreRibSnapshot(encodeContainer(unframe(input)), 'fuzz input');
  },
};
