/**
 * A long answer one page at a time: the first page is rendered at once, and a "Show more"
 * button asks the API for the next page (its `nextCursor`) and appends it. On a full table a
 * /8's more-specifics are tens of thousands of prefixes with ten routes each: asking for and
 * drawing a small page keeps the first results quick (bench/looking-glass.ts measures it),
 * and nothing is out of reach.
 */
import { h } from './dom.js';

/** Prefixes (with all their routes) per page of a prefix list. */
export const PREFIXES_PER_PAGE = 50;
/** Originated prefixes (one line each) per page. */
export const ORIGINATED_PER_PAGE = 500;

/** One page of an API answer, items already picked out of it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * `container` filled with the first page's items (`render` makes each), and after it the count
 * and, while more pages exist, a button that fetches the next page with `fetchPage(cursor)`.
 * Keyboard users land on the first new item (`render`'s element gets `tabindex=-1` and the focus).
 */
export function pagedList<T>(container: HTMLElement, first: Page<T>, render: (item: T) => HTMLElement, fetchPage: (cursor: string) => Promise<Page<T>>, noun: string): HTMLElement[] {
  let shown = 0;
  let cursor = first.nextCursor;
  const status = h('span', { class: 'note', role: 'status' });
  const button = h('button', { type: 'button', class: 'more' }, `Show more ${noun}`);
  const update = (): void => {
    status.textContent = `${shown} ${noun} shown${cursor === null ? ', no more' : ', more on the next pages'}. `;
    button.hidden = cursor === null;
  };
  const append = (items: T[]): HTMLElement | undefined => {
    const elements = items.map(render);
    container.append(...elements);
    shown += items.length;
    return elements[0];
  };
  append(first.items);
  // An answer that fits in one page needs no pager.
  if (cursor === null) return [container];
  update();
  button.addEventListener('click', async () => {
    if (cursor === null) return;
    button.disabled = true;
    try {
      const next = await fetchPage(cursor);
      cursor = next.nextCursor;
      const firstNew = append(next.items);
      if (firstNew) {
        firstNew.tabIndex = -1;
        firstNew.focus();
      }
    } catch (error) {
      status.textContent = `The next page could not be fetched: ${error instanceof Error ? error.message : String(error)}. `;
      return;
    } finally {
      button.disabled = false;
    }
    update();
  });
  return [container, h('p', { class: 'pager' }, status, button)];
}
