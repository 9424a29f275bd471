import type { ApprovalScheme } from '../../src/domain/approvals.js';
import type { ApprovalNote, MyApprovals, ApprovalItem } from '../../src/app/approvals/views.js';
import type { AwayView } from '../../src/app/approvals/absences.js';
import { LEVEL_ROWS } from '../../src/app/approvals/scheme.js';
import { renderForm, type CardAction, type FieldSpec } from '../forms/form.js';
import type { CardJson } from '../render.js';
import { listCard, type ListRow } from './listCard.js';
import { cap, day, gbp } from './format.js';
import { rateCheckText, type RateCheck } from '../../src/domain/costModel.js';

/**
 * Cards of the scheme of delegation: what an approval card says about who may decide it, the
 * `approvals` list, the commissioner's levels and an approver's out-of-office.
 */

/** A rate against the cost-of-care model (issue 25), flagged when below it. */
export const rateText = (c: RateCheck): string => `${c.below ? '⚠ ' : ''}${rateCheckText(c)}`;

/** The facts every approval card (award, variation, placement) shows: the rate against the cost of care, and who may decide it. */
export function noteFacts(note: ApprovalNote | undefined): { title: string; value: string }[] {
  if (!note) return [];
  return [
    ...(note.rate ? [{ title: 'Cost of care', value: `${rateText(note.rate)}${note.rate.basis ? ` (${note.rate.basis})` : ''}` }] : []),
    { title: 'Level needed', value: note.level },
    { title: 'Sent to', value: note.withWhom },
    { title: 'Cannot decide (separation of duties)', value: note.cannot },
    ...(note.escalated ? [{ title: 'Escalated', value: note.escalated.replace(/^Escalated /, '') }] : []),
    ...(note.waiting ? [{ title: 'Waiting', value: note.waiting.replace(/^Waiting /, '') }] : []),
    ...(note.decided ? [{ title: 'Decision', value: note.decided }] : []),
  ];
}

/** The two buttons of every approval card (award, variation, placement), while it is open. */
export const decisionButtons = (approve: string, reject: string, data: Record<string, unknown>): CardAction[] => [
  { title: 'Approve', verb: approve, data, style: 'positive' },
  { title: 'Reject', verb: reject, data, style: 'destructive' },
];

const row = (i: ApprovalItem): ListRow => ({
  title: `${cap(i.approval.subject)}: ${gbp(i.approval.amounts.weekly)} a week`,
  subtitle: [i.note.waiting ?? '', `With ${i.note.withWhom}`, i.note.escalated ?? '', `On your list because ${i.why}.`].filter(Boolean).join('. '),
  attention: i.approval.escalations.length > 0,
  actions: [{ title: 'Open', verb: 'approvals.show', data: { id: i.approval.id } }],
});

/** `approvals`: what waits for me, then what I am waiting on, oldest first, with ages in working hours. */
export function approvalsCard(v: MyApprovals, notice = ''): CardJson {
  const rows: ListRow[] = [];
  if (v.forMe.length) rows.push({ title: `Waiting for you (${v.forMe.length})`, subtitle: 'Decisions sent to you, or to your delegate while you are away.' }, ...v.forMe.map(row));
  if (v.waitingOn.length) rows.push({ title: `You are waiting on (${v.waitingOn.length})`, subtitle: 'Decisions on what you raised, published, chose, proposed or own.' }, ...v.waitingOn.map(row));
  return listCard({
    title: 'Approvals',
    notice,
    intro: 'Ages count working hours (Monday to Friday, office hours, not bank holidays).',
    empty: 'Nothing waits for you, and you are waiting on nothing.',
    rows,
  });
}

const limit = (x?: number) => (x ? gbp(x) : 'no limit');

