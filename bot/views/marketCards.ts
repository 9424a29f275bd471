import type { MarketRules } from '../../src/domain/market.js';
import { FieldSpec, renderForm } from '../forms/form.js';
import type { CardJson } from '../render.js';

/** The commissioner's market rules (issue 25). */
export function marketRulesForm(rules: MarketRules, f: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string; readOnly?: boolean } = {}): CardJson {
  const fields: FieldSpec[] = [
    { id: 'h_gap', label: 'A lot and zone is a gap in a period when, there:', kind: 'heading' },
    { id: 'noBidPct', label: 'at least this % of closed call-offs had no bid', kind: 'number', required: true },
    { id: 'thinPct', label: 'or at least this % had one bid or none', kind: 'number', required: true },
    { id: 'offContract', label: 'or at least this many were placed off-contract', kind: 'number', required: true },
    { id: 'handBacks', label: 'or at least this many packages were handed back', kind: 'number', required: true },
    { id: 'daysToStart', label: 'or the median days from request to start is above', kind: 'number', required: true },
    { id: 'minProviders', label: 'or, with call-offs there, fewer providers than this are admitted', kind: 'number', required: true },
    { id: 'h_next', label: 'What to do next', kind: 'heading' },
    { id: 'persistMonths', label: 'Months in a row a gap must last before the report proposes opening the framework there', kind: 'number', required: true },
    { id: 'capacityWeeks', label: 'Weeks before a provider’s capacity declaration is stale (chased once)', kind: 'number', required: true },
    { id: 'smallNumber', label: 'Small-number threshold: counts from 1 to one less than this are shown as "<N"', kind: 'number', required: true },
  ];
  return renderForm({
    title: 'Market rules',
    intro: `How the market report marks gaps by lot and zone, and when it offers to open an admission window for one.${f.readOnly ? ' The commissioner sets them.' : ''}`,
    notice: f.notice,
    formError: f.errors && Object.keys(f.errors).length ? 'Please correct the highlighted fields; nothing you typed is lost.' : '',
    fields,
    values: { ...rules, ...f.values },
    errors: f.errors,
    actions: f.readOnly ? [] : [{ title: 'Save the rules', verb: 'market.rules.save', style: 'positive' }],
  });
}
