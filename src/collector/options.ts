/**
 * Parsing of the service's settings as people type them: durations (`5m`, `90s`, `1h30m`),
 * listen addresses (`[HOST:]PORT`, `[::1]:8080`), sizes (`64MiB`) and counts. The address
 * allow-list is allow-list.ts.
 *
 * Every parser throws a {@link RibstoreError} `INVALID_ARGUMENT` whose message names the bad
 * text and shows a good example, so the CLI can print it as is.
 */
import { RibstoreError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parse a duration like `5m`, `90s`, `1h30m`, `250ms` or `0` into milliseconds.
 * A bare number is taken as seconds.
 * @throws RibstoreError `INVALID_ARGUMENT` for anything else.
 */
export function parseDuration(text: string): number {
  const bad = (): RibstoreError =>
    new RibstoreError('INVALID_ARGUMENT', `invalid duration ${JSON.stringify(text)}: expected e.g. 5m, 90s, 1h30m, 250ms`);
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let position = 0;
  while (position < trimmed.length) {
    part.lastIndex = position;
    const found = part.exec(trimmed);
    if (!found) throw bad();
    total += Number(found[1]) * UNIT_MS[found[2]!]!;
    position = part.lastIndex;
  }
  if (position === 0) throw bad();
  return Math.round(total);
}

/** Format milliseconds back as the shortest duration text (`300000` → `5m`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A TCP listen address. `host` is an IP address text or a host name. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parse `[HOST:]PORT`: `8080`, `127.0.0.1:8080`, `[::1]:8080`, `localhost:0`. A missing host
 * takes `defaultHost`. Port 0 asks the system for a free port.
 * @throws RibstoreError `INVALID_ARGUMENT` for a bad port or a bare IPv6 address without brackets.
 */
export function parseListenAddress(text: string, defaultHost: string): ListenAddress {
  const bad = (why: string): RibstoreError =>
    new RibstoreError('INVALID_ARGUMENT', `invalid listen address ${JSON.stringify(text)}: ${why} (expected [HOST:]PORT, e.g. 127.0.0.1:8080 or [::1]:8080)`);
  let host = defaultHost;
  let portText = text;
  if (text.startsWith('[')) {
    const close = text.indexOf(']:');
    if (close < 0) throw bad('an IPv6 host in brackets must be followed by :PORT');
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
      if (host.includes(':')) throw bad('write an IPv6 host in brackets');
      if (host === '') throw bad('empty host');
    }
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad('the port must be a number from 0 to 65535');
  return { host, port: Number(portText) };
}

/** Format a listen address for logs and URLs (`[::1]:8080`, `127.0.0.1:8080`). */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/**
 * Parse a byte size like `65536`, `64K`, `16MiB`, `1G` (binary units).
 * @throws RibstoreError `INVALID_ARGUMENT` for anything else.
 */
export function parseSize(text: string): number {
  const found = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = found ? SIZE_UNITS[found[2]!.toLowerCase()] : undefined;
  if (!found || unit === undefined) {
    throw new RibstoreError('INVALID_ARGUMENT', `invalid size ${JSON.stringify(text)}: expected bytes, e.g. 65536, 64K, 16M, 1G`);
  }
  return Number(found[1]) * unit;
}

/**
 * Parse a positive integer flag value.
 * @throws RibstoreError `INVALID_ARGUMENT` naming the flag.
 */
export function parsePositiveInteger(text: string, flag: string): number {
  if (!/^\d{1,15}$/.test(text.trim()) || Number(text) < 1) {
    throw new RibstoreError('INVALID_ARGUMENT', `invalid ${flag} ${JSON.stringify(text)}: expected a whole number of at least 1`);
  }
  return Number(text);
}
