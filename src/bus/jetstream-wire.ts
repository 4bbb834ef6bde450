/**
 * The two per-message pieces of a JetStream publish that the sender (jetstream-sender.ts) makes
 * and reads itself instead of through the NATS client's general API, because they run once per
 * BMP message in the publish worker: the `Nats-Msg-Id` header block, and the PubAck.
 *
 * - {@link MsgIdHeader}: the same bytes as the client's `headers()` + `set('Nats-Msg-Id', id)` +
 *   `encode()` (`NATS/1.0\r\nNats-Msg-Id: ID\r\n\r\n`), without the header map, key
 *   canonicalisation, value check and text encoder per message. The client's `publish` only calls
 *   `encode()` on the headers it is given (nats 2.29), so this object stands in for them; a test
 *   checks the bytes against the client's own encoding.
 * - {@link readPubAck}: JetStream's answer `{"stream":"S","seq":N}` (plus `"domain"`,
 *   `"duplicate":true`) read without a string and `JSON.parse` when it is one of those; anything
 *   else (an `"error"` answer, an unexpected shape) goes through `JSON.parse` as before.
 */
import type { MsgHdrs } from 'nats';

const PREFIX = 'NATS/1.0\r\nNats-Msg-Id: ';
const SUFFIX = '\r\n\r\n';

/** The header block of one publish with message id `id` (ASCII: collector, router, numbers). */
export class MsgIdHeader {
  private readonly bytes: Uint8Array;

  constructor(id: string) {
    // The id is made by the publisher from a checked collector name, an IP address and numbers:
    // ASCII without CR/LF, so latin1 is its UTF-8 encoding.
    this.bytes = Buffer.from(PREFIX + id + SUFFIX, 'latin1');
  }

  /** What the client's `publish` calls. */
  encode(): Uint8Array {
    return this.bytes;
  }

  /** This object as the client's `publish` option (only `encode` is used). */
  asHeaders(): MsgHdrs {
    return this as unknown as MsgHdrs;
  }
}

/** A PubAck as the sender needs it: stored (maybe as a duplicate), or refused with a reason. */
export type PubAckResult = { readonly ok: true; readonly duplicate: boolean } | { readonly ok: false; readonly reason: string | null };

const STORED: PubAckResult = { ok: true, duplicate: false };
const DUPLICATE: PubAckResult = { ok: true, duplicate: true };
/** `{"stream":"` */
const OPENING = [0x7b, 0x22, 0x73, 0x74, 0x72, 0x65, 0x61, 0x6d, 0x22, 0x3a, 0x22];
/** `"error"` and `"duplicate":true` */
const ERROR_KEY = Buffer.from('"error"', 'latin1');
const DUPLICATE_TRUE = Buffer.from('"duplicate":true', 'latin1');

/**
 * Read a PubAck's JSON body. `reason` is `null` when the body is no PubAck at all (empty, e.g. a
 * 503 no-responders status, or unreadable).
 */
export function readPubAck(data: Uint8Array): PubAckResult {
  if (data.length > OPENING.length && data[data.length - 1] === 0x7d) {
    let opening = true;
    for (let i = 0; i < OPENING.length; i++) {
      if (data[i] !== OPENING[i]) {
        opening = false;
        break;
      }
    }
    const view = Buffer.from(data.buffer, data.byteOffset, data.length);
    if (opening && view.indexOf(ERROR_KEY) < 0) return view.indexOf(DUPLICATE_TRUE) < 0 ? STORED : DUPLICATE;
  }
  if (data.length === 0) return { ok: false, reason: null };
  let ack: { duplicate?: unknown; error?: { description?: unknown } } | null;
  try {
    ack = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1')) as typeof ack;
  } catch {
    return { ok: false, reason: null };
  }
  if (!ack || typeof ack !== 'object') return { ok: false, reason: null };
  if (ack.error) return { ok: false, reason: typeof ack.error.description === 'string' ? ack.error.description : 'JetStream error' };
  return ack.duplicate === true ? DUPLICATE : STORED;
}
