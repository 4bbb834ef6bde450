/**
 * BGP UPDATE decoding throughput: routes per second through `walkUpdate` (the RIB ingest
 * path, no per-route objects) and `decodeUpdate` (plain data), median of 7 runs each.
 *
 * Data: the real full IPv4 table of ../shared/data/mrt/updates.et-header.2015.gz (577,737
 * announcements in 89,679 UPDATEs) when present, and two generated streams that bracket BMP
 * traffic: one prefix per UPDATE (routers often send that) and 20 IPv6 prefixes per UPDATE.
 *
 * Time is the process's CPU time (user + system), not wall time: the figure is routes per
 * CPU-second of one core, and stays meaningful on a machine shared with other work.
 *
 *   npm run build && node dist/bench/wire-bgp.js
 */
import { existsSync } from 'node:fs';
import { Address, parseAddress } from '../src/ip/address.js';
import { Prefix } from '../src/ip/prefix.js';
import {
  type BgpDecodeContext,
  NlriCursor,
  type PathAttributes,
  createDecodeContext,
  decodeUpdate,
  encodeUpdate,
  walkUpdate,
} from '../src/wire/bgp/index.js';
import { sharedData } from '../test/support/shared-data.js';
import { bgpMessagesOfMrt } from '../test/wire/bgp/mrt-messages.js';

interface Stream {
  name: string;
  bytes: Uint8Array;
  offsets: number[];
  ctx: BgpDecodeContext;
}

const RUNS = 7;

function generated(name: string, count: number, perUpdate: number, v6: boolean): Stream {
  const ctx = createDecodeContext({ fourOctetAs: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const nlri = Array.from({ length: perUpdate }, (_, k) => {
      const n = i * perUpdate + k;
      const prefix = v6 ? new Prefix(6, 0x20010db8, n, 0, 0, 64) : new Prefix(4, (0x0b000000 + n * 256) >>> 0, 0, 0, 0, 24);
      return { prefix, pathId: undefined, labels: undefined, rd: undefined };
    });
    const attributes: PathAttributes = {
      origin: 0,
      asPath: [{ type: 2, asns: [64500, 3356, 1299, 174, 65000 + (i % 500)] }],
      med: i % 100,
      communities: [0xfde80001, 0xfde80002, (3356 << 16) | (i % 1000)],
    };
    if (v6) {
      attributes.mpReach = {
        afi: 2,
        safi: 1,
        nextHop: parseAddress('2001:db8::1'),
        linkLocalNextHop: undefined,
        nextHopRd: undefined,
        nextHopBytes: new Uint8Array(0),
        nlri,
        unknownNlri: undefined,
      };
    } else {
      attributes.nextHop = new Address(4, 0xc0000201);
    }
    const bytes = encodeUpdate({ attributes, announced: v6 ? [] : nlri }, ctx);
    chunks.push(bytes);
    total += bytes.length;
  }
  const bytes = new Uint8Array(total);
  const offsets: number[] = [];
  let at = 0;
  for (const c of chunks) {
    offsets.push(at);
    bytes.set(c, at);
    at += c.length;
  }
  return { name, bytes, offsets, ctx };
}

function real(): Stream | undefined {
  const file = sharedData('mrt', 'updates.et-header.2015.gz');
  if (!existsSync(file)) return undefined;
  const { bytes, messages } = bgpMessagesOfMrt(file);
  const updates = messages.filter((m) => bytes[m.start + 18] === 2);
  // One context fits all: the dump is one 4-octet-AS session.
  return { name: 'full IPv4 table (et-header 2015)', bytes, offsets: updates.map((m) => m.start), ctx: updates[0]!.ctx };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function measure(stream: Stream, label: string, decode: (offset: number) => number): void {
  const rates: number[] = [];
  let routes = 0;
  for (let run = 0; run < RUNS + 1; run++) {
    routes = 0;
    const t0 = process.cpuUsage();
    for (const offset of stream.offsets) routes += decode(offset);
    const used = process.cpuUsage(t0);
    const seconds = (used.user + used.system) / 1e6;
    if (run > 0) rates.push(routes / seconds); // run 0 warms the JIT
  }
  const m = median(rates);
  console.log(`${stream.name.padEnd(36)} ${label.padEnd(13)} ${(m / 1e6).toFixed(2).padStart(6)} M routes/s  (${routes.toLocaleString('en-US')} routes, min ${(Math.min(...rates) / 1e6).toFixed(2)}, max ${(Math.max(...rates) / 1e6).toFixed(2)})`);
}

const streams = [real(), generated('1 IPv4 prefix per UPDATE', 200_000, 1, false), generated('20 IPv6 prefixes per UPDATE', 20_000, 20, true)].filter(
  (s): s is Stream => s !== undefined,
);
const cursor = new NlriCursor();
let sink = 0;
const visitor = {
  attributes(): void {},
  announce(route: NlriCursor): void {
    sink += route.length;
  },
  withdraw(route: NlriCursor): void {
    sink -= route.length;
  },
};
console.log(`BGP UPDATE decoding, routes per CPU-second, median of ${RUNS} runs, node ${process.version}`);
for (const stream of streams) {
  measure(stream, 'walkUpdate', (offset) => walkUpdate(stream.bytes, offset, stream.ctx, visitor, cursor).announced);
  measure(stream, 'decodeUpdate', (offset) => {
    const u = decodeUpdate(stream.bytes, offset, stream.ctx);
    return u.announced.length + (u.attributes.mpReach?.nlri.length ?? 0);
  });
}
if (sink === 0.5) console.log(sink); // keep the visitor's work observable
