import { panelBindings, type PanelCommon } from './panelBindings.js';
import { rateCheckText, type RateCheck } from '../../src/domain/costModel.js';
import type { Agreement, AgreementVersion, Variation } from '../../src/domain/agreement.js';
import { current, elementsText } from '../../src/domain/agreement.js';
import type { Settlement } from '../../src/domain/agreementRules.js';
import type { AgreementView } from '../../src/app/agreements/views.js';
import type { CardAction } from '../forms/form.js';
import { CardJson, render } from '../render.js';
import { day, gbp } from './format.js';
import { plainText } from '../../src/domain/plainText.js';

/**
 * Free text on an agreement (reasons, notes, element names, version summaries that quote them) may
 * have been typed by the provider; staff see it as plain text: no live links, images or markdown.
 */
const said = (s: string) => plainText(s);
const elementsShown = (els: Variation['elements']) => elementsText(els.map((e) => ({ ...e, name: said(e.name) }))).replace(/\n/g, '; ');

/**
 * Service-agreement cards (the agreement, the manager's approval), drawn from the view models in
 * src/app/agreements; the forms are in agreementForms.ts. Provider-bound cards
 * carry the package reference, terms, periods and money only: nothing about the person beyond
 * what the accepted provider already holds, and no council-only figures (budget, finance codes).
 */

interface Row {
  title: string;
  lines: string[];
  style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning';
}

export interface Panel extends PanelCommon {
  rows?: Row[];
  /** Free-text inputs (a decision note); shown with their errors. */
  fields?: { id: string; label: string }[];
  values?: Record<string, unknown>;
}

export function panel(v: Panel): CardJson {
  const errors = v.errors ?? {};
  return render('agreement', {
    ...panelBindings(v),
    rows: (v.rows ?? []).map((r) => ({ title: r.title, lines: r.lines.map((text) => ({ text })), style: r.style ?? 'default' })),
    fields: (v.fields ?? []).map((f) => ({ id: f.id, label: f.label, value: v.values?.[f.id] == null ? '' : String(v.values[f.id]), error: errors[f.id] ?? '' })),
  });
}

/**
 * The council's own notes stay with the council, as the provider-bound messages already keep them
 * (a suspension's note, the reason the council ended the package): in the provider's view of the
 * agreement a version shows its reason only for a variation (which the provider is told about) and
 * the provider's own hand-back.
 */
const PROVIDER_SEES_REASON = new Set<AgreementVersion['change']>(['variation', 'handed back']);

const STATUS: Record<Agreement['status'], string> = { awaiting_start: 'Waiting for the provider to confirm the start', active: 'Active', ended: 'Ended' };
const hrs = (n: number) => `${Number(n.toFixed(2))} h`;
const pct = (n: number) => (Number.isFinite(n) ? `${n > 0 ? '+' : ''}${n}%` : 'n/a');

export const periodLine = (p: Settlement) =>
  `${day(p.start)} – ${day(p.end)}: planned ${hrs(p.plannedHours)} (${gbp(p.plannedCost)})` +
  (p.delivered === undefined ? ', no return yet' : `, delivered ${hrs(p.delivered)} (${pct(p.variance!.pct)}${p.variance!.beyond ? ', beyond tolerance' : ''})`) +
  (p.bank.banked ? `, ${hrs(p.bank.banked)} banked` : '') +
  (p.bank.drawn ? `, ${hrs(p.bank.drawn)} from the bank` : '') +
  (p.bank.excess ? `, ${hrs(p.bank.excess)} not payable without a variation` : '') +
  (p.suspendedDays ? `, ${p.suspendedDays} day(s) suspended (retainer ${gbp(p.retainer)})` : '') +
  `; payable ${gbp(p.payable)}`;

const variationLine = (x: Variation) =>
  `${x.n}. ${elementsShown(x.elements)} from ${day(x.effectiveFrom)}${x.endDate ? `, ending ${day(x.endDate)}` : ''}: ${gbp(x.weeklyBefore)} → ${gbp(x.weeklyAfter)} a week. ${x.status === 'awaiting_approval' ? 'Waiting for a manager' : x.status === 'applied' ? 'Applied (within limits)' : `${x.status[0].toUpperCase()}${x.status.slice(1)} by ${x.decidedByName ?? 'a manager'}${x.decisionNote ? `: ${said(x.decisionNote)}` : ''}`}. Reason: ${said(x.reason)}`;

