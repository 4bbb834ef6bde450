/**
 * `ribstore bmp dump FILE`: decode a raw BMP stream (the router-to-collector TCP payload) and
 * print one JSON object per message, one per line (JSON Lines).
 *
 * The output shape (documented in README.md, "BMP"): every object has `offset` (stream position)
 * and `type` (the message kind); per-peer messages have `peer`; BGP PDUs are decoded with the
 * peer's context from its Peer Up (see wire/bmp/session.ts). Values are JSON-safe: no bigint
 * (64-bit gauges print as numbers when exact, else as decimal strings), prefixes and addresses
 * as text, raw bytes as lower-case hex.
 *
 * A decode error stops the dump: the messages before it are printed, the error (with its
 * stream offset) goes to stderr and the exit code is 1.
 */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { DecodeError, RibstoreError } from '../../errors.js';
import { formatIPv4 } from '../../ip/address.js';
import {
  formatAsPath,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  formatOrigin,
} from '../../wire/bgp/communities.js';
import { formatRouteDistinguisher } from '../../wire/bgp/route-distinguisher.js';
import { decodeBgpMessage } from '../../wire/bgp/message.js';
import { FOUR_OCTET_AS_CONTEXT } from '../../wire/bgp/context.js';
import type { BgpOpen, BgpUpdate, Nlri, PathAttributes } from '../../wire/bgp/types.js';
import { BmpFramer, DEFAULT_MAX_BMP_MESSAGE_LENGTH } from '../../wire/bmp/framer.js';
import { decodeBmpMessage } from '../../wire/bmp/decode.js';
import { tlvText } from '../../wire/bmp/encode.js';
import { type BmpPeerHeader, formatPeerDistinguisher } from '../../wire/bmp/peer-header.js';
import { BMP_STAT_TYPE_NAMES, peerTypeName } from '../../wire/bmp/names.js';
import { BmpSession } from '../../wire/bmp/session.js';
import type { BmpMessage, BmpStat, BmpTlv } from '../../wire/bmp/types.js';
import type { Command } from '../commands.js';
import { startsWithOpenBmpMagic } from '../../bus/openbmp.js';
import { OpenBmpFramer } from '../../bus/openbmp-framer.js';

