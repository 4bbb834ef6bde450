/**
 * MRT end to end against bgpdump, the reference decoder: loading ../shared/data/mrt/rib.bz2
 * must hold exactly the (peer, prefix) routes that `bgpdump -m` lists, with the same AS paths.
 * Also runs `ribstore load` and `ribstore lookup` as child processes on a small dump.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadMrtFiles } from '../../src/collector/mrt-loader.js';
import { parseAddress } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { missingTool } from '../support/requirements.js';
import { projectRoot, sharedData, skipUnlessShared } from '../support/shared-data.js';

const run = promisify(execFile);


/** `peer prefix` → AS path text, from `bgpdump -m FILE` (written to a temp file, then read). */
async function bgpdumpRoutes(file: string): Promise<Map<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ribstore-bgpdump-'));
  try {
    const out = join(dir, 'routes.txt');
    const fd = openSync(out, 'w');
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn('bgpdump', ['-m', file], { stdio: ['ignore', fd, 'ignore'] });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bgpdump exited with ${code}`))));
      });
    } finally {
      closeSync(fd);
    }
    const routes = new Map<string, string>();
    for await (const line of createInterface({ input: createReadStream(out) })) {
      const fields = line.split('|');
      if (fields[0] !== 'TABLE_DUMP2' || fields[2] !== 'B') continue;
      // bgpdump prints addresses with inet_ntop, which also shortens a single zero group
      // (2001:668::3:ffff:…); ribstore prints RFC 5952 text. Compare the addresses, not the texts.
      routes.set(`${parseAddress(fields[3]!).toString()} ${parsePrefix(fields[5]!).toString()}`, fields[6]!);
    }
    return routes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `peer prefix` → AS path text (bgpdump's form), from the RIB's query API. */
function ribRoutes(rib: Rib): Map<string, string> {
  const routes = new Map<string, string>();
  const all = [rib.routes('0.0.0.0/0'), ...rib.moreSpecifics('0.0.0.0/0'), rib.routes('::/0'), ...rib.moreSpecifics('::/0')];
  for (const prefix of all) {
    if (!prefix) continue;
    for (const route of prefix.routes) {
      const path = route.asPath.map((hop) => (Array.isArray(hop) ? `{${hop.join(',')}}` : String(hop))).join(' ');
      const key = `${route.peer.address} ${prefix.prefix}`;
      assert.ok(!routes.has(key), `one route per (peer, prefix): ${key}`);
      routes.set(key, path);
    }
  }
  return routes;
}

describe('MRT loading', () => {
  const skip = skipUnlessShared('mrt', 'rib.bz2') || missingTool('bgpdump', 'bgpdump', ['-T']);

  test('rib.bz2 holds exactly the (peer, prefix) routes bgpdump -m lists, with their AS paths', { skip, timeout: 600_000 }, async () => {
    const file = sharedData('mrt', 'rib.bz2');
    const rib = new Rib();
    const progress: number[] = [];
    const [expected, summary] = await Promise.all([bgpdumpRoutes(file), loadMrtFiles(rib, [file], { onProgress: (p) => progress.push(p.routes) })]);
    assert.equal(summary.skipped, 0);
    assert.equal(summary.announcements, expected.size);
    assert.equal(summary.routes, expected.size);
    assert.ok(progress.length > 1 && progress.every((n, i) => i === 0 || n >= progress[i - 1]!), 'progress grows');
    const actual = ribRoutes(rib);
    assert.equal(actual.size, expected.size);
    let missing = 0;
    let differentPath = 0;
    for (const [key, path] of expected) {
      const ours = actual.get(key);
      if (ours === undefined) missing++;
      else if (ours !== path) differentPath++;
    }
    assert.equal(missing, 0, 'routes bgpdump lists that the RIB lacks');
    assert.equal(differentPath, 0, 'routes whose AS path differs from bgpdump');
  });

  const cliSkip = skipUnlessShared('mrt', 'bview.20020722.2337.gz');
  test('ribstore load and ribstore lookup (child processes) on a TABLE_DUMP v1 bview', { skip: cliSkip, timeout: 300_000 }, async () => {
    const main = join(projectRoot, 'dist/src/cli/main.js');
    const file = sharedData('mrt', 'bview.20020722.2337.gz');
    const load = await run(process.execPath, [main, 'load', '--json', file]);
    const summary = JSON.parse(load.stdout);
    assert.equal(summary.announcements, 115_521, 'SOURCES.md: 115,521 entries');
    assert.equal(summary.prefixes, 112_988, 'SOURCES.md: 112,988 distinct prefixes');
    assert.equal(summary.peers, 36, 'SOURCES.md: 36 peers');
    assert.equal(load.stderr, '', 'no progress bar when stderr is not a terminal');
    const lookup = await run(process.execPath, [main, 'lookup', '193.0.0.1', '--mrt', file]);
    const answer = JSON.parse(lookup.stdout);
    assert.match(answer.prefix, /^193\.0\./);
    assert.ok(answer.routes.length > 0);
    assert.ok(answer.routes.every((r: { router: string; peer: { address: string } }) => r.router === 'mrt' && r.peer.address !== ''));
    const miss = await run(process.execPath, [main, 'lookup', '2001:db8::1', '--mrt', file]).catch((error: { code: number; stderr: string }) => error);
    assert.equal((miss as { code: number }).code, 1, 'no IPv6 route in a 2002 IPv4 dump: exit 1');
  });
});
