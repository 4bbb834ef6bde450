/**
 * Route distinguishers (RFC 4364 section 4.2): 8 bytes = 2-byte type + 6-byte value.
 *
 * ```
 * type 0:  | 0 0 | ASN (2)        | assigned (4)    |
 * type 1:  | 0 1 | IPv4 (4)                | assigned (2) |
 * type 2:  | 0 2 | ASN (4)                 | assigned (2) |
 * ```
 * Other types are read with the type-0 layout, which keeps all six value bytes, so every
 * RD round-trips. Text form: `type:admin:assigned` (`0:65000:100`, `1:192.0.2.1:7`,
 * `2:4200000000:7`).
 */
import { RibstoreError } from '../../errors.js';
import { formatIPv4, parseIPv4, readWord } from '../../ip/address.js';
import type { RouteDistinguisher } from './types.js';
import type { ByteWriter } from './writer.js';

/** Whether the RD type puts a 4-byte admin field first (types 1 and 2). */
function wideAdmin(type: number): boolean {
  return type === 1 || type === 2;
}

/** Read the 8-byte RD at `offset` (the caller has checked 8 bytes are there). */
export function readRouteDistinguisher(bytes: Uint8Array, offset: number): RouteDistinguisher {
  const type = (bytes[offset]! << 8) | bytes[offset + 1]!;
  if (wideAdmin(type)) {
    return { type, admin: readWord(bytes, offset + 2), assigned: (bytes[offset + 6]! << 8) | bytes[offset + 7]! };
  }
  return { type, admin: (bytes[offset + 2]! << 8) | bytes[offset + 3]!, assigned: readWord(bytes, offset + 4) };
}

/**
 * Append the 8-byte wire form of `rd`.
 * @throws RibstoreError `ENCODE_ERROR` when a field does not fit its type's layout.
 */
export function writeRouteDistinguisher(rd: RouteDistinguisher, out: ByteWriter): void {
  const wide = wideAdmin(rd.type);
  const adminMax = wide ? 0xffffffff : 0xffff;
  const assignedMax = wide ? 0xffff : 0xffffffff;
  if (!(rd.type >= 0 && rd.type <= 0xffff && rd.admin >= 0 && rd.admin <= adminMax && rd.assigned >= 0 && rd.assigned <= assignedMax)) {
    throw new RibstoreError('ENCODE_ERROR', `route distinguisher ${formatRouteDistinguisher(rd)} does not fit RD type ${rd.type}`);
  }
  out.u16(rd.type);
  if (wide) {
    out.u32(rd.admin);
    out.u16(rd.assigned);
  } else {
    out.u16(rd.admin);
    out.u32(rd.assigned);
  }
}

/** Text form `type:admin:assigned`; a type-1 admin field prints as a dotted quad. */
export function formatRouteDistinguisher(rd: RouteDistinguisher): string {
  const admin = rd.type === 1 ? formatIPv4(rd.admin) : String(rd.admin);
  return `${rd.type}:${admin}:${rd.assigned}`;
}

/**
 * Parse the text form `type:admin:assigned`.
 * @throws RibstoreError `INVALID_ARGUMENT` naming the input.
 */
export function parseRouteDistinguisher(text: string): RouteDistinguisher {
  const match = /^(\d{1,5}):([0-9.]+):(\d{1,10})$/.exec(text);
  const bad = () =>
    new RibstoreError('INVALID_ARGUMENT', `invalid route distinguisher ${JSON.stringify(text)}: expected type:admin:assigned like 0:65000:100 or 1:192.0.2.1:7`);
  if (!match) throw bad();
  const type = Number(match[1]);
  let admin: number;
  if (type === 1) {
    try {
      admin = parseIPv4(match[2]!);
    } catch {
      throw bad();
    }
  } else {
    if (!/^\d{1,10}$/.test(match[2]!)) throw bad();
    admin = Number(match[2]);
  }
  const assigned = Number(match[3]);
  const wide = wideAdmin(type);
  if (type > 0xffff || admin > (wide ? 0xffffffff : 0xffff) || assigned > (wide ? 0xffff : 0xffffffff)) throw bad();
  return { type, admin, assigned };
}
