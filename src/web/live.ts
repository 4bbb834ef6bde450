/**
 * Live routes of one prefix: subscribes to `/api/v1/watch` with an EventSource and re-renders
 * the prefix's routes in place when they change, without reloading the page. A status line
 * (role="status", so screen readers announce it) says whether the page is live and when the
 * routes last changed; the routes themselves are not announced (aria-live off on them), the
 * status line is.
 */
import type { PrefixRoutesJson } from '../rib/route-json.js';
import { h } from './dom.js';

type RoutesAnswer = { prefixes: PrefixRoutesJson[]; nextCursor: string | null };

const clock = (): string => new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/**
 * The live status line and the routes container for `prefix`, filled with `first` and kept up
 * to date with `render` (which turns an answer into the container's children); `rendered` runs
 * after each re-render (e.g. to open the AS path graph again).
 */
export function liveRoutes(prefix: string, first: RoutesAnswer, render: (answer: RoutesAnswer) => HTMLElement[], rendered: () => void): HTMLElement[] {
  const routes = h('div', { class: 'prefixes', 'aria-live': 'off' }, ...render(first));
  const state = h('span', { class: 'live-state' }, 'Connecting…');
  const status = h('p', { class: 'live', role: 'status', 'aria-live': 'polite' }, state);
  let firstEvent = true;
  let last = JSON.stringify(first);
  const source = new EventSource(`/api/v1/watch?prefix=${encodeURIComponent(prefix)}`);
  source.addEventListener('open', () => {
    status.dataset['live'] = 'true';
    if (firstEvent) state.textContent = `Live: watching for changes since ${clock()}`;
  });
  source.addEventListener('routes', (event) => {
    const data = (event as MessageEvent<string>).data;
    const wasFirst = firstEvent;
    firstEvent = false;
    if (data === last) return;
    last = data;
    routes.replaceChildren(...render(JSON.parse(data) as RoutesAnswer));
    rendered();
    const time = clock();
    status.dataset['updated'] = String(Date.now());
    state.textContent = wasFirst ? `Live: watching for changes since ${time}` : `Live: routes last changed at ${time}`;
  });
  source.addEventListener('error', () => {
    status.dataset['live'] = 'false';
    state.textContent =
      source.readyState === EventSource.CLOSED ? 'Live updates are not available; reload the page to see changes.' : `Live updates paused (connection lost at ${clock()}); reconnecting…`;
  });
  return [status, routes];
}
