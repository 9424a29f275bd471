import { Application, DECLARATIONS, orderQuestions, results } from '../../src/domain/admission.js';
import { plainText } from '../../src/domain/plainText.js';
import { formatUk } from '../../src/domain/dates.js';
import type { Provider, User } from '../../src/domain/framework.js';
import type { EvaluationWindow } from '../../src/domain/admission.js';
import type { AdmissionStatus } from '../../src/app/admission/windows.js';
import type { AdmissionLookups } from '../../src/app/admission/views.js';
import { answerInput, declarationInput, markInput, tierInput, NOT_CHOSEN } from '../../src/app/admission/inputs.js';
import { CardAction, FieldSpec, renderForm } from '../forms/form.js';
import { CardJson, render } from '../render.js';
import { listCard } from './listCard.js';

const byName = (xs: { id: string; name: string }[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name)).map((x) => ({ title: x.name, value: x.id }));
const SECTION_TITLES = { 'due-diligence': 'Due diligence', quality: 'Quality' } as const;

/** The applicant's form: organisation, lots and zones, the questions, the declarations. */
export function applicationFormCard(a: Application, l: AdmissionLookups, o: { errors?: Record<string, string>; notice?: string; paused?: string } = {}): CardJson {
  const qs = orderQuestions(l.questions);
  const fields: FieldSpec[] = [
    { id: 'org', label: 'Your organisation', kind: 'heading' },
    { id: 'orgName', label: 'Organisation name', kind: 'text', required: true },
    { id: 'cqcNumber', label: 'CQC registration number', kind: 'text', required: true, placeholder: '1-123456789', help: 'As on your CQC registration: 1- followed by 9 to 11 digits.' },
    { id: 'address', label: 'Registered address', kind: 'multiline', required: true },
    { id: 'contactName', label: 'Contact name', kind: 'text', required: true },
    { id: 'contactEmail', label: 'Contact e-mail', kind: 'text', required: true, placeholder: 'bids@provider.co.uk' },
    { id: 'contactPhone', label: 'Contact phone', kind: 'text', required: true },
    { id: 'scope', label: 'What you apply for', kind: 'heading' },
    { id: 'lots', label: 'Lots (specialisms)', kind: 'multichoice', required: true, choices: byName(l.lots) },
    { id: 'zones', label: 'Zones you can cover', kind: 'multichoice', required: true, choices: byName(l.zones) },
  ];
  for (const section of ['due-diligence', 'quality'] as const) {
    const here = qs.filter((q) => q.section === section);
    if (!here.length) continue;
    fields.push({ id: `section-${section}`, label: `${SECTION_TITLES[section]} questions`, kind: 'heading' });
    for (const q of here) fields.push({ id: answerInput(q.id), label: q.text, kind: 'multiline', required: true, help: q.kind === 'scored' ? `Scored 0–5; pass mark ${q.passMark}.` : 'Marked pass or fail.' });
  }
  fields.push({ id: 'declarations', label: 'Declarations', kind: 'heading' });
  for (const d of DECLARATIONS) fields.push({ id: declarationInput(d.id), label: d.text, kind: 'toggle' });
  const errors = o.errors ?? {};
  const { _form, ...fieldErrors } = errors;
  return renderForm({
    title: `${a.id} · application to join the framework`,
    intro: a.providerId ? `For ${a.inputs.orgName ?? a.providerId}. Your draft is kept: come back to it with \`my application\`.` : 'Your draft is kept: come back to it any time with `my application`. Submit when every answer is in.',
    notice: o.notice ?? '',
    formError: [o.paused, _form, Object.keys(fieldErrors).length ? 'Please correct the highlighted fields. What you typed is saved.' : ''].filter(Boolean).join(' '),
    fields,
    values: a.inputs,
    errors: fieldErrors,
    actions: [
      { title: 'Submit application', verb: 'admission.submit', data: { ref: a.id }, style: 'positive' },
      { title: 'Save draft', verb: 'admission.save', data: { ref: a.id } },
    ],
  });
}

