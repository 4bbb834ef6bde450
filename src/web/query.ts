/**
 * What a search box text asks for. The server validates addresses and prefixes (its message is
 * shown on bad input); this only decides which API to ask.
 */

/** A classified search. */
export type Query =
  | { kind: 'address'; address: string }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'asn'; asn: number }
  | { kind: 'community'; community: string }
  | { kind: 'large-community'; community: string }
  | { kind: 'invalid'; message: string };

/**
 * `AS3356` / `as3356` → origin AS; `65000:100` → community; `65000:1:2` → large community;
 * text with a `/` → prefix; anything else → address.
 */
export function classifyQuery(text: string): Query {
  const q = text.trim();
  const asn = /^AS(\d{1,10})$/i.exec(q);
  if (asn) {
    const n = Number(asn[1]);
    if (n > 0xffffffff) return { kind: 'invalid', message: `AS${asn[1]} is not an AS number (0 to 4294967295)` };
    return { kind: 'asn', asn: n };
  }
  if (/^\d+:\d+$/.test(q)) return { kind: 'community', community: q };
  if (/^\d+:\d+:\d+$/.test(q)) return { kind: 'large-community', community: q };
  if (q.includes('/')) return { kind: 'prefix', prefix: q };
  if (/^[0-9a-f.:]+$/i.test(q)) return { kind: 'address', address: q };
  return {
    kind: 'invalid',
    message: `${JSON.stringify(q)} is not something to search: type an address (192.0.2.1), a prefix (192.0.2.0/24), an AS (AS64496), a community (65000:100) or a large community (65000:1:2)`,
  };
}
