/**
 * A three-line DOM builder: the page needs elements with attributes and children, not a
 * framework. Text is always set as text (never as HTML), so values from routes cannot inject
 * markup.
 */

/** A child: an element, text, or nothing (skipped). */
export type Child = Node | string | number | null | undefined | false;

/** Create element `tag` with `attributes` (`on*` functions become listeners) and `children`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, unknown> = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value as EventListener);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
  return element;
}

/** A link to the page showing `query` (`/?q=...`), so every result can be shared. */
export function queryHref(query: string, extra: Record<string, string> = {}): string {
  return `/?${new URLSearchParams({ q: query, ...extra }).toString()}`;
}
