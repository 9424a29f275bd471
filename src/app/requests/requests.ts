import { assess } from '../../domain/specialist.js';
import { ageBand, ageOn, ukDate, ukDateTime } from '../../domain/dates.js';
import { packageLeaks } from '../../domain/personQuestions.js';
import { ChecklistStep, formatRef, MAX_QUESTIONS, PackageRequest, PackageStep, PersonStep, REQUEST_REF, Step } from '../../domain/request.js';
import { eligibleProviders } from '../../domain/eligibility.js';
import type { User } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors.js';
import { can } from '../permissions.js';
import { checklistAnswers, inputErrors, packageCandidate, personCandidate, questionSlots, SLOTS_KEY } from './inputs.js';
import { packageRules, personRules } from './rules.js';
import { reading } from '../../store/reading.js';
import { onCallOffCancelled } from '../calloffs/deadline.js';
import { brokerIds, tellUsers } from '../calloffs/messages.js';
import { publishCallOff, type Published } from '../calloffs/publish.js';
import { getSettings } from '../framework/admin.js';

export type StepResult = { ok: true; request: PackageRequest } | { ok: false; request: PackageRequest; errors: Record<string, string> };

/** Raises a new draft with the next reference of the year. */
export async function startRequest(store: BrokerageStore, who: Who, now: Date): Promise<PackageRequest> {
  const user = await requirePermission(store, who, 'request.raise');
  return store.transact({ actor: user.id, action: 'requests.start' }, async (tx) => {
    const year = Number(ukDate(now).slice(0, 4));
    const counter = await tx.get('counters', `PKG-${year}`) ?? { id: `PKG-${year}`, value: 0 };
    const next = { ...counter, value: counter.value + 1 };
    tx.put('counters', next);
    const request: PackageRequest = {
      id: formatRef(year, next.value),
      state: 'draft',
      owner: user.id,
      ownerName: user.name,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      step: 'person',
      inputs: {},
    };
    tx.put('requests', request);
    return request;
  });
}

export function normaliseRef(ref: string): string {
  return ref.trim().toUpperCase();
}

/** Who may do what with one request: its owner edits; brokers see and cancel any; other council roles see. */
function access(user: User, r: PackageRequest, want: 'view' | 'edit' | 'cancel'): void {
  const own = r.owner === user.id;
  if (want === 'edit' && !own) throw forbidden(`${r.id} is ${r.ownerName}'s request; only they can change it.`);
  if (want === 'cancel' && !own && !can(user, 'request.manage')) throw forbidden(`${r.id} is ${r.ownerName}'s request; only they or a broker can cancel it.`);
  if (want === 'view' && !own && !can(user, 'request.manage') && !can(user, 'framework.view')) throw forbidden(`${r.id} is ${r.ownerName}'s request.`);
}

async function load(tx: BrokerageTx, ref: string): Promise<PackageRequest> {
  const r = await tx.get('requests', normaliseRef(ref));
  if (!r) throw notFound(`There is no request ${normaliseRef(ref)}.`);
  return r;
}

function editable(r: PackageRequest): void {
  if (r.state !== 'draft') throw conflict(`${r.id} has been ${r.state === 'cancelled' ? 'cancelled' : 'submitted'}, so it can no longer be edited.`);
}

export async function getRequest(store: BrokerageStore, who: Who, ref: string): Promise<PackageRequest> {
  const user = await requirePermission(store, who, 'request.view');
  if (!REQUEST_REF.test(ref.trim())) throw invalid({ ref: 'a request reference looks like PKG-2026-0042' });
  const r = await store.get('requests', normaliseRef(ref));
  if (!r) throw notFound(`There is no request ${normaliseRef(ref)}.`);
  access(user, r, 'view');
  return r;
}