export interface DetailOptions {
  notice?: string;
  error?: string;
  /** Show the marking inputs and the decision section (an evaluator in an open window). */
  evaluating?: boolean;
  errors?: Record<string, string>;
  /** Council staff see marks as they are saved; the provider sees them with the outcome. */
  council?: boolean;
  gapsFilled?: string[];
}

const stateLine = (a: Application, windowOpen?: EvaluationWindow) => {
  switch (a.state) {
    case 'draft':
      return 'Draft: not submitted yet.';
    case 'submitted':
      return a.windowId && windowOpen?.id === a.windowId ? `Submitted ${formatUk(a.submittedAt!)}: being evaluated in window ${a.windowId}.` : `Submitted ${formatUk(a.submittedAt!)}: waiting for the next evaluation window.`;
    case 'admitted':
      return `Admitted ${formatUk(a.decision!.at)}.`;
    case 'rejected':
      return `Not admitted (${formatUk(a.decision!.at)}).`;
  }
};

/** A submitted application, read-only with its history; with marking and decision inputs for an evaluator. */
export function applicationCard(a: Application, l: AdmissionLookups, window: EvaluationWindow | undefined, o: DetailOptions = {}): CardJson {
  const lot = (id: string) => l.lots.find((x) => x.id === id)?.name ?? id;
  const zone = (id: string) => l.zones.find((x) => x.id === id)?.name ?? id;
  const d = a.details;
  const errors = o.errors ?? {};
  const decided = a.state === 'admitted' || a.state === 'rejected';
  const showMarks = o.council || decided;
  const r = results(l.questions, a.marks);
  const typed = (a.markInputs ?? {}) as Record<string, string>;
  const sections = (['due-diligence', 'quality'] as const)
    .map((section) => ({
      title: `${SECTION_TITLES[section]} questions`,
      items: r.rows
        .filter((row) => row.question.section === section)
        .map((row) => ({
          question: row.question.text,
          answer: a.answers?.[row.question.id] ? plainText(String(a.answers[row.question.id])) : '—',
          result: showMarks && !o.evaluating ? row.label : '',
          markKind: o.evaluating ? row.question.kind : '',
          markId: markInput(row.question.id),
          markValue: (typed[markInput(row.question.id)] ?? (row.mark ? ('score' in row.mark ? String(row.mark.score) : row.mark.pass ? 'pass' : 'fail') : '')) || NOT_CHOSEN,
          passMark: row.question.passMark ?? '',
          markError: errors[markInput(row.question.id)] ?? '',
        })),
    }))
    .filter((s) => s.items.length);
  const tiers = o.evaluating && d ? d.lots.flatMap((lt) => d.zones.map((zn) => ({ id: tierInput(lt, zn), label: `${lot(lt)} in ${zone(zn)}`, value: typed[tierInput(lt, zn)] || NOT_CHOSEN, error: errors[tierInput(lt, zn)] ?? '' }))) : [];
  const actions: CardAction[] = [];
  if (o.evaluating) {
    actions.push({ title: 'Admit', verb: 'admission.admit', data: { ref: a.id }, style: 'positive' });
    actions.push({ title: 'Reject', verb: 'admission.reject', data: { ref: a.id }, style: 'destructive' });
    actions.push({ title: 'Save marks', verb: 'admission.marks.save', data: { ref: a.id } });
  }
  if (o.council) actions.push({ title: 'All applications', verb: 'admission.home', data: {}, inputs: 'none' });
  const score = r.max ? `${r.total} of ${r.max}${r.complete ? (r.passed ? ' · passes every question' : ' · fails a question') : ' · not fully marked'}` : '';
  const dec = a.decision;
  return render('application', {
    title: `${a.id} · ${plainText(String(d?.orgName ?? a.inputs.orgName ?? 'application'))}`,
    subtitle: stateLine(a, window),
    notice: o.notice ?? '',
    error: [o.error, errors._form, Object.keys(errors).filter((k) => k !== '_form').length ? 'Please correct the highlighted fields. What you typed is saved.' : ''].filter(Boolean).join(' '),
    facts: [
      { title: 'Organisation', value: d ? plainText(d.orgName) : '—' },
      { title: 'CQC number', value: d?.cqcNumber ?? '—' },
      { title: 'Address', value: d ? plainText(d.address.replace(/\n/g, ', ')) : '—' },
      { title: 'Contact', value: d ? plainText(`${d.contactName}, ${d.contactEmail}, ${d.contactPhone}`) : '—' },
      { title: 'Lots', value: d?.lots.map(lot).join(', ') ?? '—' },
      { title: 'Zones', value: d?.zones.map(zone).join(', ') ?? '—' },
      { title: 'Applicant', value: plainText(a.applicantName) },
      ...(o.council && o.gapsFilled?.length ? [{ title: 'Fills gaps', value: o.gapsFilled.join('; ') }] : []),
      ...(showMarks && score ? [{ title: 'Quality score', value: score }] : []),
      { title: 'Declarations', value: a.declarations && DECLARATIONS.every((x) => a.declarations![x.id]) ? 'all confirmed' : '—' },
    ],
    sections,
    outcome: dec
      ? dec.outcome === 'admitted'
        ? `Admitted by ${dec.byName} to ${dec.lots.map(lot).join(', ')} in ${dec.zones.map(zone).join(', ')}${dec.tiers.length ? `; tiers: ${dec.tiers.map((t) => `${lot(t.lot)} in ${zone(t.zone)} ${t.tier}`).join(', ')}` : ''}.`
        : `Not admitted. Reasons: ${dec.reasons}`
      : '',
    deciding: !!o.evaluating,
    lotChoices: d ? d.lots.map((id) => ({ title: lot(id), value: id })) : [],
    zoneChoices: d ? d.zones.map((id) => ({ title: zone(id), value: id })) : [],
    admitLots: typed.admitLots ?? d?.lots.join(',') ?? '',
    admitZones: typed.admitZones ?? d?.zones.join(',') ?? '',
    admitLotsError: errors.admitLots ?? '',
    admitZonesError: errors.admitZones ?? '',
    tiers,
    reasons: typed.reasons ?? '',
    reasonsError: errors.reasons ?? '',
    history: a.history.slice(-12).map((h) => ({ at: formatUk(h.at), what: `${h.what} (${h.byName})` })),
    actions: actions.map((x) => ({ ...x, data: x.data ?? {}, style: x.style ?? 'default', inputs: x.inputs ?? 'auto' })),
  });
}