/** A JSON-safe value. */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A 64-bit value as a number when exact, else as a decimal string. */
function safeInteger(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function peerJson(peer: BmpPeerHeader): Json {
  const seconds = peer.timestampSeconds;
  return {
    type: peerTypeName(peer.peerType),
    flags: {
      raw: peer.flags,
      ipv6: peer.ipv6Peer,
      postPolicy: peer.postPolicy,
      legacyAsPath: peer.legacyAsPath,
      adjRibOut: peer.adjRibOut,
      filtered: peer.filtered,
    },
    distinguisher: formatPeerDistinguisher(peer),
    address: peer.address.toString(),
    as: peer.peerAs,
    bgpId: formatIPv4(peer.bgpId),
    timestamp:
      new Date(seconds * 1000).toISOString().slice(0, 19) + '.' + String(peer.timestampMicroseconds).padStart(6, '0') + 'Z',
  };
}

const INFORMATION_NAMES: Record<number, string> = { 0: 'string', 1: 'sysDescr', 2: 'sysName', 3: 'tableName' };

function informationJson(tlvs: readonly BmpTlv[]): Json[] {
  return tlvs.map((tlv): Json =>
    INFORMATION_NAMES[tlv.type] ? { type: tlv.type, name: INFORMATION_NAMES[tlv.type]!, value: tlvText(tlv) } : { type: tlv.type, hex: hex(tlv.value) },
  );
}

const TERMINATION_REASONS = ['administratively closed', 'unspecified', 'out of resources', 'redundant connection', 'permanently administratively closed'];

function terminationJson(tlvs: readonly BmpTlv[]): Json[] {
  return tlvs.map((tlv): Json => {
    if (tlv.type === 0) return { type: 0, name: 'string', value: tlvText(tlv) };
    if (tlv.type === 1 && tlv.value.length === 2) {
      const code = (tlv.value[0]! << 8) | tlv.value[1]!;
      return { type: 1, name: 'reason', code, reason: TERMINATION_REASONS[code] ?? 'unknown' };
    }
    return { type: tlv.type, hex: hex(tlv.value) };
  });
}


function statJson(stat: BmpStat): Json {
  const name = BMP_STAT_TYPE_NAMES[stat.type]?.description ?? 'unknown';
  switch (stat.shape) {
    case 'counter':
      return { type: stat.type, name, value: stat.value };
    case 'gauge':
      return { type: stat.type, name, value: safeInteger(stat.value) };
    case 'afiSafiGauge':
      return { type: stat.type, name, afi: stat.afi, safi: stat.safi, value: safeInteger(stat.value) };
    case 'raw':
      return { type: stat.type, name, hex: hex(stat.value) };
  }
}

function routeJson(route: Nlri, afi: number, safi: number): Json {
  const out: { [key: string]: Json } = { prefix: route.prefix.toString(), afi, safi };
  if (route.pathId !== undefined) out['pathId'] = route.pathId;
  if (route.labels !== undefined) out['labels'] = route.labels.map((entry) => entry >>> 4);
  if (route.rd !== undefined) out['rd'] = formatRouteDistinguisher(route.rd);
  return out;
}

function attributesJson(a: PathAttributes): Json {
  const out: { [key: string]: Json } = {};
  if (a.origin !== undefined) out['origin'] = formatOrigin(a.origin);
  if (a.asPath !== undefined) out['asPath'] = formatAsPath(a.asPath);
  const nextHop = a.mpReach?.nextHop ?? a.nextHop;
  if (nextHop !== undefined) out['nextHop'] = nextHop.toString();
  if (a.mpReach?.linkLocalNextHop) out['linkLocalNextHop'] = a.mpReach.linkLocalNextHop.toString();
  if (a.med !== undefined) out['med'] = a.med;
  if (a.localPref !== undefined) out['localPref'] = a.localPref;
  if (a.atomicAggregate) out['atomicAggregate'] = true;
  if (a.aggregator !== undefined) out['aggregator'] = { as: a.aggregator.asn, address: formatIPv4(a.aggregator.address) };
  if (a.communities !== undefined) out['communities'] = a.communities.map(formatCommunity);
  if (a.largeCommunities !== undefined) out['largeCommunities'] = a.largeCommunities.map(formatLargeCommunity);
  if (a.extendedCommunities !== undefined) out['extendedCommunities'] = a.extendedCommunities.map(formatExtendedCommunity);
  if (a.originatorId !== undefined) out['originatorId'] = formatIPv4(a.originatorId);
  if (a.clusterList !== undefined) out['clusterList'] = a.clusterList.map(formatIPv4);
  if (a.otc !== undefined) out['otc'] = a.otc;
  if (a.unknown !== undefined) out['unknown'] = a.unknown.map((u) => ({ type: u.type, flags: u.flags, hex: hex(u.value) }));
  return out;
}

function updateJson(update: BgpUpdate): { [key: string]: Json } {
  const a = update.attributes;
  const announced = update.announced.map((r) => routeJson(r, 1, 1));
  if (a.mpReach) for (const r of a.mpReach.nlri) announced.push(routeJson(r, a.mpReach.afi, a.mpReach.safi));
  const withdrawn = update.withdrawn.map((r) => routeJson(r, 1, 1));
  if (a.mpUnreach) for (const r of a.mpUnreach.nlri) withdrawn.push(routeJson(r, a.mpUnreach.afi, a.mpUnreach.safi));
  const out: { [key: string]: Json } = { announced, withdrawn, attributes: attributesJson(a) };
  if (announced.length === 0 && withdrawn.length === 0) {
    // End-of-RIB (RFC 4724): an empty UPDATE (IPv4) or an empty MP_UNREACH_NLRI.
    const onlyUnreach = a.mpUnreach && a.mpUnreach.nlri.length === 0 && !a.mpUnreach.unknownNlri && Object.keys(a).length === 1;
    if (Object.keys(a).length === 0) out['endOfRib'] = { afi: 1, safi: 1 };
    else if (onlyUnreach) out['endOfRib'] = { afi: a.mpUnreach!.afi, safi: a.mpUnreach!.safi };
  }
  if (update.treatAsWithdraw) out['treatAsWithdraw'] = true;
  if (update.errors.length > 0) out['errors'] = update.errors.map((e) => e.message);
  if (update.unknownFamilies > 0) out['unknownFamilies'] = update.unknownFamilies;
  return out;
}

function openJson(open: BgpOpen): Json {
  return {
    version: open.version,
    asn: open.asn,
    holdTime: open.holdTime,
    bgpId: formatIPv4(open.bgpId),
    capabilities: open.capabilities.map((c): Json => {
      switch (c.kind) {
        case 'multiprotocol':
          return { kind: c.kind, afi: c.afi, safi: c.safi };
        case 'four-octet-as':
          return { kind: c.kind, asn: c.asn };
        case 'add-path':
          return { kind: c.kind, families: c.families.map((f) => ({ afi: f.afi, safi: f.safi, sendReceive: f.sendReceive })) };
        case 'graceful-restart':
          return { kind: c.kind, flags: c.flags, restartTime: c.restartTime, families: c.families.map((f) => ({ afi: f.afi, safi: f.safi, flags: f.flags })) };
        case 'unknown':
          return { kind: c.kind, code: c.code, hex: hex(c.value) };
        default:
          return { kind: c.kind };
      }
    }),
  };
}

/**
 * The JSON form of one BMP message (see the module doc). `session` must have `receive`d every
 * earlier message of the stream; this function feeds it `message` too.
 * @throws DecodeError when a BGP PDU inside cannot be decoded (offset in the stream).
 */
export function bmpMessageJson(message: BmpMessage, offset: number, session: BmpSession): Json {
  const state = session.receive(message, offset);
  switch (message.kind) {
    case 'routeMonitoring': {
      let update: BgpUpdate;
      try {
        update = session.decodeUpdate(message);
      } catch (error) {
        if (error instanceof DecodeError) {
          throw new DecodeError('BMP Route Monitoring', offset + 48 + error.offset, `BGP UPDATE: ${error.message}`, { cause: error });
        }
        throw error;
      }
      const out: { [key: string]: Json } = { offset, type: message.kind, peer: peerJson(message.peer), ...updateJson(update) };
      if (message.trailer) out['trailer'] = hex(message.trailer);
      return out;
    }
    case 'statisticsReport':
      return { offset, type: message.kind, peer: peerJson(message.peer), stats: message.stats.map(statJson) };
    case 'peerDown': {
      const out: { [key: string]: Json } = { offset, type: message.kind, peer: peerJson(message.peer), reason: message.reason };
      if (message.notification) {
        let n;
        try {
          n = decodeBgpMessage(message.notification, 0, FOUR_OCTET_AS_CONTEXT);
        } catch (error) {
          if (error instanceof DecodeError) {
            throw new DecodeError('BMP Peer Down', offset + 49 + error.offset, `BGP NOTIFICATION: ${error.message}`, { cause: error });
          }
          throw error;
        }
        out['notification'] = n.type === 'notification' ? { code: n.code, subcode: n.subcode, data: hex(n.data) } : hex(message.notification);
      }
      if (message.fsmEvent !== undefined) out['fsmEvent'] = message.fsmEvent;
      if (message.tlvs) out['information'] = informationJson(message.tlvs);
      if (message.data) out['data'] = hex(message.data);
      return out;
    }
    case 'peerUp':
      return {
        offset,
        type: message.kind,
        peer: peerJson(message.peer),
        localAddress: message.localAddress.toString(),
        localPort: message.localPort,
        remotePort: message.remotePort,
        sentOpen: openJson(state!.sentOpen),
        receivedOpen: openJson(state!.receivedOpen),
        information: informationJson(message.information),
      };
    case 'initiation':
      return { offset, type: message.kind, information: informationJson(message.information) };
    case 'termination':
      return { offset, type: message.kind, information: terminationJson(message.information) };
    case 'routeMirroring':
      return {
        offset,
        type: message.kind,
        peer: peerJson(message.peer),
        tlvs: message.tlvs.map((tlv): Json =>
          tlv.type === 1 && tlv.value.length === 2
            ? { type: 1, name: 'information', code: (tlv.value[0]! << 8) | tlv.value[1]! }
            : { type: tlv.type, name: tlv.type === 0 ? 'bgpMessage' : 'unknown', hex: hex(tlv.value) },
        ),
      };
    case 'unknown':
      return { offset, type: message.kind, typeCode: message.typeCode, hex: hex(message.body) };
  }
}

const help = `Usage: ribstore bmp dump [options] FILE

Decode a raw BMP stream (RFC 7854 version 3, as a router sends it to a collector over TCP;
e.g. the TCP payload extracted from a capture) and print one JSON object per message,
one per line. BGP UPDATEs inside Route Monitoring messages are decoded with the peer's
context (4-octet AS, ADD-PATH) learned from its Peer Up message.

Every object has "offset" (the message's byte position in FILE) and "type" (routeMonitoring,
statisticsReport, peerDown, peerUp, initiation, termination, routeMirroring or unknown);
per-peer messages have "peer" {type, flags, distinguisher, address, as, bgpId, timestamp}.
Route Monitoring adds "announced" and "withdrawn" (each {prefix, afi, safi} plus pathId,
labels, rd when present), "attributes" and "endOfRib" for End-of-RIB markers. See README.md
("BMP") for every field.

FILE may also hold OpenBMP v1.7 raw records (the "OBMP" header OpenBMP, GoBMP and ribstore
serve --publish put before each BMP message on a bus; recognised by the magic at the start of
FILE): each object then has "offset" of its record and an "openbmp" object {collector,
collectorHash, router, routerHash, routerGroup, timestamp}; each router's messages are decoded
with that router's own Peer Up context.

On a decode error the messages before it are printed, then the error with its offset goes to
stderr and the exit code is 1.

Options:
  --max-length BYTES  largest BMP message accepted (default ${DEFAULT_MAX_BMP_MESSAGE_LENGTH})
  -h, --help          show this help`;

/** Write lines to stdout in large batches, waiting for the pipe to drain. */
class LineWriter {
  private buffer: string[] = [];
  private size = 0;

  async write(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length;
    if (this.size > 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.size = 0;
    if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

/** Turns stream chunks into output lines. */
interface StreamDumper {
  push(chunk: Uint8Array): Iterable<string>;
  end(): void;
}

/** A raw BMP stream: one session, as one router sent it. */
class RawBmpDumper implements StreamDumper {
  private readonly framer: BmpFramer;
  private readonly session = new BmpSession();

  constructor(maxMessageLength: number) {
    this.framer = new BmpFramer({ maxMessageLength });
  }

  *push(chunk: Uint8Array): Iterable<string> {
    for (const frame of this.framer.push(chunk)) {
      yield JSON.stringify(bmpMessageJson(decodeBmpMessage(frame.bytes, frame.offset), frame.offset, this.session));
    }
  }

  end(): void {
    this.framer.end();
  }
}

/**
 * OpenBMP raw records (as on a `bmp_raw` topic): messages of several routers interleave, so each
 * router (collector, router hash) has its own session context.
 */
class OpenBmpDumper implements StreamDumper {
  private readonly framer: OpenBmpFramer;
  private readonly sessions = new Map<string, BmpSession>();

  constructor(maxMessageLength: number) {
    this.framer = new OpenBmpFramer(maxMessageLength);
  }

  *push(chunk: Uint8Array): Iterable<string> {
    for (const { record, offset, bmpOffset } of this.framer.push(chunk)) {
      const { header } = record;
      const key = `${hex(header.collectorHash)}/${hex(header.routerHash)}`;
      let session = this.sessions.get(key);
      if (!session) this.sessions.set(key, (session = new BmpSession()));
      const json = bmpMessageJson(decodeBmpMessage(record.bmp, bmpOffset), offset, session) as { [key: string]: Json };
      json['openbmp'] = {
        collector: header.collectorAdminId,
        collectorHash: hex(header.collectorHash),
        router: header.routerAddress.toString(),
        routerHash: hex(header.routerHash),
        routerGroup: header.routerGroup,
        timestamp: new Date(header.timestampSeconds * 1000).toISOString().slice(0, 19) + '.' + String(header.timestampMicroseconds).padStart(6, '0') + 'Z',
      };
      yield JSON.stringify(json);
    }
  }

  end(): void {
    this.framer.end();
  }
}

/** The `bmp dump` command. */
export const command: Command = {
  name: ['bmp', 'dump'],
  summary: 'decode a raw BMP stream file, one JSON object per message',
  help,
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: { 'max-length': { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new RibstoreError('INVALID_ARGUMENT', `expected one FILE, got ${positionals.length}; see ribstore bmp dump --help`);
    const max = values['max-length'] === undefined ? DEFAULT_MAX_BMP_MESSAGE_LENGTH : Number(values['max-length']);
    if (!Number.isInteger(max) || max < 6) throw new RibstoreError('INVALID_ARGUMENT', `--max-length ${values['max-length']} must be an integer of at least 6`);
    const path = positionals[0]!;
    const out = new LineWriter();
    // Raw BMP starts with version 3, an OpenBMP record with "OBMP": the first chunk decides.
    let dumper: StreamDumper | null = null;
    try {
      try {
        for await (const chunk of createReadStream(path, { highWaterMark: 1 << 18 })) {
          dumper ??= startsWithOpenBmpMagic(chunk as Buffer) ? new OpenBmpDumper(max) : new RawBmpDumper(max);
          for (const line of dumper.push(chunk as Buffer)) await out.write(line);
        }
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && code.startsWith('E') && !(error instanceof RibstoreError)) {
          throw new RibstoreError('FILE_ERROR', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
        }
        throw error;
      }
      dumper?.end();
    } finally {
      await out.flush();
    }
    return 0;
  },
};