export async function myRequests(store: BrokerageStore, who: Who): Promise<PackageRequest[]> {
  const user = await requirePermission(store, who, 'request.raise');
  const mine = await reading(store, async (tx) => tx.requestsOf(user.id));
  return mine.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * Saves one step. What was typed is always kept on the draft, valid or not; only valid input
 * moves the draft on. The result carries the field errors instead of throwing them, because the
 * typed values were saved.
 */
export async function saveStep(store: BrokerageStore, who: Who, ref: string, step: Exclude<Step, 'review'>, raw: Record<string, unknown>, now: Date): Promise<StepResult> {
  const user = await requirePermission(store, who, 'request.raise');
  return store.transact({ actor: user.id, action: `requests.save-${step}` }, async (tx) => {
    const r = await load(tx, ref);
    access(user, r, 'edit');
    editable(r);
    // The number of question slots asked for survives a save, so an empty new slot stays on screen.
    const kept = step === 'package' && r.inputs.package?.[SLOTS_KEY] !== undefined ? { ...raw, [SLOTS_KEY]: r.inputs.package[SLOTS_KEY] } : raw;
    const next: PackageRequest = { ...r, inputs: { ...r.inputs, [step]: kept }, updatedAt: now.toISOString() };
    const errors = await applyStep(tx, next, step, raw, now);
    tx.put('requests', next);
    return Object.keys(errors).length ? { ok: false as const, request: next, errors } : { ok: true as const, request: next };
  });
}

async function applyStep(tx: BrokerageTx, r: PackageRequest, step: Exclude<Step, 'review'>, raw: Record<string, unknown>, now: Date): Promise<Record<string, string>> {
  if (step === 'person') {
    const candidate = personCandidate(raw);
    const parsed = PersonStep.safeParse(candidate);
    const errors = { ...(await personRules(tx, candidate, now)), ...(parsed.success ? {} : inputErrors(parsed.error)) };
    if (!parsed.success || Object.keys(errors).length) return errors;
    r.person = parsed.data;
    if (r.step === 'person') r.step = 'checklist';
    return {};
  }
  if (step === 'checklist') {
    if (!r.person) return { _form: 'Fill in the person first.' };
    const criteria = await tx.list('criteria');
    const answers = checklistAnswers(raw, criteria.map((c) => c.id));
    const a = assess(criteria, answers);
    r.checklist = { answers, override: r.checklist?.override, meetsDefinition: a.meetsDefinition, suggestedLots: a.suggestedLots };
    // Not specialist: the draft stays on this step and the card points to the generic route.
    if ((a.meetsDefinition || r.checklist.override) && r.step === 'checklist') r.step = 'package';
    return {};
  }
  if (!r.checklist || !(r.checklist.meetsDefinition || r.checklist.override)) return { _form: 'Complete the specialist-need checklist first.' };
  const candidate = packageCandidate(raw);
  const parsed = PackageStep.safeParse(candidate);
  const errors = { ...(await packageRules(tx, candidate, now)), ...(parsed.success ? {} : inputErrors(parsed.error, candidate)) };
  if (!parsed.success || Object.keys(errors).length) return errors;
  r.package = { ...parsed.data, deadline: ukDateTime(parsed.data.deadlineDate, parsed.data.deadlineTime).toISOString() };
  r.step = 'review';
  return {};
}

/**
 * "Add a question" on the package card: keeps everything typed (unvalidated, as a save does) and
 * shows one more question slot. It does not move the draft on: nothing is checked until Save.
 */
export async function addQuestionSlot(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<StepResult> {
  const user = await requirePermission(store, who, 'request.raise');
  return store.transact({ actor: user.id, action: 'requests.add-question' }, async (tx) => {
    const r = await load(tx, ref);
    access(user, r, 'edit');
    editable(r);
    const shown = questionSlots({ ...raw, [SLOTS_KEY]: r.inputs.package?.[SLOTS_KEY] });
    const full = shown >= MAX_QUESTIONS;
    const next: PackageRequest = { ...r, inputs: { ...r.inputs, package: { ...raw, [SLOTS_KEY]: full ? shown : shown + 1 } }, updatedAt: now.toISOString() };
    tx.put('requests', next);
    return full ? { ok: false as const, request: next, errors: { questions: `at most ${MAX_QUESTIONS} questions` } } : { ok: true as const, request: next };
  });
}

/** A broker raises a request for someone who does not meet the definition, with the reason recorded. */
export async function overrideChecklist(store: BrokerageStore, who: Who, ref: string, reason: string, now: Date): Promise<StepResult> {
  const user = await requirePermission(store, who, 'request.raise');
  if (!can(user, 'request.manage')) throw forbidden('Only a broker can raise a specialist request for someone who does not meet the definition.');
  return store.transact({ actor: user.id, action: 'requests.override-checklist' }, async (tx) => {
    const r = await load(tx, ref);
    access(user, r, 'edit');
    editable(r);
    if (!r.checklist) throw conflict('Answer the checklist first.');
    const parsed = ChecklistStep.shape.override.unwrap().safeParse({ reason, by: user.id, at: now.toISOString() });
    if (!parsed.success) return { ok: false as const, request: r, errors: { overrideReason: parsed.error.issues[0].message } };
    const next: PackageRequest = { ...r, checklist: { ...r.checklist, override: parsed.data }, step: r.step === 'checklist' ? 'package' : r.step, updatedAt: now.toISOString() };
    tx.put('requests', next);
    return { ok: true as const, request: next };
  });
}

export interface Submitted {
  request: PackageRequest;
  /** How many admitted providers a call-off would reach now. */
  eligible: number;
  /** Set when the council publishes on submit. */
  published?: Published;
  publishError?: string;
}

/**
 * Submits a complete draft. Re-checks every step against today (a deadline may have passed since
 * the draft was saved) and refuses while the text for providers identifies the person.
 */
export async function submitRequest(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<Submitted> {
  const user = await requirePermission(store, who, 'request.raise');
  const submitted: Submitted = await store.transact({ actor: user.id, action: 'requests.submit' }, async (tx) => {
    const r = await load(tx, ref);
    access(user, r, 'edit');
    const providers = await tx.list('providers');
    const count = (req: PackageRequest) => eligibleProviders(providers, { lots: req.package!.lots, zone: req.person!.zone }).length;
    if (r.state === 'submitted') return { request: r, eligible: count(r) }; // a repeated click
    editable(r);
    if (!r.person || !r.checklist || !r.package) throw invalid({ _form: 'Complete every step before submitting.' });
    const stepErrors = { ...(await personRules(tx, r.person, now)), ...(await packageRules(tx, r.package, now)) };
    if (Object.keys(stepErrors).length) throw new AppError('invalid', `Please check the request: ${Object.values(stepErrors).join('; ')}.`, stepErrors);
    const leaks = packageLeaks(r.person, r.package);
    if (leaks.length) {
      throw new AppError(
        'invalid',
        `The text providers will see identifies the person: ${leaks.map((l) => `the ${l.label} ${agrees(l.label, 'contain')} ${l.what}`).join('; ')}. Edit the package and remove it.`,
        Object.fromEntries(leaks.map((l) => [l.field, `contains ${l.what}`])),
      );
    }
    const next: PackageRequest = {
      ...r,
      state: 'submitted',
      submittedAt: now.toISOString(),
      ageBand: ageBand(ageOn(r.person.dateOfBirth, ukDate(now))),
      updatedAt: now.toISOString(),
    };
    tx.put('requests', next);
    await tellUsers(tx, now, (await brokerIds(tx)).filter((b) => b !== user.id), `submitted:${next.id}`, { kind: 'request.submitted', ref: next.id });
    return { request: next, eligible: count(next) };
  });
  const settings = await getSettings(store);
  if (!settings.publishOnSubmit || submitted.request.calloff) return submitted;
  try {
    const published = await publishCallOff(store, 'system', submitted.request.id, now);
    return { ...submitted, request: published.request, published };
  } catch (e) {
    // Nobody reachable: it stays submitted for a broker, who was told above.
    if (e instanceof AppError) return { ...submitted, publishError: e.message };
    throw e;
  }
}

export async function cancelRequest(store: BrokerageStore, who: Who, ref: string, reason: string, now: Date): Promise<PackageRequest> {
  const user = await requirePermission(store, who, 'request.raise');
  const why = reason.trim();
  return store.transact({ actor: user.id, action: 'requests.cancel' }, async (tx) => {
    const r = await load(tx, ref);
    access(user, r, 'cancel');
    if (r.state === 'cancelled') return r;
    if (r.state === 'awarded') throw conflict(`${r.id} has been awarded and cannot be cancelled.`);
    if (why.length < 5) throw invalid({ reason: 'say why it is cancelled (at least 5 characters)' });
    const next: PackageRequest = { ...r, state: 'cancelled', cancelled: { reason: why, by: user.id, at: now.toISOString(), fromState: r.state }, updatedAt: now.toISOString() };
    tx.put('requests', next);
    await onCallOffCancelled(tx, next, now);
    return next;
  });
}

/**
 * "the needs summary contains", "the outcomes contain": the verb agrees with the field's label.
 * Labels are short English nouns; one ending in a plural "s" (not "ss") takes the plural verb.
 */
export function agrees(label: string, verb: string): string {
  return /[^s]s$/i.test(label.trim()) ? verb : `${verb}s`;
}