/** The agreement: terms, the periods so far, history; actions for what this person may do. */
export function agreementCard(v: AgreementView, extra: { notice?: string; error?: string } = {}): CardJson {
  const a = v.agreement;
  const c = current(a);
  const council = v.audience === 'council';
  const ref = { ref: a.ref };
  const facts = [
    { title: 'Status', value: STATUS[a.status] + (a.ending ? ` (${a.ending.kind} ${day(a.ending.on)}${council || a.ending.kind === 'handed back' ? `: ${said(a.ending.reason)}` : ''})` : '') },
    { title: 'Start', value: `${day(c.startDate)}${a.status === 'awaiting_start' ? ' (to be confirmed)' : ''}${c.endDate ? `; last day ${day(c.endDate)}` : ''}` },
    { title: 'Planned', value: `${hrs(c.hoursPerWeek)} a week, ${gbp(c.weeklyCost)} a week` },
    ...c.elements.map((e) => ({ title: `· ${said(e.name)}`, value: `${hrs(e.hoursPerWeek)} at ${gbp(e.hourlyRate)}` })),
    { title: 'Returns', value: `${v.rules.period}, tolerance ${v.rules.tolerancePct}%; banking up to ${v.rules.bankMaxHours} h for ${v.rules.bankMaxWeeks} weeks` },
    { title: 'Bank', value: hrs(v.periods.at(-1)?.bank.balance ?? 0) },
    ...(council
      ? [
          { title: 'Review date', value: c.reviewDate ? day(c.reviewDate) : 'not set' },
          { title: 'Personal budget', value: `${gbp(a.budgetWeekly)} a week` },
          { title: 'Finance codes', value: `cost centre ${c.financeCodes.costCentre || 'not set'}; provider finance id ${c.financeCodes.providerFinanceId || 'not set'}` },
        ]
      : []),
  ];
  const rows: Row[] = [];
  if (v.periods.length) rows.push({ title: 'Periods', lines: v.periods.slice(-6).map(periodLine) });
  if (a.suspensions.length) rows.push({ title: 'Suspensions', lines: a.suspensions.map((s) => `${day(s.from)} – ${day(s.to)}: ${council ? said(s.reason) : s.reason.split(':')[0]}`) });
  if (a.variations.length) rows.push({ title: 'Variations', lines: a.variations.slice(-4).map(variationLine) });
  if (council && a.reviews.length) rows.push({ title: 'Review needed', style: 'warning', lines: a.reviews.slice(-4).map((r) => `${r.kind}: ${r.text}`) });
  rows.push({ title: `History (${a.versions.length} versions)`, lines: a.versions.slice(-6).map((x) => `v${x.version} ${day(x.at.slice(0, 10))}: ${said(x.summary)}${x.reason && (council || PROVIDER_SEES_REASON.has(x.change)) ? ` (${said(x.reason)})` : ''}`) });
  const open = a.status !== 'ended';
  const actions: CardAction[] = council
    ? [
        ...(v.canManage && open ? [{ title: 'Review date and codes', verb: 'agreement.terms.form', data: ref }, { title: 'Propose a variation', verb: 'agreement.vary.form', data: ref }, { title: 'Record a suspension', verb: 'agreement.suspend.form', data: ref }, { title: 'End the package', verb: 'agreement.end.form', data: ref }] : []),
        ...(v.canRebroker ? [{ title: 'Re-broker to the framework', verb: 'agreement.rebroker.form', data: ref }] : []),
      ]
    : [
        ...(a.status === 'awaiting_start' ? [{ title: 'Confirm the start', verb: 'agreement.start.form', data: ref }] : []),
        ...(a.status !== 'awaiting_start' && v.owed.length ? [{ title: 'Return delivered hours', verb: 'agreement.return.form', data: { ...ref, periodStart: v.owed[0] } }] : []),
        ...(open && a.status === 'active' ? [{ title: 'Ask for a variation', verb: 'agreement.vary.form', data: ref }, { title: 'Hand the package back', verb: 'agreement.handback.form', data: ref }] : []),
      ];
  return panel({
    title: `Service agreement ${a.ref}${a.offContract ? ' (off-contract)' : ''}`,
    subtitle: council ? `${a.providerName} · ${a.zone} · ${a.lots.join(', ')}` : a.providerName,
    status: v.pending ? `Variation ${v.pending.n} is waiting for a manager's approval.` : a.status === 'awaiting_start' ? 'Confirm the start date to begin the agreement.' : '',
    statusStyle: 'warning',
    ...extra,
    facts,
    rows,
    actions: actions.slice(0, 5),
  });
}

/** The manager's approval card for a variation: the figures, the reasons it needs approval, the buttons until decided. */
export function variationApprovalCard(a: Agreement, x: Variation, f: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string; error?: string; rateCheck?: RateCheck } = {}): CardJson {
  const decided = x.status !== 'awaiting_approval';
  return panel({
    title: `Approve a variation of ${a.ref}`,
    subtitle: `${a.providerName}; proposed by ${x.proposedByName} (${x.side}) on ${day(x.at.slice(0, 10))}`,
    status: decided ? `${x.status === 'approved' ? '✔ Approved' : x.status === 'rejected' ? '✖ Rejected' : 'Applied'} by ${x.decidedByName ?? 'the bot'}${x.decisionNote ? `: ${said(x.decisionNote)}` : ''}` : `Needs approval: ${x.approvalReasons.join('; ')}.`,
    statusStyle: decided ? (x.status === 'approved' ? 'good' : 'attention') : 'warning',
    notice: f.notice,
    error: f.error,
    facts: [
      { title: 'Weekly cost', value: `${gbp(x.weeklyBefore)} → ${gbp(x.weeklyAfter)} (personal budget ${gbp(a.budgetWeekly)})` },
      { title: 'Elements', value: elementsShown(x.elements) },
      { title: 'From', value: `${day(x.effectiveFrom)}${x.endDate ? `, ending ${day(x.endDate)}` : ''}` },
      { title: 'Reason', value: said(x.reason) },
      ...(f.rateCheck ? [{ title: 'Cost of care', value: `${f.rateCheck.below ? '⚠ ' : ''}${rateCheckText(f.rateCheck)} (the elements' average rate)` }] : []),
    ],
    fields: decided ? [] : [{ id: 'decisionNote', label: 'Note (required to reject)' }],
    values: f.values,
    errors: f.errors,
    actions: decided ? [] : [{ title: 'Approve', verb: 'agreement.variation.approve', data: { ref: a.ref, n: x.n }, style: 'positive' }, { title: 'Reject', verb: 'agreement.variation.reject', data: { ref: a.ref, n: x.n }, style: 'destructive' }],
  });
}
