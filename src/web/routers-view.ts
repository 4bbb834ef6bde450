/**
 * Routers and peers: every router with its BMP session state, sysName/sysDescr, uptime and
 * route counts; per router (on demand) its peers with state, ASN, routes per view and family,
 * stale counts, last down reason and BMP statistics.
 */
import type { PeerStatusJson, RouterStatusJson } from '../rib/route-json.js';
import { getJson } from './api.js';
import { h } from './dom.js';
import { durationText } from './time-text.js';

interface BmpSession {
  state: 'connected' | 'disconnected';
  since: string;
  sysName: string | null;
  sysDescr: string | null;
  lastError: string | null;
}
type RouterRow = RouterStatusJson & { bmp: BmpSession | null };
type PeerRow = PeerStatusJson & { bmp: { lastDownReason: { name: string; code: number } | null; stats: Record<string, number> } | null };

const countsText = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ') || 'none';

function peersTable(router: string, peers: PeerRow[]): HTMLElement {
  return h(
    'table',
    {},
    h('caption', {}, `Peers of ${router}`),
    h('thead', {}, h('tr', {}, ['Peer', 'ASN', 'BGP ID', 'Type', 'State', 'Routes per view', 'Routes per family', 'Stale', 'Last down reason', 'BMP statistics'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      peers.map((p) => {
        const reason = p.bmp?.lastDownReason;
        return h(
          'tr',
          {},
          h('td', {}, p.address),
          h('td', {}, `AS${p.asn}`),
          h('td', {}, p.bgpId),
          h('td', {}, p.type),
          h('td', { class: `state-${p.state}` }, p.state),
          h('td', {}, countsText(p.routes)),
          h('td', {}, countsText(p.routesByAfiSafi)),
          h('td', {}, p.staleRoutes),
          h('td', {}, reason ? `${reason.name} (${reason.code})` : '—'),
          h('td', {}, p.bmp ? countsText(p.bmp.stats) : '—'),
        );
      }),
    ),
  );
}

/** The routers page. */
export async function routersView(): Promise<HTMLElement> {
  const { routers } = await getJson<{ routers: RouterRow[] }>('/api/v1/routers');
  const now = Date.now();
  const rows = routers.map((r, i) => {
    const id = `peers-${i}`;
    const holder = h('div', { id, class: 'peers', hidden: true });
    const button = h(
      'button',
      {
        type: 'button',
        'aria-expanded': 'false',
        'aria-controls': id,
        onclick: async () => {
          const open = button.getAttribute('aria-expanded') !== 'true';
          button.setAttribute('aria-expanded', String(open));
          holder.hidden = !open;
          if (open && holder.childElementCount === 0) {
            const { peers } = await getJson<{ peers: PeerRow[] }>(`/api/v1/routers/${encodeURIComponent(r.name)}/peers`);
            holder.append(peersTable(r.name, peers));
          }
        },
      },
      `Peers (${r.peers})`,
    );
    const up = r.bmp?.state === 'connected';
    return [
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, r.name),
        h('td', { class: `state-${r.state}` }, r.state, r.bmp ? ` (BMP ${r.bmp.state})` : ' (MRT)'),
        h('td', {}, r.bmp?.sysName ?? '—'),
        h('td', {}, r.bmp?.sysDescr ?? '—'),
        h('td', {}, up && r.bmp ? durationText(now - Date.parse(r.bmp.since)) : r.downSince ? `down for ${durationText(now - Date.parse(r.downSince))}` : '—'),
        h('td', {}, r.routes),
        h('td', {}, r.bmp?.lastError ?? '—'),
        h('td', {}, button),
      ),
      h('tr', { class: 'peers-row' }, h('td', { colspan: 8 }, holder)),
    ];
  });
  return h(
    'section',
    { 'aria-labelledby': 'routers-title' },
    h('h2', { id: 'routers-title' }, `Routers (${routers.length})`),
    h(
      'table',
      {},
      h('caption', {}, 'Routers known to the RIB: BMP sessions and loaded MRT dumps'),
      h('thead', {}, h('tr', {}, ['Router', 'State', 'sysName', 'sysDescr', 'Uptime', 'Routes', 'Last error', 'Peers'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.flat()),
    ),
  );
}
