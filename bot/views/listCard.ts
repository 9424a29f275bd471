import { CardJson, render } from '../render.js';

export interface ListRow {
  title: string;
  subtitle: string;
  /** Shown in the attention colour (e.g. a gap, a provider that cannot be reached). */
  attention?: boolean;
  actions?: { title: string; verb: string; data: Record<string, unknown> }[];
}

export interface ListView {
  title: string;
  notice?: string;
  noticeColor?: string;
  facts?: { title: string; value: string }[];
  intro?: string;
  introColor?: string;
  introWeight?: string;
  /** A search box whose Search button sends `q` with `data` to `verb`. */
  search?: { verb: string; data: Record<string, unknown>; label: string; placeholder: string; value: string };
  pageLine?: string;
  empty?: string;
  rows: ListRow[];
  actions?: { title: string; verb: string; data: Record<string, unknown>; style?: string }[];
}

/** The list card (cards/list.json) with every optional part filled, so the template never sees undefined. */
export function listCard(view: ListView): CardJson {
  return render('list', {
    title: view.title,
    notice: view.notice ?? '',
    noticeColor: view.noticeColor ?? 'Good',
    facts: view.facts ?? [],
    intro: view.intro ?? '',
    introColor: view.introColor ?? 'Default',
    introWeight: view.introWeight ?? 'Default',
    search: view.search ?? { verb: '', data: {}, label: '', placeholder: '', value: '' },
    pageLine: view.pageLine ?? '',
    empty: view.empty ?? '',
    rows: view.rows.map((r) => ({ title: r.title, subtitle: r.subtitle, attention: r.attention ?? false, actions: r.actions ?? [] })),
    actions: (view.actions ?? []).map((a) => ({ ...a, style: a.style ?? 'default' })),
  });
}
