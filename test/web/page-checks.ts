/**
 * Checks of what the looking glass shows against what the API answers, shared by the
 * Chromium tests: the visible text holds every matched prefix and every route's AS path as
 * space-separated AS numbers (issue 12's contract), written as the page writes them.
 */
import assert from 'node:assert/strict';
import type { PrefixRoutesJson, RouteJson } from '../../src/rib/route-json.js';

/**
 * A route's AS path as the issue asks the page to show it: AS numbers separated by spaces, an
 * AS_SET in braces. Written here, not imported from src/web, so the check does not trust the
 * page's own formatting.
 */
export const routePathText = (route: RouteJson): string => route.asPath.map((s) => (Array.isArray(s) ? `{${s.join(' ')}}` : String(s))).join(' ');

/** Every prefix of `prefixes` and every AS path of their routes appears in `text`. */
export function assertShows(text: string, prefixes: readonly PrefixRoutesJson[]): void {
  assert.ok(prefixes.length > 0, 'the API answer has prefixes to look for');
  for (const p of prefixes) {
    assert.ok(text.includes(p.prefix), `shows ${p.prefix}`);
    for (const r of p.routes) assert.ok(text.includes(routePathText(r)), `shows AS path ${routePathText(r)} of ${p.prefix}`);
  }
}
