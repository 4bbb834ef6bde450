/**
 * A prefix and its routes: a table of every route, best first and marked, with every column
 * the API gives, and "why best" on demand: for each other route, the step of the RIB's
 * preference order at which it lost to the best, with the two values compared.
 */
import type { PrefixRoutesJson, RouteJson } from '../rib/route-json.js';
import type { DecisionStep } from '../rib/route-decision.js';
import { asPathGraphDetails } from './as-path-graph.js';
import { communityItems } from './communities.js';
import { h, queryHref } from './dom.js';
import { agoText } from './time-text.js';

/** An AS path as space-separated AS numbers; an AS_SET in braces. */
export function asPathText(path: RouteJson['asPath']): string {
  return path.map((segment) => (Array.isArray(segment) ? `{${segment.join(' ')}}` : String(segment))).join(' ');
}

const VIEW_NAMES: Record<string, string> = {
  'loc-rib': 'Loc-RIB',
  'adj-rib-in-post': 'Adj-RIB-In post-policy',
  'adj-rib-in-pre': 'Adj-RIB-In pre-policy',
  'adj-rib-out-post': 'Adj-RIB-Out post-policy',
  'adj-rib-out-pre': 'Adj-RIB-Out pre-policy',
};

/**
 * A route's age: how long ago it was first seen and, if its attributes changed since, when
 * they last did; each a <time> with the exact time as its datetime and title.
 */
function ageItems(route: RouteJson, now: number): (HTMLElement | string)[] {
  const at = (iso: string | null): HTMLElement => h('time', { datetime: iso, title: iso }, agoText(iso, now));
  if (route.changedAt === route.receivedAt) return [at(route.receivedAt)];
  return [at(route.receivedAt), ', changed ', at(route.changedAt), ' ago'];
}

/** Why `route` lost to `best` at `step`, in words, with the values compared. */
export function lostAtText(step: DecisionStep, best: RouteJson, route: RouteJson): string {
  const pathLength = (r: RouteJson): number => r.asPath.length;
  switch (step) {
    case 'view':
      return `view: ${VIEW_NAMES[best.view] ?? best.view} is preferred to ${VIEW_NAMES[route.view] ?? route.view}`;
    case 'stale':
      return 'stale: a current route is preferred to one kept from an earlier session';
    case 'local-pref':
      return `local preference: ${best.localPref ?? '100 (absent)'} is higher than ${route.localPref ?? '100 (absent)'}`;
    case 'as-path-length':
      return `AS path length: ${pathLength(best)} is shorter than ${pathLength(route)}`;
    case 'origin':
      return `origin: ${best.origin ?? 'absent'} is preferred to ${route.origin ?? 'absent'} (IGP < EGP < incomplete)`;
    case 'med':
      return `MED: ${best.med ?? '0 (absent)'} is lower than ${route.med ?? '0 (absent)'}`;
    case 'peer-bgp-id':
      return `tie-break, peer BGP ID: ${best.peer.bgpId} is lower than ${route.peer.bgpId}`;
    case 'peer-address':
      return `tie-break, peer address: ${best.peer.address} sorts before ${route.peer.address}`;
    case 'router':
      return `tie-break, router: ${best.router} was registered before ${route.router}`;
    case 'path-id':
      return `tie-break, path id: ${best.pathId} is lower than ${route.pathId}`;
    case 'family':
      return `tie-break, address family: ${best.afiSafi} before ${route.afiSafi}`;
  }
}

let tableCount = 0;

/** The section of one prefix: heading with links, the more/less-specific buttons, "why best", the table. */
export function prefixSection(entry: PrefixRoutesJson, note?: string): HTMLElement {
  const id = `routes-${++tableCount}`;
  const best = entry.routes[0];
  const whyCells: HTMLElement[] = [];
  const whyButton = h(
    'button',
    {
      type: 'button',
      class: 'why',
      'aria-expanded': 'false',
      'aria-controls': id,
      onclick: () => {
        const open = whyButton.getAttribute('aria-expanded') !== 'true';
        whyButton.setAttribute('aria-expanded', String(open));
        for (const cell of whyCells) cell.hidden = !open;
      },
    },
    'Why best?',
  );
  const headers = ['', 'Router', 'Peer', 'View', 'AFI/SAFI', 'Next hop', 'AS path', 'Origin', 'MED', 'Local pref', 'Communities', 'Stale', 'Age'];
  const whyHeader = h('th', { scope: 'col', hidden: true }, 'Why not best');
  whyCells.push(whyHeader);
  const now = Date.now();
  const rows = entry.routes.map((route, i) => {
    const why = h('td', { class: 'lost', hidden: true }, i === 0 ? 'best: preferred to every other route' : route.lostAt && best ? lostAtText(route.lostAt, best, route) : '');
    whyCells.push(why);
    return h(
      'tr',
      { class: i === 0 ? 'best' : undefined },
      h('td', {}, i === 0 ? h('strong', { class: 'best-mark' }, '★ best') : ''),
      h('td', {}, route.router),
      h('td', {}, `${route.peer.address} AS${route.peer.asn}`),
      h('td', {}, route.view),
      h('td', {}, route.afiSafi, route.rd ? ` RD ${route.rd}` : '', route.pathId ? ` path ${route.pathId}` : ''),
      h('td', {}, route.nextHop ?? '—'),
      h('td', { class: 'aspath' }, asPathText(route.asPath)),
      h('td', {}, route.origin ?? '—'),
      h('td', {}, route.med ?? '—'),
      h('td', {}, route.localPref ?? '—'),
      h('td', { class: 'communities' }, communityItems(route)),
      h('td', {}, route.stale ? (route.restored ? 'stale (restored)' : 'stale') : 'no'),
      h('td', { class: 'age' }, ageItems(route, now)),
      why,
    );
  });
  const more = queryHref(entry.prefix, { match: 'more-specifics' });
  const less = queryHref(entry.prefix, { match: 'less-specifics' });
  return h(
    'section',
    { class: 'prefix', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, h('a', { href: queryHref(entry.prefix) }, entry.prefix), entry.rd ? ` (RD ${entry.rd})` : ''),
    note ? h('p', { class: 'note' }, note) : null,
    h(
      'p',
      { class: 'actions' },
      h('a', { class: 'button', href: more }, 'More specifics'),
      ' ',
      h('a', { class: 'button', href: less }, 'Less specifics'),
      ' ',
      entry.routes.length > 1 ? whyButton : null,
    ),
    h(
      'table',
      { id },
      h('caption', {}, `${entry.routes.length} route${entry.routes.length === 1 ? '' : 's'} of ${entry.prefix}, best first`),
      h('thead', {}, h('tr', {}, headers.map((text, i) => h('th', { scope: 'col' }, i === 0 ? h('span', { class: 'sr-only' }, 'Best') : text)), whyHeader)),
      h('tbody', {}, rows),
    ),
    entry.routes.length > 0 ? asPathGraphDetails(entry) : null,
  );
}
