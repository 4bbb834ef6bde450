/**
 * BMP decode benchmark (`npm run bench:wire`): route announcements decoded per second on one
 * core, from recorded streams held in memory.
 *
 * Streams:
 * - full table: every prefix of ../shared/data/tables/tier1-full-table-prefixes.txt.gz (901,899
 *   IPv4 + 160,147 IPv6) as one monitored peer's pre-policy Route Monitoring, built with this
 *   project's encoders. Attributes are realistic and deterministic: AS paths of 1-8 hops
 *   (4-byte ASNs mixed in), 0-6 communities, large communities on some routes, MED on half, a
 *   next hop per neighbor AS. Two packings: `packed`, consecutive prefixes sharing attributes
 *   packed 1-4 per UPDATE (mean 2.5; a full table has a few hundred thousand distinct attribute
 *   sets, so a router's table dump packs a handful of prefixes per UPDATE), and `single`,
 *   one prefix per UPDATE (GoBGP's post-policy and Loc-RIB form; live churn).
 * - vendor: the 19 real router streams of ../shared/data/bmp (Cisco, Huawei, FRR), decoded
 *   back to back, counting every announced NLRI of every AFI/SAFI.
 *
 * Work measured per stream: frame 64 KiB chunks, decode every BMP message, keep the session
 * state, and walk every UPDATE with the per-peer context (wire/bgp's allocation-light
 * visitor; attributes decoded, NLRI visited through a cursor). A second figure uses
 * decodeUpdate (route objects). Each figure is the median of 5 runs after a warm-up run, in
 * wall time and in CPU time (the per-core figure on a shared machine).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { Address, parseAddress } from '../src/ip/address.js';
import { parsePrefix, type Prefix } from '../src/ip/prefix.js';
import { encodeOpen } from '../src/wire/bgp/open.js';
import { encodeUpdate } from '../src/wire/bgp/update.js';
import type { Nlri, PathAttributes } from '../src/wire/bgp/types.js';
import { BmpFramer, BmpPeerHeader, BmpSession, decodeBmpMessage, encodeBmpMessage, textTlv } from '../src/wire/bmp/index.js';
import { sharedData, vendorBmpStreams } from '../test/support/shared-data.js';
import { concatBytes } from '../test/support/bytes.js';

const RUNS = 5;

/** Deterministic PRNG (mulberry32), so every run builds the same stream. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


/** A full-table BMP stream: Initiation, Peer Up, then Route Monitoring for every prefix. */
function buildFullTableStream(prefixes: Prefix[], maxPerUpdate: number): { stream: Uint8Array; updates: number } {
  const random = prng(7);
  const peer = new BmpPeerHeader(0, 0, 0, 0, parseAddress('192.0.2.1'), 64496, 0xc0000201, 1700000000, 0);
  const capabilities = [
    { kind: 'multiprotocol' as const, code: 1 as const, afi: 1, safi: 1 },
    { kind: 'multiprotocol' as const, code: 1 as const, afi: 2, safi: 1 },
    { kind: 'four-octet-as' as const, code: 65 as const, asn: 64496 },
  ];
  const open = (asn: number, id: number) => encodeOpen({ version: 4, myAs: asn, holdTime: 90, bgpId: id, capabilities, otherParameters: [] });
  const parts: Uint8Array[] = [
    encodeBmpMessage({ kind: 'initiation', information: [textTlv(2, 'bench-router')] }),
    encodeBmpMessage({
      kind: 'peerUp',
      peer,
      localAddress: parseAddress('192.0.2.2'),
      localPort: 179,
      remotePort: 40000,
      sentOpen: open(64497, 0xc0000202),
      receivedOpen: open(64496, 0xc0000201),
      information: [],
    }),
  ];
  const neighbors = Array.from({ length: 40 }, (_, i) => 3000 + i * 97);
  const encodeContext = { fourOctetAs: true, addPath: new Set<number>() };
  let updates = 0;
  for (let i = 0; i < prefixes.length; ) {
    const family = prefixes[i]!.family;
    const count = 1 + Math.floor(random() * maxPerUpdate);
    const group: Nlri[] = [];
    while (group.length < count && i < prefixes.length && prefixes[i]!.family === family) {
      group.push({ prefix: prefixes[i++]!, pathId: undefined, labels: undefined, rd: undefined });
    }
    const neighbor = neighbors[Math.floor(random() * neighbors.length)]!;
    const hops = 1 + Math.floor(random() * 8);
    const asns = [neighbor];
    for (let h = 1; h < hops; h++) asns.push(random() < 0.15 ? 4200000000 + Math.floor(random() * 90000) : 1000 + Math.floor(random() * 64000));
    const communities = Array.from({ length: Math.floor(random() * 7) }, () => ((neighbor << 16) | Math.floor(random() * 65536)) >>> 0);
    const nextHop4 = new Address(4, 0xc6336400 + (neighbor & 0xff));
    const nextHop6 = new Address(6, 0x20010db8, 0, 0, neighbor);
    const attributes: PathAttributes = {
      origin: random() < 0.9 ? 0 : 2,
      asPath: [{ type: 2, asns }],
      med: random() < 0.5 ? Math.floor(random() * 1000) : undefined,
      communities: communities.length > 0 ? communities : undefined,
      largeCommunities: random() < 0.2 ? [[neighbor, 1, Math.floor(random() * 1000)]] : undefined,
    };
    let update: Uint8Array;
    if (family === 4) {
      update = encodeUpdate({ announced: group, attributes: { ...attributes, nextHop: nextHop4 } }, encodeContext);
    } else {
      const mpReach = {
        afi: 2,
        safi: 1,
        nextHop: nextHop6,
        linkLocalNextHop: undefined,
        nextHopRd: undefined,
        nextHopBytes: new Uint8Array(0),
        nlri: group,
        unknownNlri: undefined,
      };
      update = encodeUpdate({ attributes: { ...attributes, mpReach } }, encodeContext);
    }
    parts.push(encodeBmpMessage({ kind: 'routeMonitoring', peer, update }));
    updates++;
  }
  return { stream: concatBytes(parts), updates };
}