/** The scheme of delegation: everyone sees it; commissioners get it as a form. */
export function schemeCard(s: ApprovalScheme, editable: boolean, f: { notice?: string; values?: Record<string, unknown>; errors?: Record<string, string> } = {}): CardJson {
  const intro = `Each decision goes to the lowest level whose limits hold its weekly cost, its total commitment (over the package's weeks; a year when open-ended) and its yearly value. Unanswered after ${s.remindAfterHours} working hours it reminds; after ${s.escalateAfterHours} it goes up a level. Working hours: Monday to Friday, ${s.opens}–${s.closes}, ${s.bankHolidays === 'england-and-wales' ? 'not on England and Wales bank holidays' : 'bank holidays not excluded'}${s.closedDays.length ? ` or the council's closed days` : ''}.`;
  if (!editable) {
    return listCard({
      title: 'Approval levels',
      intro,
      rows: s.levels.map((l, i) => ({ title: `${i + 1}. ${l.name}`, subtitle: i === s.levels.length - 1 ? 'Decides whatever is above the levels below.' : `Up to ${limit(l.weeklyLimit)} a week, ${limit(l.commitmentLimit)} committed, ${limit(l.yearlyLimit)} a year.` })),
    });
  }
  const fields: FieldSpec[] = [];
  const values: Record<string, unknown> = { remindAfterHours: s.remindAfterHours, escalateAfterHours: s.escalateAfterHours, bankHolidays: s.bankHolidays, closedDays: s.closedDays.join('\n') };
  for (let i = 1; i <= LEVEL_ROWS; i++) {
    const l = s.levels[i - 1];
    fields.push(
      { id: `level${i}Heading`, label: `Level ${i}${i === 1 ? ' (lowest)' : ''}`, kind: 'heading' },
      { id: `level${i}Name`, label: 'Name (leave empty for no level here)', kind: 'text' },
      { id: `level${i}Weekly`, label: 'Weekly cost up to (£)', kind: 'number' },
      { id: `level${i}Commitment`, label: 'Total commitment up to (£)', kind: 'number' },
      { id: `level${i}Yearly`, label: 'Yearly value up to (£)', kind: 'number' },
    );
    Object.assign(values, { [`level${i}Name`]: l?.name ?? '', [`level${i}Weekly`]: l?.weeklyLimit ?? '', [`level${i}Commitment`]: l?.commitmentLimit ?? '', [`level${i}Yearly`]: l?.yearlyLimit ?? '' });
  }
  fields.push(
    { id: 'timesHeading', label: 'Reminders and escalation', kind: 'heading' },
    { id: 'remindAfterHours', label: 'Remind the approvers after (working hours)', kind: 'number', required: true },
    { id: 'escalateAfterHours', label: 'Escalate to the next level after (working hours)', kind: 'number', required: true },
    { id: 'bankHolidays', label: 'Bank holidays', kind: 'choice', required: true, choices: [{ title: 'England and Wales (by rule, every year)', value: 'england-and-wales' }, { title: 'None (list the closed days below)', value: 'none' }] },
    { id: 'closedDays', label: "The council's other closed days (YYYY-MM-DD, one a line)", kind: 'multiline' },
  );
  return renderForm({
    title: 'Approval levels (scheme of delegation)',
    intro: `${intro} The top level decides anything above the others: leave its limits empty. A blank limit means no limit. Changes are audited.`,
    notice: f.notice,
    fields,
    values: { ...values, ...f.values },
    errors: f.errors,
    actions: [{ title: 'Save the levels', verb: 'approvals.levels.save', style: 'positive' }],
  });
}

/** An approver's out-of-office: their absences and a form for a new one. */
export function awayCard(v: AwayView, f: { notice?: string; values?: Record<string, unknown>; errors?: Record<string, string> } = {}): CardJson {
  const now = v.absences.map((a) => `Away from ${day(a.from)} to ${day(a.to)}; ${v.delegates.find((d) => d.id === a.delegateId)?.name ?? 'your delegate'} decides for you.`);
  const nobody = !v.delegates.length;
  return renderForm({
    title: 'Out of office',
    intro: nobody
      ? `${now.join(' ') || 'You have no absence recorded.'} There is no other approver at your level or above to decide for you while you are away: ask the commissioner to give someone the manager role at your level (users), then name them here.`
      : `${now.join(' ') || 'You have no absence recorded.'} Decisions that arrive while you are away go to your delegate and you are told; theirs are recorded as "by them for you". It ends by itself after the last day.`,
    notice: f.notice,
    fields: nobody
      ? []
      : [
          { id: 'from', label: 'First day away', kind: 'date', required: true },
          { id: 'to', label: 'Last day away', kind: 'date', required: true },
          { id: 'delegate', label: 'Who decides while you are away (your level or above)', kind: 'choice', required: true, choices: v.delegates.map((d) => ({ title: `${d.name} (${d.level})`, value: d.id })) },
        ],
    values: f.values ?? {},
    errors: f.errors,
    actions: [
      ...(nobody ? [] : [{ title: 'Record the absence', verb: 'approvals.away.save', style: 'positive' as const }]),
      ...v.absences.map((a) => ({ title: `End the absence from ${day(a.from)}`, verb: 'approvals.away.end', data: { id: a.id }, inputs: 'none' as const })),
    ],
  });
}
