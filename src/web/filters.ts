/**
 * The route filters on the page: a form of labelled fields (community, origin AS, AS in path,
 * router, peer, view) whose values live in the page address beside `q` and `match`, so a
 * filtered result has a link too, and their translation into the API's query parameters
 * (/api/v1/routes and /api/v1/communities/:c/routes; the API validates them and its message is
 * shown on bad input).
 */
import { VIEWS } from '../rib/peer-registry.js';
import { h } from './dom.js';

/** One filter: its page parameter, its API parameter, its label and help. */
interface FilterField {
  readonly param: string;
  readonly api: string;
  readonly label: string;
  readonly hint: string;
  readonly options?: readonly string[];
}

/**
 * The filters. The page's `view` parameter already opens the routers page, so the RIB view
 * filter is `ribView` in the page address.
 */
export const FILTER_FIELDS: readonly FilterField[] = [
  { param: 'community', api: 'community', label: 'Community', hint: '65000:100 or a large community 65000:1:2' },
  { param: 'originAs', api: 'originAs', label: 'Origin AS', hint: 'e.g. AS64496: the last AS of the path' },
  { param: 'pathAs', api: 'pathAs', label: 'AS in path', hint: 'anywhere in the AS path' },
  { param: 'router', api: 'router', label: 'Router', hint: 'as listed under Routers and peers' },
  { param: 'peer', api: 'peer', label: 'Peer', hint: 'peer address' },
  { param: 'ribView', api: 'view', label: 'View', hint: '', options: VIEWS },
];

/** Filter values of the page address, by page parameter (empty ones left out). */
export type Filters = Record<string, string>;

/** The filters set in `params`. */
export function readFilters(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const field of FILTER_FIELDS) {
    const value = params.get(field.param)?.trim();
    if (value) filters[field.param] = value;
  }
  return filters;
}

/** `&name=value...` for the API (an `AS` before an AS number is dropped); `skip` leaves out one page parameter. */
export function apiFilterQuery(filters: Filters, skip?: string): string {
  let query = '';
  for (const field of FILTER_FIELDS) {
    const value = filters[field.param];
    if (value === undefined || field.param === skip) continue;
    const apiValue = field.param === 'originAs' || field.param === 'pathAs' ? value.replace(/^AS/i, '') : value;
    query += `&${field.api}=${encodeURIComponent(apiValue)}`;
  }
  return query;
}

/** A line naming the filters in force (but `skip`), or null. */
export function filtersSummary(filters: Filters, skip?: string): HTMLElement | null {
  const set = FILTER_FIELDS.filter((f) => filters[f.param] !== undefined && f.param !== skip);
  if (set.length === 0) return null;
  return h('p', { class: 'note filters-in-force' }, 'Filtered: ', set.map((f) => `${f.label.toLowerCase()} ${filters[f.param]}`).join(', '), '.');
}

/**
 * The filter form: GET to `/`, carrying `q` and `match` along, one labelled field per filter
 * (`skip`: a field not offered, e.g. the community of a community search).
 */
export function filterForm(q: string, match: string, filters: Filters, skip?: string): HTMLElement {
  const fields = FILTER_FIELDS.filter((f) => f.param !== skip).map((field) => {
    const id = `filter-${field.param}`;
    const control = field.options
      ? h('select', { id, name: field.param }, h('option', { value: '' }, 'any'), field.options.map((o) => h('option', { value: o, selected: filters[field.param] === o }, o)))
      : h('input', {
          id,
          name: field.param,
          type: 'text',
          value: filters[field.param] ?? '',
          autocomplete: 'off',
          spellcheck: 'false',
          'aria-describedby': `${id}-hint`,
        });
    return h(
      'div',
      { class: 'filter' },
      h('label', { for: id }, field.label),
      control,
      field.hint ? h('span', { id: `${id}-hint`, class: 'hint' }, field.hint) : null,
    );
  });
  return h(
    'form',
    { class: 'filters', action: '/', method: 'get', 'aria-labelledby': 'filters-title' },
    h('h2', { id: 'filters-title' }, 'Filter routes'),
    h('input', { type: 'hidden', name: 'q', value: q }),
    match !== 'exact' ? h('input', { type: 'hidden', name: 'match', value: match }) : null,
    h('div', { class: 'filter-fields' }, fields),
    h('p', {}, h('button', { type: 'submit' }, 'Apply filters'), ' ', h('a', { class: 'button', href: `/?${new URLSearchParams(match !== 'exact' ? { q, match } : { q }).toString()}` }, 'Clear filters')),
  );
}