interface Outcome {
  messages: number;
  announced: number;
}

/** Frame, decode and walk a stream. */
function walkStream(stream: Uint8Array): Outcome {
  const framer = new BmpFramer();
  const session = new BmpSession();
  let messages = 0;
  let announced = 0;
  const visitor = { attributes() {}, withdraw() {}, announce: () => void announced++ };
  for (let at = 0; at < stream.length; at += 65536) {
    for (const frame of framer.push(stream.subarray(at, at + 65536))) {
      const message = decodeBmpMessage(frame.bytes, frame.offset);
      messages++;
      session.receive(message, frame.offset);
      if (message.kind === 'routeMonitoring') session.walkUpdate(message, visitor);
    }
  }
  framer.end();
  return { messages, announced };
}

/** Frame, decode and build route objects (decodeUpdate). */
function decodeStream(stream: Uint8Array): Outcome {
  const framer = new BmpFramer();
  const session = new BmpSession();
  let messages = 0;
  let announced = 0;
  for (let at = 0; at < stream.length; at += 65536) {
    for (const frame of framer.push(stream.subarray(at, at + 65536))) {
      const message = decodeBmpMessage(frame.bytes, frame.offset);
      messages++;
      session.receive(message, frame.offset);
      if (message.kind !== 'routeMonitoring') continue;
      const update = session.decodeUpdate(message);
      announced += update.announced.length + (update.attributes.mpReach?.nlri.length ?? 0);
    }
  }
  framer.end();
  return { messages, announced };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

interface Measured {
  /** Median wall-clock seconds. */
  wall: number;
  /** Median CPU seconds of the process (user + system, GC helper threads included). */
  cpu: number;
  outcome: Outcome;
}

/**
 * Medians of RUNS runs (after one warm-up) of wall time and of CPU time. On a machine shared
 * with other jobs the wall time includes waiting for a core; CPU time does not, so
 * announcements per CPU second is the per-core figure, and it is conservative (GC threads
 * running beside the decoder count too).
 */
function measure(work: () => Outcome): Measured {
  const outcome = work();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    work();
    walls.push(Number(process.hrtime.bigint() - start) / 1e9);
    const cpu = process.cpuUsage(cpuStart);
    cpus.push((cpu.user + cpu.system) / 1e6);
  }
  return { wall: median(walls), cpu: median(cpus), outcome };
}

function row(name: string, bytes: number, result: Measured): string {
  const { wall, cpu, outcome } = result;
  const rate = (n: number, seconds: number) => `${(n / seconds / 1e6).toFixed(2)} M/s`;
  return `| ${name} | ${(bytes / 1e6).toFixed(1)} MB | ${outcome.messages.toLocaleString('en-US')} | ${outcome.announced.toLocaleString('en-US')} | ${(wall * 1000).toFixed(0)} ms | ${(cpu * 1000).toFixed(0)} ms | ${rate(outcome.announced, wall)} | **${rate(outcome.announced, cpu)}** |`;
}

function main(): void {
  console.log(`# wire-bmp benchmark: one core, median of ${RUNS} runs (${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version})`);
  // Figures from a machine shared with other jobs are lower than the code's speed: say so.
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log('| stream | size | BMP messages | announcements | wall | CPU | announcements/s (wall) | announcements per CPU second |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const tablePath = sharedData('tables', 'tier1-full-table-prefixes.txt.gz');
  if (existsSync(tablePath)) {
    const prefixes = gunzipSync(readFileSync(tablePath))
      .toString('utf8')
      .split(/\r?\n/)
      .filter((line) => line.length > 0)
      .map(parsePrefix);
    for (const [name, maxPerUpdate] of [
      ['full table, packed (1-4 per UPDATE)', 4],
      ['full table, one prefix per UPDATE', 1],
    ] as const) {
      const built = buildFullTableStream(prefixes, maxPerUpdate);
      console.log(row(`${name}, walkUpdate`, built.stream.length, measure(() => walkStream(built.stream))));
      console.log(row(`${name}, decodeUpdate`, built.stream.length, measure(() => decodeStream(built.stream))));
    }
  } else {
    console.log(`(full-table streams skipped: ${tablePath} absent)`);
  }
  const names = vendorBmpStreams();
  if (names.length > 0) {
    const streams = names.map((name) => new Uint8Array(readFileSync(sharedData('bmp', name))));
    const bytes = streams.reduce((n, s) => n + s.length, 0);
    const all = (work: (s: Uint8Array) => Outcome) => () =>
      streams.map(work).reduce((a, b) => ({ messages: a.messages + b.messages, announced: a.announced + b.announced }));
    console.log(row(`vendor streams (${streams.length} files), walkUpdate`, bytes, measure(all(walkStream))));
    console.log(row(`vendor streams (${streams.length} files), decodeUpdate`, bytes, measure(all(decodeStream))));
  } else {
    console.log(`(vendor streams skipped: ${sharedData('bmp')} absent)`);
  }
  console.log('\nTarget (issue 3): at least 2 M announcements/s per core from a recorded stream.');
}

main();