/** The commissioner's view: window, pause, and the applications in each state. */
export function admissionHomeCard(s: AdmissionStatus, users: User[], o: { notice?: string; error?: string; errors?: Record<string, string>; values?: Record<string, unknown> } = {}): CardJson {
  const name = (id: string) => users.find((u) => u.id === id)?.name ?? id;
  const row = (a: Application, verb: string, title: string) => ({
    title: `${a.id} · ${plainText(String(a.details?.orgName ?? a.inputs.orgName ?? ''))}`,
    subtitle: `${a.state}${a.submittedAt ? ` · submitted ${formatUk(a.submittedAt)}` : ''}${a.decision ? ` · ${a.decision.outcome} ${formatUk(a.decision.at)}` : ''}`,
    actions: [{ title, verb, data: { ref: a.id } }],
  });
  const rows = [
    ...s.toEvaluate.map((a) => row(a, 'admission.evaluate', 'Evaluate')),
    ...s.waiting.map((a) => row(a, 'admission.show', 'Show')),
    ...s.decided.slice(0, 10).map((a) => row(a, 'admission.show', 'Show')),
  ];
  const status = [
    s.window ? `Evaluation window ${s.window.id} is open (since ${formatUk(s.window.openedAt)}${s.window.closesOn ? `, planned to close ${formatUk(`${s.window.closesOn}T12:00:00Z`, false)}` : ''}). Evaluators: commissioners${s.window.evaluators.length ? `, ${s.window.evaluators.map(name).join(', ')}` : ''}.` : 'No evaluation window is open: submitted applications wait for the next one.',
    ...(s.window?.invitations?.length ? [`Opened for gaps in the market: ${s.window.invitations.map((x) => `${x.lot} in ${x.zone} (the market told ${formatUk(x.at)})`).join('; ')}.`] : []),
    s.paused ? `⏸ New applications are paused: ${s.paused.reason}.` : 'New applications are open.',
    `${s.toEvaluate.length} to evaluate · ${s.waiting.length} waiting for a window · ${s.drafts} draft${s.drafts === 1 ? '' : 's'} · ${s.decided.length} decided.`,
  ].join('\n\n');
  const councilUsers = users.filter((u) => !u.roles.includes('provider')).map((u) => ({ title: u.name, value: u.id }));
  const errors = o.errors ?? {};
  const values = o.values ?? {};
  const actions: CardAction[] = s.window
    ? [{ title: `Close window ${s.window.id}`, verb: 'admission.window.close', data: {}, inputs: 'none' }, { title: 'Save evaluators', verb: 'admission.window.evaluators', data: {} }]
    : [{ title: 'Open an evaluation window', verb: 'admission.window.open', data: {}, style: 'positive' }];
  actions.push(s.paused ? { title: 'Reopen applications', verb: 'admission.resume', data: {}, inputs: 'none' } : { title: 'Pause new applications', verb: 'admission.pause', data: {} });
  const fields: FieldSpec[] = [
    ...(s.window ? [] : [{ id: 'closesOn', label: 'Planned closing date of the next window (optional)', kind: 'date' as const }]),
    { id: 'evaluators', label: 'Evaluators besides commissioners', kind: 'multichoice', choices: councilUsers },
    ...(s.paused ? [] : [{ id: 'reason', label: 'Reason to pause new applications (applicants are told)', kind: 'text' as const }]),
  ];
  const list = listCard({
    title: 'Framework admission',
    notice: [o.notice, status].filter(Boolean).join('\n\n'),
    noticeColor: o.error ? 'Attention' : 'Default',
    empty: 'No submitted applications.',
    rows,
    actions: [],
  });
  const form = renderForm({
    title: 'Windows and pause',
    formError: [o.error].filter(Boolean).join(' '),
    fields,
    values: { evaluators: s.window?.evaluators ?? [], ...values },
    errors,
    actions,
  });
  return { ...list, body: [...(list.body as unknown[]), ...(form.body as unknown[])], actions: form.actions } as CardJson;
}

