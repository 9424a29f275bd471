import { CARER_GENDERS, DISABILITY_CATEGORIES, GENDERS, MAX_QUESTIONS, MODES, PackageRequest, Step } from '../../src/domain/request.js';
import { GENERIC_ROUTE } from '../../src/domain/specialist.js';
import { ageBand, ageOn, formatUk, ukDate } from '../../src/domain/dates.js';
import { SHARED_TEXT_FIELDS } from '../../src/domain/anonymise.js';
import { criterionLine, packageLeaks, questionHeading } from '../../src/domain/personQuestions.js';
import { criterionInput, questionInputs, questionSlots } from '../../src/app/requests/inputs.js';
import { CardAction, FieldSpec, renderForm } from '../forms/form.js';
import { CardJson, render } from '../render.js';
import { cap, gbp } from './format.js';
import { listCard } from './listCard.js';

import type { Lookups } from '../../src/app/framework/lookups.js';
export type { Lookups };

const choices = (xs: readonly string[]) => xs.map((x) => ({ title: cap(x), value: x }));
const byName = (xs: { id: string; name: string }[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name)).map((x) => ({ title: x.name, value: x.id }));

const STEP_TITLES: Record<Step, string> = { person: 'the person', checklist: 'specialist need', package: 'the package', review: 'review and submit' };
const stepTitle = (r: PackageRequest, step: Step) => `${r.id} · step ${['person', 'checklist', 'package', 'review'].indexOf(step) + 1} of 4: ${STEP_TITLES[step]}`;

/** Saved-but-invalid input wins over the saved valid step, so the user sees what they last typed. */
function valuesFor(r: PackageRequest, step: 'person' | 'package'): Record<string, unknown> {
  if (r.inputs[step]) return r.inputs[step]!;
  if (step === 'person') return { ...(r.person ?? {}) };
  return {};
}

export function personCard(r: PackageRequest, l: Lookups, errors: Record<string, string> = {}): CardJson {
  const fields: FieldSpec[] = [
    { id: 'name', label: 'Full name', kind: 'text', required: true },
    { id: 'caseRef', label: 'Case reference', kind: 'text', required: true, placeholder: l.examples?.caseRef ? `e.g. ${l.examples.caseRef}` : 'as in the case-management system' },
    { id: 'dateOfBirth', label: 'Date of birth', kind: 'date', required: true },
    { id: 'address', label: 'Address', kind: 'multiline', required: true },
    { id: 'postcode', label: 'Postcode', kind: 'text', required: true, placeholder: l.examples?.postcode ? `e.g. ${l.examples.postcode}` : 'the full UK postcode' },
    { id: 'zone', label: 'Zone', kind: 'choice', required: true, choices: byName(l.zones), help: 'The area the support is in; providers see this.' },
    { id: 'gender', label: 'Gender', kind: 'choice', required: true, choices: choices(GENDERS) },
    { id: 'disabilityCategory', label: 'Main disability category', kind: 'choice', required: true, choices: choices(DISABILITY_CATEGORIES), help: 'For equality monitoring; providers do not see it.' },
  ];
  return renderForm({
    title: stepTitle(r, 'person'),
    intro: 'Private to council staff: providers never see the person’s name, case reference, date of birth or address.',
    fields,
    values: valuesFor(r, 'person'),
    errors,
    formError: Object.keys(errors).length ? 'Please correct the highlighted fields. What you typed is saved.' : '',
    actions: [{ title: 'Save and continue', verb: 'request.person.save', data: { ref: r.id }, style: 'positive' }],
  });
}

export function checklistCard(r: PackageRequest, l: Lookups, options: { canOverride: boolean; errors?: Record<string, string> }): CardJson {
  const answers = r.checklist?.answers ?? {};
  const typed = r.inputs.checklist ?? {};
  const fields: FieldSpec[] = l.criteria.map((c) => ({ id: criterionInput(c.id), label: c.question, kind: 'toggle' }));
  const values = Object.fromEntries(l.criteria.map((c) => [criterionInput(c.id), typed[criterionInput(c.id)] ?? answers[c.id] ?? false]));
  const notSpecialist = r.checklist && !r.checklist.meetsDefinition && !r.checklist.override;
  const actions: CardAction[] = [{ title: 'Check and continue', verb: 'request.checklist.save', data: { ref: r.id }, style: 'positive' }];
  if (notSpecialist && options.canOverride) {
    fields.push({ id: 'overrideReason', label: 'Broker override: why this should still be a specialist request', kind: 'multiline' });
    actions.push({ title: 'Raise as specialist anyway', verb: 'request.checklist.override', data: { ref: r.id } });
  }
  if (notSpecialist) actions.push({ title: 'Cancel this draft', verb: 'request.cancel', data: { ref: r.id, reason: 'does not meet the specialist definition: generic home-care route' }, style: 'destructive', inputs: 'none' });
  return renderForm({
    title: stepTitle(r, 'checklist'),
    intro: 'Switch on every statement that applies to the person. Any one of them makes the support specialist.',
    fields,
    values: { ...values, overrideReason: typed.overrideReason ?? '' },
    errors: options.errors,
    formError: notSpecialist ? GENERIC_ROUTE : '',
    actions,
  });
}

