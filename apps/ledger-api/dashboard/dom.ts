/// <reference lib="dom" />
/** A few DOM helpers, so panels build elements without innerHTML (no injection from API text). */
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') element.className = value;
    else element.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

export function replace(target: HTMLElement | string, ...children: Child[]): void {
  const element = typeof target === 'string' ? byId(target) : target;
  element.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

export interface Column<R> {
  header: string;
  cell: (row: R) => Child;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
}

/**
 * A table of rows; with no rows, one row saying so, so an empty ledger does not look like a broken panel.
 * It comes in a wrapper of its own that scrolls sideways when the table is wider than its card, so a
 * column is never cut off and the page itself never scrolls sideways.
 */
export function table<R>(columns: Column<R>[], rows: R[], attributes: Record<string, string> = {}, empty = 'No data yet 暂无数据'): HTMLElement {
  const body =
    rows.length > 0
      ? rows.map((row) => el('tr', {}, ...columns.map((c) => el('td', c.numeric ? { class: 'num' } : {}, c.cell(row)))))
      : [el('tr', { class: 'empty', 'data-empty': 'true' }, el('td', { colspan: String(columns.length), class: 'muted' }, empty))];
  return el('div', { class: 'table-wrap' }, el('table', attributes, el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', c.numeric ? { class: 'num' } : {}, c.header)))), el('tbody', {}, ...body)));
}

/** A headline figure whose data-value keeps the API's exact string, so a test can compare it. */
export function figure(name: string, title: string, shown: string, value: string, note?: string): HTMLElement {
  return el(
    'div',
    { class: 'figure', 'data-figure': name, 'data-value': value },
    el('div', { class: 'figure-title' }, title),
    el('div', { class: 'figure-value' }, shown),
    note ? el('div', { class: 'figure-note' }, note) : null,
  );
}

export function notice(text: string, kind: 'info' | 'warn' | 'error' = 'info'): HTMLElement {
  return el('p', { class: `notice ${kind}` }, text);
}
