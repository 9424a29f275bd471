/**
 * Long lists in cards: a page at a time, with a search. A council's framework has hundreds of
 * providers; one card holding them all is over Teams' size budget and unreadable anyway.
 */

export interface Page<T> {
  items: T[];
  /** 1-based, clamped to the pages there are. */
  page: number;
  pages: number;
  /** How many matched the search (all of them without one). */
  total: number;
}

export function pageOf<T>(items: T[], requested: unknown, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const n = Number(requested);
  const page = Number.isInteger(n) && n >= 1 ? Math.min(n, pages) : 1;
  return { items: items.slice((page - 1) * size, page * size), page, pages, total: items.length };
}

/** Case- and accent-insensitive: every word of the query appears somewhere in the text. */
export function matches(text: string, query: unknown): boolean {
  const fold = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const words = typeof query === 'string' ? fold(query).split(/\s+/).filter(Boolean) : [];
  const hay = fold(text);
  return words.every((w) => hay.includes(w));
}

/** A search query from card data: trimmed, at most 100 characters, '' for none. */
export const queryOf = (q: unknown): string => (typeof q === 'string' ? q.trim().slice(0, 100) : '');

export interface PagerAction {
  title: string;
  verb: string;
  data: Record<string, unknown>;
  style: 'default';
}

/** "Previous" and "Next" buttons that keep everything else the view was asked for. */
export function pagerActions(p: Page<unknown>, verb: string, data: Record<string, unknown>): PagerAction[] {
  const out: PagerAction[] = [];
  if (p.page > 1) out.push({ title: '◀ Previous', verb, data: { ...data, page: p.page - 1 }, style: 'default' });
  if (p.page < p.pages) out.push({ title: 'Next ▶', verb, data: { ...data, page: p.page + 1 }, style: 'default' });
  return out;
}

/** "Page 2 of 13 · 250 providers" (or "3 of 250 match 'x'"), '' when it all fits on one page unsearched. */
export function pageLine(p: Page<unknown>, noun: string, all: number, query: string): string {
  const found = query ? `${p.total} of ${all} ${noun} match "${query}"` : `${p.total} ${noun}`;
  return p.pages > 1 ? `Page ${p.page} of ${p.pages} · ${found}` : query ? found : '';
}

/** The first few names and how many more: a line that stays short however long the list. */
export function someOf(names: string[], shown = 5): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}
