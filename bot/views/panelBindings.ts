import type { CardAction } from '../forms/form.js';

/** What the award and agreement card templates (cards/award.json, cards/agreement.json) have in common. */
export interface PanelCommon {
  title: string;
  subtitle?: string;
  status?: string;
  statusStyle?: string;
  notice?: string;
  error?: string;
  facts?: { title: string; value: string }[];
  fields?: { id: string }[];
  errors?: Record<string, string>;
  footer?: string;
  links?: { title: string; url: string }[];
  actions?: CardAction[];
}

/**
 * Those shared bindings, every one filled ('' and [] for empty, as the templates expect). An error
 * for a field the card does not show joins the card's own error, so no message is lost.
 */
export function panelBindings(v: PanelCommon): Record<string, unknown> {
  const errors = v.errors ?? {};
  const ids = new Set((v.fields ?? []).map((f) => f.id));
  const orphan = Object.entries(errors)
    .filter(([k]) => !ids.has(k))
    .map(([, m]) => m);
  return {
    title: v.title,
    subtitle: v.subtitle ?? '',
    status: v.status ?? '',
    statusStyle: v.statusStyle ?? 'emphasis',
    notice: v.notice ?? '',
    error: [v.error, ...orphan].filter(Boolean).join(' '),
    facts: v.facts ?? [],
    footer: v.footer ?? '',
    links: v.links ?? [],
    actions: (v.actions ?? []).map((a) => ({ title: a.title, verb: a.verb, data: a.data ?? {}, style: a.style ?? 'default', inputs: a.inputs ?? 'auto' })),
  };
}