export function packageCard(r: PackageRequest, l: Lookups, errors: Record<string, string> = {}): CardJson {
  const saved = r.inputs.package;
  const suggested = r.checklist?.suggestedLots ?? [];
  // Suggested lots are shown first and named, not ticked: the social worker picks the lots, so a
  // call-off goes only to the providers meant (every lot ticked sent it to more).
  const values: Record<string, unknown> = saved ?? {
    lots: [],
    carerGender: 'no preference',
    mode: 'competition',
    costWeight: 40,
    qualityWeight: 60,
    deadlineTime: '12:00',
    ...DEFAULT_QUESTIONS,
  };
  const slots = questionSlots(values);
  const fields: FieldSpec[] = [
    {
      id: 'lots',
      label: 'Lots',
      kind: 'multichoice',
      required: true,
      choices: [...byName(l.lots.filter((x) => suggested.includes(x.id))).map((c) => ({ ...c, title: `${c.title} (suggested)` })), ...byName(l.lots.filter((x) => !suggested.includes(x.id)))],
      help: suggested.length ? `The checklist suggests ${suggested.map((id) => l.lots.find((x) => x.id === id)?.name ?? id).join(', ')}: tick the lots that fit this person; the call-off goes to providers of every lot ticked.` : 'Tick the lots that fit this person.',
    },
    { id: 'needsSummary', label: 'Needs summary (providers see this)', kind: 'multiline', required: true, help: 'Describe needs without the name, case reference, date of birth or address.' },
    { id: 'outcomes', label: 'Outcomes the person wants (providers see this)', kind: 'multiline', required: true },
    { id: 'hoursPerWeek', label: 'Hours per week', kind: 'number', required: true, placeholder: '0.5 to 168' },
    { id: 'visitPattern', label: 'Visit pattern', kind: 'text', required: true, placeholder: 'e.g. 3 hours each weekday morning, sleep-in Fri–Sun' },
    { id: 'startDate', label: 'Start date', kind: 'date', required: true },
    { id: 'durationWeeks', label: 'Duration in weeks (empty if ongoing)', kind: 'number' },
    { id: 'carerGender', label: 'Carer gender preference', kind: 'choice', required: true, choices: choices(CARER_GENDERS) },
    { id: 'languageNeeds', label: 'Language, cultural and religious needs', kind: 'multiline' },
    { id: 'budgetWeekly', label: 'Indicative personal budget per week (£)', kind: 'number', required: true, help: 'Council staff only, unless you tick the box below.' },
    { id: 'showBudget', label: 'Show the budget to providers', kind: 'toggle' },
    { id: 'mode', label: 'Allocation', kind: 'choice', required: true, choices: MODES.map((m) => ({ title: m === 'competition' ? 'Competition (all eligible providers bid)' : 'Sequential offer (lead, then supplementary, then contingency)', value: m })) },
    { id: 'costWeight', label: 'Cost weight (%)', kind: 'number', required: true },
    { id: 'qualityWeight', label: 'Quality weight (%)', kind: 'number', required: true, help: 'Cost and quality add up to 100.' },
    {
      id: 'questions',
      label: 'Quality questions for providers (weights add up to 100)',
      kind: 'heading',
      help: "Add the person's own questions in their words, with what a good answer looks like to them: providers see them as the person's questions, and you score the answers against it.",
    },
    ...Array.from({ length: slots }, (_, i): FieldSpec[] => {
      const ids = questionInputs(i);
      return [
        { id: ids.text, label: `Question ${i + 1}`, kind: 'multiline' },
        { id: ids.byPerson, label: "This is the person's own question, in their words", kind: 'toggle' },
        { id: ids.criterion, label: "What a good answer looks like (required for the person's questions; providers see it)", kind: 'multiline' },
        { id: ids.weight, label: `Weight of question ${i + 1}`, kind: 'number' },
      ];
    }).flat(),
    { id: 'deadline', label: 'Bid deadline', kind: 'heading' },
    { id: 'deadlineDate', label: 'Deadline date', kind: 'date', required: true },
    { id: 'deadlineTime', label: 'Deadline time (UK)', kind: 'time', required: true },
  ];
  return renderForm({
    title: stepTitle(r, 'package'),
    intro: 'This is what providers bid on. Text marked “providers see this” is shared as written.',
    fields,
    values,
    errors,
    formError: Object.keys(errors).length ? 'Please correct the highlighted fields. What you typed is saved.' : '',
    actions: [
      { title: 'Save and review', verb: 'request.package.save', data: { ref: r.id }, style: 'positive' },
      ...(slots < MAX_QUESTIONS ? [{ title: 'Add a question', verb: 'request.package.addQuestion', data: { ref: r.id } }] : []),
      { title: 'Back to checklist', verb: 'request.edit', data: { ref: r.id, step: 'checklist' }, inputs: 'none' as const },
    ],
  });
}

