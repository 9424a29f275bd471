import type { Agreement, ContractRules } from '../../src/domain/agreement.js';
import { current, elementsText, PERIOD_KINDS, SUSPENSION_REASONS } from '../../src/domain/agreement.js';
import type { ProviderAgreement, ProviderTerms } from '../../src/app/agreements/providerView.js';
import { CardAction, FieldSpec, renderForm } from '../forms/form.js';
import type { CardJson } from '../render.js';
import { panel } from './agreementCards.js';
import { day, gbp } from './format.js';

/**
 * The agreement forms (cards/form.json): each shows back what was typed and the errors next to
 * their fields. Provider-bound ones (start, return, CSV, variation, hand-back) take the provider's
 * view of the agreement (src/app/agreements/providerView.ts): the package reference and terms only.
 */

const hrs = (n: number) => `${Number(n.toFixed(2))} h`;

const refData = (a: Pick<Agreement, 'ref'>) => ({ ref: a.ref });
const submit = (title: string, verb: string, a: Pick<Agreement, 'ref'>, extra: Record<string, unknown> = {}): CardAction => ({ title, verb, data: { ...refData(a), ...extra }, style: 'positive' });
const back = (a: Pick<Agreement, 'ref'>): CardAction => ({ title: 'Back to the agreement', verb: 'agreement.show', data: refData(a), inputs: 'none' });

type Form = { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string };

export function startForm(a: Pick<ProviderAgreement, 'ref' | 'status' | 'proposedStart' | 'terms'>, f: Form = {}): CardJson {
  const c = a.terms;
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

export function returnForm(a: Pick<Agreement, 'ref'>, periods: { start: string; end: string; planned: number }[], f: Form & { periodStart?: string } = {}): CardJson {
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

export function varyForm(a: { ref: string; terms: ProviderTerms }, side: 'provider' | 'council', rules: Pick<ContractRules, 'variationThreshold'>, f: Form = {}): CardJson {
  const c = a.terms;
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

export function endForm(a: Pick<Agreement, 'ref'>, kind: 'end' | 'handback' | 'rebroker', f: Form = {}, noticeDays?: number): CardJson {
  const title = { end: 'end the package', handback: 'hand the package back', rebroker: 're-broker to the framework' }[kind];
  const intro = {
    end: 'The package ends after the last day; the last period still asks for its return.',
    handback: `The council will start a new call-off for this package. Please give the last day you can provide support and why.${noticeDays ? ` The contract gives the council ${noticeDays} days' notice: the last day is at least ${noticeDays} days from today.` : ''}`,
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
    { id: 'handBackNoticeDays', label: "Days' notice a provider gives when it hands a package back", kind: 'number', required: true },
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
