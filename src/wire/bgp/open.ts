/**
 * OPEN messages and their capabilities (RFC 4271 4.2, RFC 5492, RFC 9072).
 *
 * ```
 * | version (1) | my AS (2) | hold time (2) | BGP id (4) | opt params len (1) | params |
 * param:     | type (1) | length (1) | value |          (type 2 = capabilities)
 * RFC 9072:  opt params len = 255, then | 255 | length (2) | and params | type (1) | length (2) | value |
 * capability: | code (1) | length (1) | value |
 * ```
 * A known capability whose value has the wrong size is kept raw (kind `unknown`): an odd
 * capability must not stop a collector from reading the session.
 */
import { RibstoreError } from '../../errors.js';
import { readWord } from '../../ip/address.js';
import { AS_TRANS, BGP_HEADER_LENGTH, CapabilityCode, BgpMessageType } from './constants.js';
import { BgpDecodeError } from './errors.js';
import { patchBgpHeaderLength, readBgpHeader, writeBgpHeader } from './header.js';
import type { BgpOpen, Capability } from './types.js';
import { ByteWriter, checkUint, copyBytes } from './writer.js';

const MESSAGE = 'BGP OPEN';

function openError(offset: number, message: string): BgpDecodeError {
  return new BgpDecodeError(MESSAGE, offset, message, 'session-reset', -1, 2, 0);
}

/**
 * Decode the OPEN message at `offset` (header included).
 * @throws BgpDecodeError (session-reset) for a bad header or an overrun.
 */
export function decodeOpen(bytes: Uint8Array, offset: number): BgpOpen {
  const header = readBgpHeader(bytes, offset, false);
  if (header.type !== BgpMessageType.OPEN) throw openError(offset + 18, `message type ${header.type} is not OPEN`);
  return decodeOpenBody(bytes, offset + BGP_HEADER_LENGTH, offset + header.length);
}

/** Decode an OPEN body `bytes[start, end)` (after the header). */
export function decodeOpenBody(bytes: Uint8Array, start: number, end: number): BgpOpen {
  if (end - start < 10) throw openError(start, `OPEN body is ${end - start} bytes, under the minimum 10`);
  const version = bytes[start]!;
  const myAs = (bytes[start + 1]! << 8) | bytes[start + 2]!;
  const holdTime = (bytes[start + 3]! << 8) | bytes[start + 4]!;
  const bgpId = readWord(bytes, start + 5);
  let paramsLength = bytes[start + 9]!;
  let pos = start + 10;
  let extended = false;
  if (paramsLength === 255 && end - pos >= 3 && bytes[pos] === 255) {
    extended = true; // RFC 9072
    paramsLength = (bytes[pos + 1]! << 8) | bytes[pos + 2]!;
    pos += 3;
  }
  if (end - pos !== paramsLength) {
    throw openError(start + 9, `optional parameters length ${paramsLength} does not match the ${end - pos} bytes left`);
  }
  const capabilities: Capability[] = [];
  const otherParameters: { type: number; value: Uint8Array }[] = [];
  while (pos < end) {
    const headerSize = extended ? 3 : 2;
    if (end - pos < headerSize) throw openError(pos, 'optional parameter header is truncated');
    const type = bytes[pos]!;
    const length = extended ? (bytes[pos + 1]! << 8) | bytes[pos + 2]! : bytes[pos + 1]!;
    pos += headerSize;
    if (end - pos < length) throw openError(pos, `optional parameter length ${length} overruns the message`);
    if (type === 2) decodeCapabilities(bytes, pos, pos + length, capabilities);
    else otherParameters.push({ type, value: copyBytes(bytes, pos, pos + length) });
    pos += length;
  }
  let asn = myAs;
  for (const c of capabilities) {
    if (c.kind === 'four-octet-as') {
      asn = c.asn; // the first one counts, as with repeated attributes
      break;
    }
  }
  return { type: 'open', version, myAs, asn, holdTime, bgpId, capabilities, otherParameters };
}

function decodeCapabilities(bytes: Uint8Array, pos: number, end: number, out: Capability[]): void {
  while (pos < end) {
    if (end - pos < 2) throw openError(pos, 'capability header is truncated');
    const code = bytes[pos]!;
    const length = bytes[pos + 1]!;
    pos += 2;
    if (end - pos < length) throw openError(pos, `capability ${code} length ${length} overruns its parameter`);
    out.push(decodeCapability(bytes, pos, length, code));
    pos += length;
  }
}

