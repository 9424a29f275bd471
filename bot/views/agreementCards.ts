import type { Agreement, ContractRules, Variation } from '../../src/domain/agreement.js';
import { current, elementsText, PERIOD_KINDS, SUSPENSION_REASONS } from '../../src/domain/agreement.js';
import type { Settlement } from '../../src/domain/agreementRules.js';
import type { AgreementView } from '../../src/app/agreements/views.js';
import { CardAction, FieldSpec, renderForm } from '../forms/form.js';
import { CardJson, render } from '../render.js';
import { day, gbp } from './format.js';

/**
 * Service-agreement cards, drawn from the view models in src/app/agreements. Provider-bound cards
 * carry the package reference, terms, periods and money only: nothing about the person beyond
 * what the accepted provider already holds, and no council-only figures (budget, finance codes).
 */

interface Row {
  title: string;
  lines: string[];
  style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning';
}

export interface Panel {
  title: string;
  subtitle?: string;
  status?: string;
  statusStyle?: string;
  notice?: string;
  error?: string;
  facts?: { title: string; value: string }[];
  rows?: Row[];
  /** Free-text inputs (a decision note); shown with their errors. */
  fields?: { id: string; label: string }[];
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  footer?: string;
  actions?: CardAction[];
  /** Downloads (signed, short-lived links to CSV files). */
  links?: { title: string; url: string }[];
}

export function panel(v: Panel): CardJson {
  const errors = v.errors ?? {};
  const ids = new Set((v.fields ?? []).map((f) => f.id));
  const orphan = Object.entries(errors).filter(([k]) => !ids.has(k)).map(([, m]) => m);
  return render('agreement', {
    title: v.title,
    subtitle: v.subtitle ?? '',
    status: v.status ?? '',
    statusStyle: v.statusStyle ?? 'emphasis',
    notice: v.notice ?? '',
    error: [v.error, ...orphan].filter(Boolean).join(' '),
    facts: v.facts ?? [],
    rows: (v.rows ?? []).map((r) => ({ title: r.title, lines: r.lines.map((text) => ({ text })), style: r.style ?? 'default' })),
    fields: (v.fields ?? []).map((f) => ({ id: f.id, label: f.label, value: v.values?.[f.id] == null ? '' : String(v.values[f.id]), error: errors[f.id] ?? '' })),
    footer: v.footer ?? '',
    actions: (v.actions ?? []).map((a) => ({ title: a.title, verb: a.verb, data: a.data ?? {}, style: a.style ?? 'default', inputs: a.inputs ?? 'auto' })),
    links: v.links ?? [],
  });
}

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
  `${x.n}. ${elementsText(x.elements).replace(/\n/g, '; ')} from ${day(x.effectiveFrom)}${x.endDate ? `, ending ${day(x.endDate)}` : ''}: ${gbp(x.weeklyBefore)} → ${gbp(x.weeklyAfter)} a week. ${x.status === 'awaiting_approval' ? 'Waiting for a manager' : x.status === 'applied' ? 'Applied (within limits)' : `${x.status[0].toUpperCase()}${x.status.slice(1)} by ${x.decidedByName ?? 'a manager'}${x.decisionNote ? `: ${x.decisionNote}` : ''}`}. Reason: ${x.reason}`;

