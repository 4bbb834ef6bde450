/** Test support: hex text (spaces, newlines and `#` comments ignored) to bytes and back. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${clean}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** Bytes as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The 16-byte all-ones marker. */
export const MARKER = 'ffffffffffffffffffffffffffffffff';
