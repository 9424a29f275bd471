import type { CostOfCareView } from '../../src/app/market/costModels.js';
import { DEFAULT_MODEL_ID } from '../../src/domain/costModel.js';
import { FieldSpec, renderForm, type CardAction } from '../forms/form.js';
import type { CardJson } from '../render.js';
import { marketCard, section } from './marketCards.js';
import { day, gbp } from './format.js';

/**
 * The cost-of-care cards (issue 25): a model's workings, line by line as the domain worked them
 * (src/domain/costModel.ts), every lot's rate, the zone uplifts; and the commissioner's form.
 */

const lotOf = (v: CostOfCareView) => v.lot?.id ?? DEFAULT_MODEL_ID;

export function costOfCareCard(v: CostOfCareView, o: { notice?: string; error?: string } = {}): CardJson {
  const m = v.model;
  const name = v.lot ? `${v.lot.name}${v.own ? ' (its own model)' : ' (the council default)'}` : 'the council default';
  const workings = v.workings.lines.map((l) => ({ title: l.subtotal ? `= ${l.label}` : l.label, value: `${gbp(l.amount)}${l.subtotal ? '' : ` (${l.working})`}` }));
  const lot = lotOf(v);
  const actions: CardAction[] = [];
  if (v.canManage) actions.push({ title: v.lot && !v.own ? `Give ${v.lot.name} its own model` : 'Change these figures', verb: 'market.cost.form', data: { lot }, inputs: 'none' });
  actions.push({ title: 'Show the chosen lot', verb: 'market.cost.show', data: {} });
  if (v.lot) actions.push({ title: 'The council default', verb: 'market.cost.show', data: { lot: DEFAULT_MODEL_ID }, inputs: 'none' });
  if (v.canManage && v.lot && v.own) actions.push({ title: 'Use the council default', verb: 'market.cost.default', data: { lot }, style: 'destructive', inputs: 'none' });
  return marketCard({
    title: `Cost of care: ${name}`,
    subtitle: `A sustainable hourly rate per contact hour, worked out in the parts of the Homecare Association's Minimum Price method.${m.source ? ` Figures: ${m.source}.` : ''}${m.updatedAt ? ` Last changed ${day(m.updatedAt.slice(0, 10))}.` : ''}`,
    status: v.belowWage ? `⚠ Care worker pay of ${gbp(m.payPerHour)} an hour is below the National Living Wage of ${gbp(v.belowWage.rate)} in force since ${day(v.belowWage.from)}: raise it, or the model cannot pay care workers lawfully.` : '',
    statusStyle: 'warning',
    notice: o.notice,
    error: o.error,
    facts: [{ title: 'Sustainable hourly rate', value: `${gbp(v.workings.rate)} an hour` }],
    sections: [
      section('Workings', workings, { note: 'Each line to the penny (halves up), worked from the lines above it.' }),
      section('Zone uplifts', v.uplifts.length ? v.uplifts.map((u) => ({ title: u.name, value: `${u.pct}% → ${gbp(u.rate)} an hour` })) : [{ title: 'none', value: 'the same rate in every zone' }]),
      ...(v.lot ? [] : [section('Every lot', v.lots.map((l) => ({ title: l.name, value: `${gbp(l.rate)} an hour (${l.own ? 'its own model' : 'the council default'})` })), { note: 'Before zone uplifts. A package in several lots is held to the highest.' })]),
    ],
    fields: [{ id: 'lot', label: 'Show a lot’s model', kind: 'choice', choices: v.lots.map((l) => ({ title: l.name, value: l.id })), value: v.lot?.id ?? v.lots[0]?.id ?? '' }],
    footer: 'Bids, awards and variations are shown against this rate; a bid below it is flagged as a risk to quality and continuity. docs/market.md says where each default comes from.',
    actions,
  });
}

export function costModelForm(v: CostOfCareView, f: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string } = {}): CardJson {
  const m = v.model;
  const fields: FieldSpec[] = [
    { id: 'h_pay', label: 'Care worker pay', kind: 'heading' },
    { id: 'payPerHour', label: 'Hourly pay (£)', kind: 'text', maxLength: 20, required: true, help: 'The National Living Wage is £12.71 from 1 April 2026 (£12.21 in 2025/26).' },
    { id: 'travelMinutesPerHour', label: 'Paid travel minutes per contact hour', kind: 'text', maxLength: 20, required: true },
    { id: 'trainingMinutesPerHour', label: 'Training and supervision minutes per contact hour', kind: 'text', maxLength: 20, required: true },
    { id: 'h_on', label: 'On-costs', kind: 'heading' },
    { id: 'holidayPct', label: 'Holiday pay (% of pay)', kind: 'text', maxLength: 20, required: true, help: '12.07% is the statutory 5.6 weeks: 5.6 ÷ 46.4.' },
    { id: 'employerNiPct', label: 'Employer National Insurance (%)', kind: 'text', maxLength: 20, required: true },
    { id: 'niThresholdYearly', label: 'National Insurance threshold (£ a year)', kind: 'text', maxLength: 20, required: true },
    { id: 'pensionPct', label: 'Employer pension (%)', kind: 'text', maxLength: 20, required: true },
    { id: 'pensionThresholdYearly', label: 'Pension qualifying earnings threshold (£ a year)', kind: 'text', maxLength: 20, required: true },
    { id: 'paidHoursPerWeek', label: 'A typical care worker’s paid hours a week', kind: 'text', maxLength: 20, required: true, help: 'For the yearly thresholds: NI and pension are charged on earnings above them.' },
    { id: 'h_travel', label: 'Mileage', kind: 'heading' },
    { id: 'milesPerHour', label: 'Miles per contact hour', kind: 'text', maxLength: 20, required: true },
    { id: 'pencePerMile', label: 'Pence per mile', kind: 'text', maxLength: 20, required: true },
    { id: 'h_business', label: 'The business', kind: 'heading' },
    { id: 'overheadsPerHour', label: 'Overheads (£ per contact hour)', kind: 'text', maxLength: 20, required: true, help: 'Office staff and the registered manager, rent, IT, insurance, CQC fees, recruitment.' },
    { id: 'surplusPct', label: 'Surplus (% of costs)', kind: 'text', maxLength: 20, required: true },
    { id: 'zoneUplifts', label: 'Zone uplifts, one a line: zone id: percent', kind: 'multiline', placeholder: 'ramsbottom: 5', help: `Zone ids: ${v.zones.map((z) => z.id).join(', ')}.` },
    { id: 'source', label: 'Where the figures come from', kind: 'text', maxLength: 300 },
  ];
  const uplifts = Object.entries(m.zoneUplifts).map(([z, p]) => `${z}: ${p}`).join('\n');
  const lot = lotOf(v);
  return renderForm({
    title: `Cost-of-care model: ${v.lot ? v.lot.name : 'the council default'}`,
    intro: v.lot && !v.own ? `${v.lot.name} uses the council default; saving gives it a model of its own, starting from these figures.` : 'The rate is worked out from these figures; every card then shows bids, awards and variations against it.',
    notice: f.notice,
    formError: f.errors && Object.keys(f.errors).length ? 'Please correct the highlighted fields; nothing you typed is lost.' : '',
    fields,
    values: { ...m, zoneUplifts: uplifts, ...f.values },
    errors: f.errors,
    actions: [
      { title: 'Save the model', verb: 'market.cost.save', data: { lot }, style: 'positive' },
      { title: 'Back', verb: 'market.cost.show', data: { lot }, inputs: 'none' },
    ],
  });
}
