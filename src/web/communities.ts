/**
 * A route's communities on the page: each raw value (a link searching for it, for standard and
 * large communities) with its name beside it when the API names it (`communityNames`, from the
 * well-known table and `serve --community-names`).
 */
import type { RouteJson } from '../rib/route-json.js';
import { h, queryHref } from './dom.js';

/** A route as the API answers it: with the names of its communities (absent from older servers). */
export type NamedRoute = RouteJson & { communityNames?: Record<string, string> };

/** The cell content of a route's communities: one line per community, named ones with their name. */
export function communityItems(route: NamedRoute): HTMLElement[] {
  const names = route.communityNames ?? {};
  const searchable = [...route.communities, ...route.largeCommunities].map((c) => ({ text: c, href: queryHref(c) as string | undefined }));
  const extended = route.extendedCommunities.map((c) => ({ text: c, href: undefined }));
  return [...searchable, ...extended].map(({ text, href }) => {
    const name = names[text];
    return h(
      'span',
      { class: 'community' },
      href ? h('a', { href }, text) : text,
      name !== undefined ? [' ', h('span', { class: 'community-name' }, name)] : null,
    );
  });
}
