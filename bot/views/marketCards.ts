/**
 * The market view's cards (issue 25): the market report with its gaps and the action on them, the
 * market rules, and the market template's bindings the cost-of-care cards share.
 */
import { shownCount, type MarketRules } from '../../src/domain/market.js';
import { formatUk } from '../../src/domain/dates.js';
import type { Cell, MarketReport } from '../../src/reports/market.js';
import type { MarketView } from '../../src/reports/marketFiles.js';
import type { Period } from '../../src/reports/period.js';
import { median } from '../../src/reports/queries.js';
import { fmtDays } from '../../src/reports/charts.js';
import { FieldSpec, renderForm, type CardAction } from '../forms/form.js';
import { CardJson, render } from '../render.js';
import { gbp } from './format.js';
import { pageLine, pageOf, pagerActions } from './paging.js';

interface Fact {
  title: string;
  value: string;
}

/** A section of the market template, every binding filled. */
export const section = (heading: string, facts: Fact[], o: { note?: string; style?: string; actions?: CardAction[] } = {}) => ({
  heading,
  note: o.note ?? '',
  style: o.style ?? 'default',
  facts,
  actions: (o.actions ?? []).map((a) => ({ title: a.title, verb: a.verb, data: a.data ?? {} })),
});

/** The market template's bindings with the empty ones filled. */
export function marketCard(v: {
  title: string;
  subtitle?: string;
  status?: string;
  statusStyle?: string;
  notice?: string;
  error?: string;
  facts?: Fact[];
  images?: { url: string; title: string; altText: string }[];
  imageNote?: string;
  sections?: ReturnType<typeof section>[];
  fields?: { id: string; label: string; kind: 'choice' | 'text'; required?: boolean; choices?: { title: string; value: string }[]; value?: string; help?: string; error?: string }[];
  links?: { title: string; url: string }[];
  linksNote?: string;
  footer?: string;
  actions?: CardAction[];
}): CardJson {
  return render('market', {
    title: v.title,
    subtitle: v.subtitle ?? '',
    status: v.status ?? '',
    statusStyle: v.statusStyle ?? 'emphasis',
    notice: v.notice ?? '',
    error: v.error ?? '',
    facts: v.facts ?? [],
    images: v.images ?? [],
    imageNote: v.imageNote ?? '',
    sections: v.sections ?? [],
    fields: (v.fields ?? []).map((f) => ({ id: f.id, label: f.label, kind: f.kind, required: f.required ?? false, choices: f.choices ?? [], value: f.value ?? '', help: f.help ?? '', error: f.error ?? '' })),
    links: v.links ?? [],
    linksNote: v.linksNote ?? '',
    footer: v.footer ?? '',
    actions: (v.actions ?? []).map((a) => ({ title: a.title, verb: a.verb, data: a.data ?? {}, style: a.style ?? 'default', inputs: a.inputs ?? 'auto' })),
  });
}

