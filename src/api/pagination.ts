/**
 * Paging of large answers: `limit` items per page and an opaque `cursor` naming where the next
 * page starts.
 *
 * The cursor is the base64url text of `v1:<position>`; clients must treat it as opaque (its
 * form may change). A page is cut from an answer the RIB produced in a stable order (sorted
 * by prefix), so a position is meaningful between requests as long as the RIB has not
 * changed in between; under live updates, a page may miss or repeat items that moved, as with
 * any offset-based paging.
 */
import { RibstoreError } from '../errors.js';

/** Most items a page may hold. */
export const MAX_PAGE_LIMIT = 10_000;

/** Items per page when the request gives no `limit` (capped by the server's page limit). */
export const DEFAULT_PAGE_LIMIT = 1000;

/** Encode a position as a cursor. */
export function encodeCursor(position: number): string {
  return Buffer.from(`v1:${position}`).toString('base64url');
}

/**
 * Decode a cursor (absent → 0).
 * @throws RibstoreError `INVALID_ARGUMENT` for a cursor this server did not make.
 */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const text = Buffer.from(cursor, 'base64url').toString();
  const found = /^v1:(\d{1,15})$/.exec(text);
  if (!found) throw new RibstoreError('INVALID_ARGUMENT', `invalid cursor ${JSON.stringify(cursor)}: pass the nextCursor of a previous page`);
  return Number(found[1]);
}

/**
 * One page of `items` (an array or a lazy iterable, e.g. a RIB generator): skips to the
 * cursor's position, takes up to `limit` items, and looks one item further to know whether
 * another page exists. A generator is closed after the page (no work past it).
 */
export function page<T>(items: Iterable<T>, cursor: string | undefined, limit: number): { items: T[]; nextCursor: string | null } {
  const start = decodeCursor(cursor);
  if (Array.isArray(items)) {
    const end = Math.min(items.length, start + limit);
    return { items: items.slice(start, end), nextCursor: end < items.length ? encodeCursor(end) : null };
  }
  const out: T[] = [];
  let position = 0;
  for (const item of items) {
    if (position++ < start) continue;
    if (out.length === limit) return { items: out, nextCursor: encodeCursor(start + limit) };
    out.push(item);
  }
  return { items: out, nextCursor: null };
}