/** The agreement: terms, the periods so far, history; actions for what this person may do. */
export function agreementCard(v: AgreementView, extra: { notice?: string; error?: string } = {}): CardJson {
  const a = v.agreement;
  const c = current(a);
  const council = v.audience === 'council';
  const ref = { ref: a.ref };
  const facts = [
    { title: 'Status', value: STATUS[a.status] + (a.ending ? ` (${a.ending.kind} ${day(a.ending.on)}: ${a.ending.reason})` : '') },
    { title: 'Start', value: `${day(c.startDate)}${a.status === 'awaiting_start' ? ' (to be confirmed)' : ''}${c.endDate ? `; last day ${day(c.endDate)}` : ''}` },
    { title: 'Planned', value: `${hrs(c.hoursPerWeek)} a week, ${gbp(c.weeklyCost)} a week` },
    ...c.elements.map((e) => ({ title: `· ${e.name}`, value: `${hrs(e.hoursPerWeek)} at ${gbp(e.hourlyRate)}` })),
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
  if (a.suspensions.length) rows.push({ title: 'Suspensions', lines: a.suspensions.map((s) => `${day(s.from)} – ${day(s.to)}: ${s.reason}`) });
  if (a.variations.length) rows.push({ title: 'Variations', lines: a.variations.slice(-4).map(variationLine) });
  if (council && a.reviews.length) rows.push({ title: 'Review needed', style: 'warning', lines: a.reviews.slice(-4).map((r) => `${r.kind}: ${r.text}`) });
  rows.push({ title: `History (${a.versions.length} versions)`, lines: a.versions.slice(-6).map((x) => `v${x.version} ${day(x.at.slice(0, 10))}: ${x.summary}${x.reason ? ` (${x.reason})` : ''}`) });
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

const refData = (a: Pick<Agreement, 'ref'>) => ({ ref: a.ref });
const submit = (title: string, verb: string, a: Pick<Agreement, 'ref'>, extra: Record<string, unknown> = {}): CardAction => ({ title, verb, data: { ...refData(a), ...extra }, style: 'positive' });
const back = (a: Pick<Agreement, 'ref'>): CardAction => ({ title: 'Back to the agreement', verb: 'agreement.show', data: refData(a), inputs: 'none' });

type Form = { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string };

export function startForm(a: Agreement, f: Form = {}): CardJson {
  const c = current(a);
  if (a.status !== 'awaiting_start') return panel({ title: `Service agreement ${a.ref}: start`, status: `Start confirmed: ${day(c.startDate)}. Your first return of delivered hours is asked for after the first period.`, statusStyle: 'good', notice: f.notice, actions: [back(a)] });
  return renderForm({
    title: `Service agreement ${a.ref}: confirm the start`,
    intro: `You accepted ${a.ref}: ${hrs(c.hoursPerWeek)} a week at ${gbp(c.weeklyCost)} a week, awarded to start ${day(a.proposedStart)}. Confirm the day support starts (or the day you can start).`,
    notice: f.notice,
    fields: [{ id: 'startDate', label: 'Start date', kind: 'date', required: true }],
    values: { startDate: a.proposedStart, ...f.values },
    errors: f.errors,
    actions: [submit('Confirm the start', 'agreement.start', a)],
  });
}

export function termsForm(a: Agreement, f: Form = {}): CardJson {
  const c = current(a);
  return renderForm({
    title: `${a.ref}: review date and finance codes`,
    intro: 'The first review is set a few weeks after the start; move it here. The finance codes go into the payments export.',
    fields: [
      { id: 'reviewDate', label: 'Review date', kind: 'date', required: true },
      { id: 'costCentre', label: 'Cost centre', kind: 'text', maxLength: 40 },
      { id: 'providerFinanceId', label: "Provider's id in the finance system", kind: 'text', maxLength: 40 },
    ],
    values: { reviewDate: c.reviewDate ?? '', costCentre: c.financeCodes.costCentre, providerFinanceId: c.financeCodes.providerFinanceId, ...f.values },
    errors: f.errors,
    actions: [submit('Save', 'agreement.terms', a), back(a)],
  });
}

export function returnForm(a: Agreement, periods: { start: string; end: string; planned: number }[], f: Form & { periodStart?: string } = {}): CardJson {
  const chosen = periods.find((p) => p.start === f.periodStart) ?? periods[0];
  return renderForm({
    title: `${a.ref}: delivered hours`,
    intro: `${chosen ? `Period ${day(chosen.start)} – ${day(chosen.end)}: ${hrs(chosen.planned)} planned. ` : 'No period has ended yet. '}Return the hours your staff delivered, or paste your call-monitoring export (columns reference, date, hours or minutes) with "Paste a CSV".`,
    notice: f.notice,
    fields: [
      { id: 'periodStart', label: 'Period', kind: 'choice', required: true, choices: periods.map((p) => ({ title: `${day(p.start)} – ${day(p.end)} (planned ${hrs(p.planned)})`, value: p.start })) },
      { id: 'hours', label: 'Hours delivered', kind: 'number', required: true },
    ],
    values: { periodStart: f.periodStart ?? periods[0]?.start ?? '', ...f.values },
    errors: f.errors,
    actions: [submit('Send the return', 'agreement.return', a), { title: 'Paste a CSV', verb: 'agreement.csv.form', data: refData(a), inputs: 'none' }, back(a)],
  });
}

export function csvForm(a: Pick<Agreement, 'ref'>, f: Form = {}): CardJson {
  return renderForm({
    title: 'Delivered hours from your call-monitoring system',
    intro: 'Paste the CSV export. The first line names the columns: reference (PKG-…), date (YYYY-MM-DD or DD/MM/YYYY), and hours (or minutes); other columns are ignored. Rows are added up into each package’s periods. One bad line and nothing is recorded.',
    notice: f.notice,
    fields: [{ id: 'csv', label: 'CSV', kind: 'multiline', required: true, maxLength: 20000 }],
    values: f.values ?? {},
    errors: f.errors,
    actions: [submit('Send the returns', 'agreement.csv', a), back(a)],
  });
}

export function varyForm(a: Agreement, side: 'provider' | 'council', rules: ContractRules, f: Form = {}): CardJson {
  const c = current(a);
  return renderForm({
    title: `${a.ref}: ${side === 'provider' ? 'ask for a variation' : 'propose a variation'}`,
    intro: `Now: ${hrs(c.hoursPerWeek)} a week, ${gbp(c.weeklyCost)} a week. One element a line as "name: hours @ rate". A change that raises the weekly cost by more than ${gbp(rules.variationThreshold)} ${side === 'council' ? 'or above the personal budget ' : ''}goes to a manager; the provider is told the outcome.`,
    fields: [
      { id: 'elements', label: 'Elements (name: hours @ rate)', kind: 'multiline', required: true, maxLength: 1000 },
      { id: 'effectiveFrom', label: 'Takes effect from', kind: 'date', required: true },
      { id: 'endDate', label: 'New end date (optional)', kind: 'date' },
      { id: 'reason', label: 'Reason', kind: 'multiline', required: true, maxLength: 1000 },
    ],
    values: { elements: elementsText(c.elements), endDate: c.endDate ?? '', ...f.values },
    errors: f.errors,
    actions: [submit(side === 'provider' ? 'Ask for the variation' : 'Propose the variation', 'agreement.vary', a), back(a)],
  });
}

export function suspendForm(a: Agreement, rules: ContractRules, f: Form = {}): CardJson {
  return renderForm({
    title: `${a.ref}: record a suspension`,
    intro: `Suspended days are out of the plan. The provider is paid a retainer of ${rules.retainerPct}% of the planned cost for up to ${rules.retainerWeeks} weeks of a suspension (the council's rule).`,
    fields: [
      { id: 'kind', label: 'Why', kind: 'choice', required: true, choices: SUSPENSION_REASONS.map((r) => ({ title: r, value: r })) },
      { id: 'from', label: 'First day', kind: 'date', required: true },
      { id: 'to', label: 'Last day', kind: 'date', required: true },
      { id: 'note', label: 'Note for the council (optional)', kind: 'text', maxLength: 500 },
    ],
    values: { kind: 'hospital stay', ...f.values },
    errors: f.errors,
    actions: [submit('Record the suspension', 'agreement.suspend', a), back(a)],
  });
}

export function endForm(a: Agreement, kind: 'end' | 'handback' | 'rebroker', f: Form = {}): CardJson {
  const title = { end: 'end the package', handback: 'hand the package back', rebroker: 're-broker to the framework' }[kind];
  const intro = {
    end: 'The package ends after the last day; the last period still asks for its return.',
    handback: 'The council will start a new call-off for this package. Please give the last day you can provide support and why.',
    rebroker: 'The off-contract placement ends after the last day, and a new request is started from this one, pre-filled, for you to publish to the framework.',
  }[kind];
  return renderForm({
    title: `${a.ref}: ${title}`,
    intro,
    fields: [
      { id: 'on', label: 'Last day', kind: 'date', required: true },
      { id: 'reason', label: 'Reason', kind: 'multiline', required: true, maxLength: 1000 },
    ],
    values: f.values ?? {},
    errors: f.errors,
    actions: [{ ...submit(title[0].toUpperCase() + title.slice(1), `agreement.${kind}`, a), style: 'destructive' }, back(a)],
  });
}

/** The manager's approval card for a variation: the figures, the reasons it needs approval, the buttons until decided. */
export function variationApprovalCard(a: Agreement, x: Variation, f: Form & { error?: string } = {}): CardJson {
  const decided = x.status !== 'awaiting_approval';
  return panel({
    title: `Approve a variation of ${a.ref}`,
    subtitle: `${a.providerName}; proposed by ${x.proposedByName} (${x.side}) on ${day(x.at.slice(0, 10))}`,
    status: decided ? `${x.status === 'approved' ? '✔ Approved' : x.status === 'rejected' ? '✖ Rejected' : 'Applied'} by ${x.decidedByName ?? 'the bot'}${x.decisionNote ? `: ${x.decisionNote}` : ''}` : `Needs approval: ${x.approvalReasons.join('; ')}.`,
    statusStyle: decided ? (x.status === 'approved' ? 'good' : 'attention') : 'warning',
    notice: f.notice,
    error: f.error,
    facts: [
      { title: 'Weekly cost', value: `${gbp(x.weeklyBefore)} → ${gbp(x.weeklyAfter)} (personal budget ${gbp(a.budgetWeekly)})` },
      { title: 'Elements', value: elementsText(x.elements).replace(/\n/g, '; ') },
      { title: 'From', value: `${day(x.effectiveFrom)}${x.endDate ? `, ending ${day(x.endDate)}` : ''}` },
      { title: 'Reason', value: x.reason },
    ],
    fields: decided ? [] : [{ id: 'decisionNote', label: 'Note (required to reject)' }],
    values: f.values,
    errors: f.errors,
    actions: decided ? [] : [submit('Approve', 'agreement.variation.approve', a, { n: x.n }), { ...submit('Reject', 'agreement.variation.reject', a, { n: x.n }), style: 'destructive' }],
  });
}

export function rulesForm(rules: ContractRules, f: Form = {}): CardJson {
  const fields: FieldSpec[] = [
    { id: 'period', label: 'Return period', kind: 'choice', required: true, choices: PERIOD_KINDS.map((p) => ({ title: p, value: p })) },
    { id: 'tolerancePct', label: 'Variance tolerance (%)', kind: 'number', required: true },
    { id: 'bankMaxHours', label: 'Most hours that can be banked', kind: 'number', required: true },
    { id: 'bankMaxWeeks', label: 'Weeks banked hours last', kind: 'number', required: true },
    { id: 'variationThreshold', label: 'Weekly cost rise needing approval (£)', kind: 'number', required: true },
    { id: 'retainerPct', label: 'Retainer during a suspension (%)', kind: 'number', required: true },
    { id: 'retainerWeeks', label: 'Weeks the retainer is paid', kind: 'number', required: true },
    { id: 'firstReviewWeeks', label: 'Weeks from the start to the first review', kind: 'number', required: true },
    { id: 'offContractReviewWeeks', label: 'Weeks to an off-contract review', kind: 'number', required: true },
    { id: 'reminderDays', label: 'Days after a period before a missing return is chased', kind: 'number', required: true },
    { id: 'frameworkMinAnnual', label: 'Framework minimum annual spend (£)', kind: 'number', required: true },
    { id: 'frameworkMaxAnnual', label: 'Framework maximum annual spend (£, 0 for none)', kind: 'number', required: true },
  ];
  return renderForm({
    title: 'Contract rules',
    intro: 'How service agreements are managed: returns, tolerance, banking, approvals, the retainer, reviews.',
    notice: f.notice,
    fields,
    values: { ...rules, ...f.values },
    errors: f.errors,
    actions: [{ title: 'Save the rules', verb: 'contract.rules.save', style: 'positive' }],
  });
}