/** The commissioner's market rules (issue 25). */
export function marketRulesForm(rules: MarketRules, f: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string; readOnly?: boolean } = {}): CardJson {
  const fields: FieldSpec[] = [
    { id: 'h_gap', label: 'A lot and zone is a gap in a period when, there:', kind: 'heading' },
    { id: 'noBidPct', label: 'at least this % of closed call-offs had no bid', kind: 'text', maxLength: 20, required: true },
    { id: 'thinPct', label: 'or at least this % had one bid or none', kind: 'text', maxLength: 20, required: true },
    { id: 'offContract', label: 'or at least this many were placed off-contract', kind: 'text', maxLength: 20, required: true },
    { id: 'handBacks', label: 'or at least this many packages were handed back', kind: 'text', maxLength: 20, required: true },
    { id: 'daysToStart', label: 'or the median days from request to start is above', kind: 'text', maxLength: 20, required: true },
    { id: 'minProviders', label: 'or, with call-offs there, fewer providers than this are admitted', kind: 'text', maxLength: 20, required: true },
    { id: 'h_next', label: 'What to do next', kind: 'heading' },
    { id: 'persistMonths', label: 'Months in a row a gap must last before the report proposes opening the framework there', kind: 'text', maxLength: 20, required: true },
    { id: 'capacityWeeks', label: 'Weeks before a provider’s capacity declaration is stale (chased once)', kind: 'text', maxLength: 20, required: true },
    { id: 'smallNumber', label: 'Small-number threshold: counts from 1 to one less than this are shown as "<N"', kind: 'text', maxLength: 20, required: true },
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

// ───────────────────────────── the market report ─────────────────────────────

/** Gap cells per page of the market report: each is a section of up to nine lines. */
export const GAPS_PER_PAGE = 6;

export interface MarketCardOptions {
  page?: unknown;
  /** The commissioner may open an admission window for a persistent gap. */
  canAct: boolean;
  notice?: string;
  error?: string;
}

const plural = (n: string | number, one: string, many = `${one}s`) => `${n} ${n === 1 || n === '1' ? one : many}`;

function gapSection(c: Cell, r: MarketReport, period: Period, canAct: boolean) {
  const n = (x: number) => shownCount(x, r.rules.smallNumber);
  const d = c.demand;
  const facts = [
    { title: 'Why', value: c.reasons.join('; ') },
    { title: 'Call-offs', value: `${n(d.callOffs)}${d.closed ? ` (${n(d.closed)} closed: ${n(d.noBid)} with no bid, ${n(d.oneBid)} with one; ${(d.bids / d.closed).toFixed(1)} bids each)` : ''}` },
    ...(d.cascades ? [{ title: 'Cascades', value: `${n(d.cascades)}, reaching ${plural(d.cascadeZones, 'neighbouring zone')} and ${plural(d.cascadeProviders, 'provider')}; then ${n(d.cascadeAwarded)} awarded, ${n(d.cascadeOffContract)} off-contract` }] : []),
    ...(d.offContract || d.offContractWeeks ? [{ title: 'Off-contract', value: `${plural(n(d.offContract), 'placement')} recorded; ${d.offContractWeeks} weeks placed off-contract in the period` }] : []),
    ...(d.handBacks ? [{ title: 'Handed back', value: plural(n(d.handBacks), 'package') }] : []),
    ...(d.daysToStart.length ? [{ title: 'Request to start', value: `median ${fmtDays(median(d.daysToStart)!)} (${n(d.daysToStart.length)} started)` }] : []),
    { title: 'Providers', value: `${c.supply.admitted} admitted, ${c.supply.active} bid here` },
    { title: 'Capacity said', value: `${c.supply.capacityYes} can take more${c.supply.capacityHours ? ` (about ${c.supply.capacityHours} hours a week)` : ''}, ${c.supply.capacityNo} cannot${c.supply.capacityStale ? `, ${c.supply.capacityStale} stale` : ''}` },
    { title: 'Cost of care', value: `model ${gbp(c.modelRate)}/h${c.awards ? `; awarded median ${gbp(c.medianRate!)}/h, ${n(c.belowModel)} of ${n(c.awards)} below the model` : '; no awards in the period'}` },
  ];
  const months = r.months.map((m) => m.label).join(', ');
  return section(`${c.lotName} in ${c.zoneName}${c.persistent ? `: a gap in each of the last ${r.rules.persistMonths} months` : ''}`, facts, {
    note: c.persistent ? `A gap in ${months}. Opening an admission window invites providers to apply for it, with these figures in the notice.` : '',
    style: c.persistent ? 'attention' : 'warning',
    // The section's title names the lot and zone: a button's title is one line in Teams, cut short when long.
    actions: c.persistent && canAct ? [{ title: 'Open an admission window', verb: 'market.gap.open', data: { lot: c.lot, zone: c.zone, from: period.from, to: period.to } }] : [],
  });
}

/** Where awards went below the cost of care, by lot and zone (the first page only; the CSV has every cell). */
function ratesSection(r: MarketReport) {
  const n = (x: number) => shownCount(x, r.rules.smallNumber);
  const below = r.cells.filter((c) => c.belowModel).sort((a, b) => b.belowModel - a.belowModel || (b.medianRate ?? 0) - (a.medianRate ?? 0));
  if (!below.length) return [];
  const shown = below.slice(0, RATE_LINES);
  return [
    section(
      'Awards below the cost of care',
      shown.map((c) => ({ title: `${c.lotName} in ${c.zoneName}`, value: `${n(c.belowModel)} of ${n(c.awards)}; median ${gbp(c.medianRate!)}/h against the model's ${gbp(c.modelRate)}/h` })),
      { note: below.length > shown.length ? `The ${shown.length} of ${below.length} lots and zones with the most; the CSV has every one.` : 'Framework awards approved in the period, by lot and zone.' },
    ),
  ];
}
const RATE_LINES = 8;

export function marketReportCard(v: MarketView, o: MarketCardOptions): CardJson {
  const r = v.report;
  const t = r.totals;
  const n = (x: number) => shownCount(x, r.rules.smallNumber);
  const page = pageOf(r.gaps, o.page, GAPS_PER_PAGE);
  const persistent = t.persistent;
  const status = persistent
    ? `⚠ ${plural(persistent, 'gap has', 'gaps have')} lasted ${r.rules.persistMonths} months: the report offers to open an admission window for ${persistent === 1 ? 'it' : 'each'}.`
    : t.gaps
      ? `${plural(t.gaps, 'gap')} in the period; none has lasted ${r.rules.persistMonths} months.`
      : 'No gaps in the period by the council’s rules.';
  const periodData = { from: r.period.from, to: r.period.to };
  return marketCard({
    title: `The market: ${r.period.label}`,
    subtitle: `Gaps by lot and zone by the council's market rules. Counts under ${r.rules.smallNumber} are shown as "<${r.rules.smallNumber}", so nothing points at a person.`,
    status,
    statusStyle: persistent ? 'attention' : t.gaps ? 'warning' : 'good',
    notice: o.notice,
    error: o.error,
    facts: [
      { title: 'Call-offs published', value: `${n(t.callOffs)}${t.closed ? ` (${n(t.closed)} closed: ${n(t.noBid)} with no bid, ${n(t.oneBid)} with one; ${(t.bids / t.closed).toFixed(1)} bids each)` : ''}` },
      { title: 'Cascades', value: n(t.cascades) },
      { title: 'Off-contract', value: `${plural(n(t.offContract), 'placement')} recorded; ${t.offContractWeeks} weeks placed off-contract in the period` },
      { title: 'Handed back', value: plural(n(t.handBacks), 'package') },
      { title: 'Request to start', value: t.starts ? `median ${fmtDays(t.medianDaysToStart!)} (${n(t.starts)} started)` : 'none started' },
      { title: 'Awards against the model', value: t.awards ? `${n(t.belowModel)} of ${n(t.awards)} below the cost-of-care model` : 'no awards' },
      { title: 'Lots × zones', value: `${r.cells.length} cells: ${t.cellsWithDemand} with call-offs; ${plural(t.gaps, 'gap')}, ${t.persistent} persistent` },
    ],
    images: [{ url: v.map.url, title: v.map.title, altText: `Heat map of ${r.cells.length} lot and zone cells: ${t.gaps} gaps, ${t.persistent} persistent` }],
    imageNote: 'Open the map for full size: red a persistent gap, amber a gap, green call-offs and no gap; the number is the call-offs.',
    sections: [...(page.page === 1 ? ratesSection(r) : []), ...page.items.map((c) => gapSection(c, r, r.period, o.canAct))],
    links: [v.csv],
    linksNote: `Every cell with every figure (links work until ${formatUk(v.expiresAt)}; ask again for new ones):`,
    footer: `${pageLine(page, 'gaps, persistent first', r.gaps.length, '')}${page.pages > 1 ? '. ' : ''}Council staff only. Definitions: docs/market.md.`,
    actions: [...pagerActions(page, 'market.report', periodData), { title: 'Cost of care', verb: 'market.cost.show', data: { lot: 'default' }, inputs: 'none' }, { title: 'Market rules', verb: 'market.rules.show', data: {}, inputs: 'none' }],
  });
}