function decodeCapability(bytes: Uint8Array, pos: number, length: number, code: number): Capability {
  const u16 = (at: number) => (bytes[at]! << 8) | bytes[at + 1]!;
  switch (code) {
    case CapabilityCode.MULTIPROTOCOL:
      if (length === 4) return { kind: 'multiprotocol', code, afi: u16(pos), safi: bytes[pos + 3]! };
      break;
    case CapabilityCode.ROUTE_REFRESH:
      if (length === 0) return { kind: 'route-refresh', code };
      break;
    case CapabilityCode.EXTENDED_MESSAGE:
      if (length === 0) return { kind: 'extended-message', code };
      break;
    case CapabilityCode.FOUR_OCTET_AS:
      if (length === 4) return { kind: 'four-octet-as', code, asn: readWord(bytes, pos) };
      break;
    case CapabilityCode.GRACEFUL_RESTART:
      if (length >= 2 && (length - 2) % 4 === 0) {
        const families: { afi: number; safi: number; flags: number }[] = [];
        for (let p = pos + 2; p < pos + length; p += 4) families.push({ afi: u16(p), safi: bytes[p + 2]!, flags: bytes[p + 3]! });
        return { kind: 'graceful-restart', code, flags: bytes[pos]! >>> 4, restartTime: u16(pos) & 0xfff, families };
      }
      break;
    case CapabilityCode.ADD_PATH:
      if (length % 4 === 0) {
        const families: { afi: number; safi: number; sendReceive: number }[] = [];
        for (let p = pos; p < pos + length; p += 4) families.push({ afi: u16(p), safi: bytes[p + 2]!, sendReceive: bytes[p + 3]! });
        return { kind: 'add-path', code, families };
      }
      break;
  }
  return { kind: 'unknown', code, value: copyBytes(bytes, pos, pos + length) };
}

/**
 * Encode an OPEN message (header included). Each capability goes in its own Capabilities
 * parameter; parameters longer than 255 bytes in total use the RFC 9072 extended form.
 * @throws RibstoreError `ENCODE_ERROR` for a field out of range.
 */
export function encodeOpen(open: Omit<BgpOpen, 'type' | 'asn'> & { asn?: number }): Uint8Array {
  const params = new ByteWriter(128);
  const parameters: { type: number; value: Uint8Array }[] = [];
  for (const capability of open.capabilities) {
    const w = new ByteWriter(16);
    w.u8(capability.code);
    w.u8(0);
    writeCapabilityValue(capability, w);
    const bytes = w.toBytes();
    if (bytes.length - 2 > 255) throw new RibstoreError('ENCODE_ERROR', `capability ${capability.code} is ${bytes.length - 2} bytes, over 255`);
    bytes[1] = bytes.length - 2;
    parameters.push({ type: 2, value: bytes });
  }
  parameters.push(...open.otherParameters);
  let total = 0;
  for (const p of parameters) total += 2 + p.value.length;
  const extended = total > 255 || parameters.some((p) => p.value.length > 255);
  for (const p of parameters) {
    params.u8(p.type);
    if (extended) params.u16(p.value.length);
    else params.u8(p.value.length);
    params.bytes(p.value);
  }
  const out = new ByteWriter(64 + params.length);
  const at = writeBgpHeader(out, BgpMessageType.OPEN);
  out.u8(open.version);
  out.u16(checkUint('my AS', open.myAs, 0xffff));
  out.u16(checkUint('hold time', open.holdTime, 0xffff));
  out.u32(checkUint('BGP identifier', open.bgpId, 0xffffffff));
  if (extended) {
    out.u8(255);
    out.u8(255);
    out.u16(checkUint('optional parameters length', params.length, 0xffff));
  } else {
    out.u8(params.length);
  }
  out.bytes(params.toBytes());
  patchBgpHeaderLength(out, at);
  if (out.length > 4096) throw new RibstoreError('ENCODE_ERROR', `OPEN is ${out.length} bytes, over 4096`);
  return out.toBytes();
}

function writeCapabilityValue(c: Capability, w: ByteWriter): void {
  switch (c.kind) {
    case 'multiprotocol':
      w.u16(checkUint('AFI', c.afi, 0xffff));
      w.u8(0);
      w.u8(checkUint('SAFI', c.safi, 255));
      return;
    case 'route-refresh':
    case 'extended-message':
      return;
    case 'four-octet-as':
      w.u32(checkUint('ASN', c.asn, 0xffffffff));
      return;
    case 'graceful-restart':
      w.u16(((checkUint('graceful restart flags', c.flags, 15) << 12) | checkUint('restart time', c.restartTime, 0xfff)) >>> 0);
      for (const f of c.families) {
        w.u16(checkUint('AFI', f.afi, 0xffff));
        w.u8(checkUint('SAFI', f.safi, 255));
        w.u8(checkUint('family flags', f.flags, 255));
      }
      return;
    case 'add-path':
      for (const f of c.families) {
        w.u16(checkUint('AFI', f.afi, 0xffff));
        w.u8(checkUint('SAFI', f.safi, 255));
        w.u8(checkUint('send/receive', f.sendReceive, 255));
      }
      return;
    case 'unknown':
      w.bytes(c.value);
  }
}

/** The My AS field for an ASN: itself if it fits 2 bytes, else AS_TRANS (RFC 6793). */
export function myAsFor(asn: number): number {
  return asn > 0xffff ? AS_TRANS : asn;
}