/** A provider's standing: suspend, reinstate or record that it left, with a reason and the open-bids choice. */
export function standingCard(p: Provider, o: { notice?: string; error?: string; errors?: Record<string, string>; values?: Record<string, unknown> } = {}): CardJson {
  const actions: CardAction[] = [];
  if (p.status === 'admitted') actions.push({ title: 'Suspend', verb: 'admission.standing.suspend', data: { providerId: p.id }, style: 'destructive' });
  if (p.status === 'suspended') actions.push({ title: 'Reinstate', verb: 'admission.standing.reinstate', data: { providerId: p.id }, style: 'positive' });
  if (p.status !== 'left') actions.push({ title: 'Record as left', verb: 'admission.standing.leave', data: { providerId: p.id } });
  return renderForm({
    title: `${p.name} · ${p.status}`,
    intro: `${p.statusReason ? `Reason: ${p.statusReason}. ` : ''}Lots: ${p.lots.join(', ') || 'none'} · zones: ${p.zones.join(', ') || 'none'}. A suspended provider receives no new call-offs.`,
    notice: o.notice ?? '',
    formError: o.error ?? '',
    fields: [
      { id: 'reason', label: 'Reason (the provider is told)', kind: 'multiline', required: true },
      ...(p.status === 'suspended' ? [] : [{ id: 'openBids', label: 'Its bids on open call-offs', kind: 'choice' as const, choices: [{ title: 'Keep them', value: 'keep' }, { title: 'Withdraw them', value: 'withdraw' }] }]),
    ],
    values: { openBids: 'keep', ...(o.values ?? {}) },
    errors: o.errors,
    actions,
  });
}
