/** Byte helpers shared by tests, benchmarks and fuzz targets (Node-side code, not the library). */

/** Join byte arrays into one new Uint8Array (a plain Uint8Array, unlike Buffer.concat). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