export const DEFAULT_QUESTIONS = {
  q1Text: 'How will you support the person to achieve the outcomes they want?',
  q1Weight: 40,
  q2Text: 'How will you recruit and keep a consistent team with the skills this person needs?',
  q2Weight: 30,
  q3Text: 'How will you manage risks and respond if the person’s needs change?',
  q3Weight: 30,
};

export interface ReviewOptions {
  notice?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
  /** Shown to its owner while a draft; read-only otherwise. */
  editable: boolean;
  cancellable: boolean;
  cancelError?: string;
  now: Date;
}

/** Side by side: what stays with the council, and exactly what providers will be shown. */
export function reviewCard(r: PackageRequest, l: Lookups, o: ReviewOptions): CardJson {
  const lotName = (id: string) => l.lots.find((x) => x.id === id)?.name ?? id;
  const zoneName = (id?: string) => (id ? l.zones.find((x) => x.id === id)?.name ?? id : '—');
  const p = r.package;
  const person = r.person;
  const band = r.ageBand ?? (person ? ageBand(ageOn(person.dateOfBirth, ukDate(o.now))) : '—');
  const leaks = person && p ? packageLeaks(person, p) : [];
  const leakFor = (field: string) => leaks.find((x) => x.field === field);
  const checklist = r.checklist;
  const yes = l.criteria.filter((c) => checklist?.answers[c.id]).map((c) => `✔ ${c.question}`);
  const privateFacts = [
    { title: 'Name', value: person?.name ?? '—' },
    { title: 'Case ref', value: person?.caseRef ?? '—' },
    { title: 'Date of birth', value: person ? formatUk(`${person.dateOfBirth}T12:00:00Z`, false) : '—' },
    { title: 'Address', value: person ? `${person.address.replace(/\n/g, ', ')}, ${person.postcode}` : '—' },
    { title: 'Gender', value: person?.gender ?? '—' },
    { title: 'Disability', value: person?.disabilityCategory ?? '—' },
    { title: 'Budget', value: p ? `${gbp(p.budgetWeekly)} a week${p.showBudget ? ' (shown to providers)' : ''}` : '—' },
    { title: 'Raised by', value: r.ownerName },
  ];
  const sharedFacts = [
    { title: 'Reference', value: r.id },
    { title: 'Zone', value: zoneName(person?.zone) },
    { title: 'Lots', value: p ? p.lots.map(lotName).join(', ') : '—' },
    { title: 'Age band', value: band },
    { title: 'Hours', value: p ? `${p.hoursPerWeek} a week` : '—' },
    { title: 'Start', value: p ? formatUk(`${p.startDate}T12:00:00Z`, false) : '—' },
    { title: 'Duration', value: p ? (p.durationWeeks ? `${p.durationWeeks} weeks` : 'ongoing') : '—' },
    { title: 'Carer gender', value: p?.carerGender ?? '—' },
    { title: 'Scoring', value: p ? `cost ${p.costWeight}% / quality ${p.qualityWeight}%` : '—' },
    { title: 'Allocation', value: p ? (p.mode === 'competition' ? 'competition' : 'sequential offer') : '—' },
    { title: 'Deadline', value: p ? formatUk(p.deadline) : '—' },
    ...(p?.showBudget ? [{ title: 'Budget', value: `${gbp(p.budgetWeekly)} a week` }] : []),
  ];
  const sharedTexts = SHARED_TEXT_FIELDS.map(([key, label]) => ({
    label: cap(label),
    value: (p?.[key] as string | undefined) || '—',
    error: leakFor(key) ? `⚠ contains ${leakFor(key)!.what}` : o.fieldErrors?.[key] ?? '',
  }));
  const questionLeak = leakFor('questions');
  const actions: CardAction[] = [];
  // Text that identifies the person cannot be submitted: offer the way to fix it, not a button that refuses.
  if (o.editable && leaks.length) actions.push({ title: 'Edit the package', verb: 'request.edit', data: { ref: r.id, step: 'package' }, style: 'positive', inputs: 'none' });
  else if (o.editable) actions.push({ title: 'Submit request', verb: 'request.submit', data: { ref: r.id }, style: 'positive', inputs: 'none' });
  return render('request-review', {
    ref: r.id,
    title: o.editable ? stepTitle(r, 'review') : `${r.id} · ${stateLabel(r)}`,
    subtitle: nextStep(r),
    notice: o.notice ?? '',
    error: o.error ?? (leaks.length ? 'The text providers will see identifies the person; edit the package before submitting.' : ''),
    privateFacts,
    checklistText: checklist
      ? `${checklist.meetsDefinition ? 'Meets the specialist definition' : 'Does not meet the specialist definition'}${checklist.override ? ` – raised by a broker: ${checklist.override.reason}` : ''}${yes.length ? `\n\n${yes.join('\n\n')}` : ''}`
      : 'Not answered yet',
    sharedFacts,
    sharedTexts,
    questionsText: p ? p.questions.map((q, i) => [`${questionHeading(q, i)} (${q.weight})`, criterionLine(q)].filter(Boolean).join('\n\n')).join('\n\n') + (questionLeak ? `\n\n⚠ a question contains ${questionLeak.what}` : '') : '—',
    editable: o.editable,
    // The package edit then comes as the card's main button instead of Submit (see actions above).
    leaking: o.editable && leaks.length > 0,
    cancellable: o.cancellable,
    cancelError: o.cancelError ?? '',
    actions: actions.map((a) => ({ ...a, data: a.data ?? {}, style: a.style ?? 'default', inputs: a.inputs ?? 'auto' })),
  });
}

