/**
 * `ribstore bmp dump FILE`: decode a raw BMP stream (the router-to-collector TCP payload) and
 * print one JSON object per message, one per line (JSON Lines).
 *
 * The output shape is wire/bmp/message-json.ts's (documented in README.md, "BMP").
 *
 * A decode error stops the dump: the messages before it are printed, the error (with its
 * stream offset) goes to stderr and the exit code is 1.
 */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { RibstoreError } from '../../errors.js';
import { BmpFramer, DEFAULT_MAX_BMP_MESSAGE_LENGTH } from '../../wire/bmp/framer.js';
import { decodeBmpMessage } from '../../wire/bmp/decode.js';
import { type Json, bmpMessageJson, hex, timestampJson } from '../../wire/bmp/message-json.js';
import { BmpSession } from '../../wire/bmp/session.js';
import type { Command } from '../commands.js';
import { startsWithOpenBmpMagic } from '../../bus/openbmp.js';
import { OpenBmpFramer } from '../../bus/openbmp-framer.js';

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
        timestamp: timestampJson(header.timestampSeconds, header.timestampMicroseconds),
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
