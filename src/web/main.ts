/**
 * The looking glass page: reads `?q=` (and `?match=`, `?view=`) from the address, asks the API
 * and renders the answer into `#results`. Searching submits the form, so every result has
 * its own address to share and the browser's back button works.
 */
import type { LookupJson, PrefixRoutesJson } from '../rib/route-json.js';
import { ApiRequestError, getJson } from './api.js';
import { openLoneGraph } from './as-path-graph.js';
import { h, queryHref } from './dom.js';
import { apiFilterQuery, filterForm, type Filters, filtersSummary, readFilters } from './filters.js';
import { ORIGINATED_PER_PAGE, type Page, PREFIXES_PER_PAGE, pagedList } from './paged-list.js';
import { liveRoutes } from './live.js';
import { classifyQuery } from './query.js';
import { routersView } from './routers-view.js';
import { prefixSection } from './routes-view.js';

const MATCHES = ['exact', 'more-specifics', 'less-specifics'] as const;
type Match = (typeof MATCHES)[number];

/**
 * Prefix sections of a paged `prefixes` answer, `PREFIXES_PER_PAGE` at a time: `path` is the API
 * path without a query, `query` the rest of its query (filters, `&`-separated), `controls` go
 * under the title.
 */
async function prefixList(title: string, path: string, query: string, controls: HTMLElement[] = []): Promise<HTMLElement[]> {
  const fetchPage = async (cursor: string | null): Promise<Page<PrefixRoutesJson>> => {
    const answer = await getJson<{ prefixes: PrefixRoutesJson[]; nextCursor: string | null }>(`${path}?limit=${PREFIXES_PER_PAGE}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    return { items: answer.prefixes, nextCursor: answer.nextCursor };
  };
  const first = await fetchPage(null);
  if (first.items.length === 0) return [h('h1', {}, title), ...controls, h('p', {}, 'No routes.')];
  return [h('h1', {}, title), ...controls, ...pagedList(h('div', { class: 'prefixes' }), first, (p) => prefixSection(p), fetchPage, 'prefixes')];
}

async function searchResults(text: string, match: Match, filters: Filters): Promise<HTMLElement[]> {
  const query = classifyQuery(text);
  switch (query.kind) {
    case 'invalid':
      throw new ApiRequestError(400, 'INVALID_QUERY', query.message);
    case 'address': {
      const answer = await getJson<LookupJson>(`/api/v1/lookup?address=${encodeURIComponent(query.address)}`);
      return [h('h1', {}, `Longest match for ${query.address}`), prefixSection(answer, `${answer.prefix} is the most specific prefix with a route covering ${query.address}.`)];
    }
    case 'prefix': {
      const title = match === 'exact' ? `Routes of ${query.prefix}` : `${match === 'more-specifics' ? 'More' : 'Less'} specifics of ${query.prefix}`;
      const controls = [filtersSummary(filters), filterForm(text, match, filters)].filter((x): x is HTMLElement => x !== null);
      if (match === 'exact' && apiFilterQuery(filters) === '') {
        // One prefix, unfiltered: shown live (the watch stream sends unfiltered routes).
        const first = await getJson<{ prefixes: PrefixRoutesJson[]; nextCursor: string | null }>(`/api/v1/routes?prefix=${encodeURIComponent(query.prefix)}`);
        const body = (answer: typeof first): HTMLElement[] => (answer.prefixes.length === 0 ? [h('p', {}, 'No routes.')] : answer.prefixes.map((p) => prefixSection(p)));
        return [h('h1', {}, title), ...controls, ...liveRoutes(query.prefix, first, body, () => openLoneGraph(document.getElementById('results')!))];
      }
      return prefixList(title, '/api/v1/routes', `&prefix=${encodeURIComponent(query.prefix)}&match=${match}${apiFilterQuery(filters)}`, controls);
    }
    case 'asn': {
      type Originated = { prefix: string; rd: string | null; routes: number };
      const fetchPage = (cursor: string | null) =>
        getJson<{ prefixes: Originated[]; total: number; nextCursor: string | null }>(
          `/api/v1/origins/${query.asn}/prefixes?limit=${ORIGINATED_PER_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
      const answer = await fetchPage(null);
      const item = (p: Originated): HTMLElement => h('li', {}, h('a', { href: queryHref(p.prefix) }, p.prefix), p.rd ? ` RD ${p.rd}` : '', ` (${p.routes} route${p.routes === 1 ? '' : 's'})`);
      return [
        h('h1', {}, `Prefixes originated by AS${query.asn}`),
        h('p', {}, `${answer.total} prefix${answer.total === 1 ? '' : 'es'} with a route whose AS path ends in AS${query.asn}.`),
        ...pagedList(h('ul', { class: 'prefixes' }), { items: answer.prefixes, nextCursor: answer.nextCursor }, item, async (cursor) => {
          const next = await fetchPage(cursor);
          return { items: next.prefixes, nextCursor: next.nextCursor };
        }, 'prefixes'),
      ];
    }
    case 'community':
    case 'large-community': {
      const controls = [filtersSummary(filters, 'community'), filterForm(text, match, filters, 'community')].filter((x): x is HTMLElement => x !== null);
      const title = `Routes carrying ${query.kind === 'large-community' ? 'large community' : 'community'} ${query.community}`;
      return prefixList(title, `/api/v1/communities/${encodeURIComponent(query.community)}/routes`, apiFilterQuery(filters, 'community'), controls);
    }
  }
}

async function render(): Promise<void> {
  const results = document.getElementById('results')!;
  const params = new URLSearchParams(location.search);
  const q = params.get('q')?.trim() ?? '';
  const view = params.get('view');
  const matchParam = params.get('match') ?? 'exact';
  const match: Match = (MATCHES as readonly string[]).includes(matchParam) ? (matchParam as Match) : 'exact';
  const input = document.getElementById('q') as HTMLInputElement;
  input.value = q;
  results.setAttribute('aria-busy', 'true');
  try {
    if (view === 'routers') results.replaceChildren(await routersView());
    else if (q !== '') {
      results.replaceChildren(...(await searchResults(q, match, readFilters(params))));
      openLoneGraph(results);
    }
    else results.replaceChildren(h('p', {}, 'Search the routes of every router, peer and view this ribstore collects.'));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.replaceChildren(h('p', { role: 'alert', class: 'error' }, error instanceof ApiRequestError && error.status === 404 ? `Not found: ${message}` : message));
  } finally {
    results.removeAttribute('aria-busy');
    document.body.dataset['ready'] = 'true';
  }
  if (q === '' && view === null) input.focus();
}

void render();