export function stateLabel(r: PackageRequest): string {
  return r.state === 'awaiting_approval' ? 'awaiting approval' : r.state;
}

/** What happens next, in one line, for lists and detail cards. */
export function nextStep(r: PackageRequest): string {
  switch (r.state) {
    case 'draft':
      return r.step === 'review' ? 'Draft: ready to review and submit.' : `Draft: next, ${STEP_TITLES[r.step]}.`;
    case 'submitted':
      return `Submitted ${r.submittedAt ? formatUk(r.submittedAt) : ''}: waiting for a broker to publish the call-off.`;
    case 'cancelled':
      return `Cancelled: ${r.cancelled?.reason ?? ''}`;
    case 'open':
      return `Open for bids until ${r.package ? formatUk(r.package.deadline) : '—'}.`;
    default:
      return cap(stateLabel(r)) + '.';
  }
}

export function myRequestsCard(requests: PackageRequest[], l: Lookups): CardJson {
  const zoneName = (id?: string) => (id ? l.zones.find((x) => x.id === id)?.name ?? id : 'zone not set');
  return listCard({
    title: 'My requests',
    notice: '',
    noticeColor: 'Good',
    empty: 'You have no requests yet. Type `new request` to raise one.',
    rows: requests.slice(0, 30).map((r) => ({
      title: `${r.id} · ${stateLabel(r)}`,
      subtitle: `${zoneName(r.person?.zone)}${r.package ? ` · ${r.package.hoursPerWeek} h/week` : ''} · ${nextStep(r)}`,
      actions: [r.state === 'draft' ? { title: 'Resume', verb: 'request.edit', data: { ref: r.id, step: r.step } } : { title: 'Show', verb: 'request.show', data: { ref: r.id } }],
    })),
    actions: [{ title: 'New request', verb: 'request.new', data: {}, style: 'positive' }],
  });
}
