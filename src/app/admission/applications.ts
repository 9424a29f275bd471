import { ukDate } from '../../domain/dates.js';
import { listOf } from '../../store/reading.js';
import {
  AdmissionQuestion,
  Application,
  APPLICATION_REF,
  DECLARATIONS,
  formatApplicationRef,
  HistoryEntry,
  MIN_ANSWER,
  OrganisationDetails,
  orderQuestions,
} from '../../domain/admission.js';
import { Provider, User } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { loadUser, Who } from '../actor.js';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import { inputErrors } from '../requests/inputs.js';
import { can } from '../permissions.js';
import { answerInput, applicationInputs, declarationInput, inputString, organisationCandidate, ticked } from './inputs.js';

/** Something to tell someone outside this turn: where (a conversation reference) and what. */
export interface Notice {
  to: Record<string, unknown>;
  text: string;
}

export type ApplyResult = { ok: true; application: Application; notice?: string } | { ok: false; application: Application; errors: Record<string, string> };

export const ADMISSION_ID = 'admission';

export const pausedMessage = (reason: string) => `New applications to the framework are paused: ${reason}. We will open them again; your draft is kept.`;

export function history(by: { id: string; name: string }, at: Date, what: string): HistoryEntry {
  return { at: at.toISOString(), by: by.id, byName: by.name, what };
}

/** The applicant as the bot sees them: a stored provider user, or a person with no role yet. */
interface Applicant {
  id: string;
  name: string;
  tenantId?: string;
  user?: User;
}

/** Only providers apply: a person with no role (a new provider) or a provider's own user. */
async function applicant(store: BrokerageStore, who: Who): Promise<Applicant> {
  if (!who.aadObjectId) throw forbidden('Teams did not say who you are, so you cannot apply from this conversation. Try a 1:1 chat with the bot.');
  const user = await loadUser(store, who);
  if (user && !user.roles.includes('provider')) throw forbidden('Council staff do not apply to the framework; providers do. Commissioners evaluate applications with `applications`.');
  return { id: who.aadObjectId.toLowerCase(), name: user?.name ?? who.name ?? 'Applicant', tenantId: who.tenantId, user };
}

const isOpen = (a: Application) => a.state === 'draft' || a.state === 'submitted';

async function mine(tx: BrokerageTx, who: Applicant): Promise<Application[]> {
  return (await tx.list('applications'))
    .filter((a) => a.applicant === who.id || (!!who.user?.providerId && a.providerId === who.user.providerId))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function questionsOf(tx: BrokerageTx): Promise<AdmissionQuestion[]> {
  return orderQuestions(await tx.list('admissionQuestions'));
}

/**
 * `apply`: resumes the applicant's open application (draft or submitted) or starts a new draft.
 * A provider user applies for their own provider (e.g. to add lots and zones); anyone else starts
 * an application for a new provider. Refused while new applications are paused.
 */
export async function startApplication(store: BrokerageStore, who: Who, now: Date, replyTo?: Record<string, unknown>): Promise<{ application: Application; resumed: boolean }> {
  const a = await applicant(store, who);
  return store.transact({ actor: a.id, action: 'applications.start' }, async (tx) => {
    const open = (await mine(tx, a)).find(isOpen);
    if (open) return { application: open, resumed: true };
    const paused = (await tx.get('admission', ADMISSION_ID))?.paused;
    if (paused) throw conflict(`New applications to the framework are paused: ${paused.reason}. Please try again when the council reopens them.`);
    let provider: Provider | undefined;
    if (a.user?.providerId) {
      provider = await tx.get('providers', a.user.providerId);
      if (provider?.status === 'suspended') throw conflict(`${provider.name} is suspended (${provider.statusReason ?? 'no reason given'}), so it cannot apply until the commissioner reinstates it.`);
    }
    const year = Number(ukDate(now).slice(0, 4));
    const counter = await tx.get('counters', `APP-${year}`) ?? { id: `APP-${year}`, value: 0 };
    tx.put('counters', { ...counter, value: counter.value + 1 });
    const application: Application = {
      id: formatApplicationRef(year, counter.value + 1),
      state: 'draft',
      applicant: a.id,
      applicantName: a.name,
      tenantId: a.tenantId,
      providerId: provider?.id,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      inputs: provider ? { orgName: provider.name, cqcNumber: provider.cqcNumber ?? '' } : {},
      replyTo,
      marks: {},
      history: [history(a, now, provider ? `started an application for ${provider.name}` : 'started an application')],
    };
    tx.put('applications', application);
    return { application, resumed: false };
  });
}

export function normaliseAppRef(ref: string): string {
  return ref.trim().toUpperCase();
}

async function load(tx: BrokerageTx, ref: string): Promise<Application> {
  const a = await tx.get('applications', normaliseAppRef(ref));
  if (!a) throw notFound(`There is no application ${normaliseAppRef(ref)}.`);
  return a;
}

/** The applicant, their provider's users, and council staff who see the framework may look. */
export async function getApplication(store: BrokerageStore, who: Who, ref: string): Promise<Application> {
  if (!APPLICATION_REF.test(ref.trim())) throw invalid({ ref: 'an application reference looks like APP-2026-0001' });
  const a = await store.get('applications', normaliseAppRef(ref));
  if (!a) throw notFound(`There is no application ${normaliseAppRef(ref)}.`);
  const user = await loadUser(store, who);
  const own = a.applicant === who.aadObjectId.toLowerCase() || (!!user?.providerId && user.providerId === a.providerId);
  if (own) return a;
  if (user && (can(user, 'framework.view') || (await isEvaluator(store, user.id, a)))) return a;
  throw forbidden(`${a.id} is another organisation's application.`);
}

async function isEvaluator(store: BrokerageStore, userId: string, a: Application): Promise<boolean> {
  if (!a.windowId) return false;
  return !!(await store.get('windows', a.windowId))?.evaluators.includes(userId);
}

/** The applicant's latest application, if any. */
export async function myApplication(store: BrokerageStore, who: Who): Promise<Application | undefined> {
  const a = await applicant(store, who);
  const all = (await listOf(store, 'applications')).filter((x) => x.applicant === a.id || (!!a.user?.providerId && x.providerId === a.user.providerId));
  return all.sort((x, y) => y.createdAt.localeCompare(x.createdAt))[0];
}

function editableBy(a: Application, who: Applicant): void {
  if (a.applicant !== who.id) throw forbidden(`${a.id} is ${a.applicantName}'s application; only they can change it.`);
  if (a.state !== 'draft') throw conflict(`${a.id} has been submitted, so it can no longer be changed.`);
}

/** Every problem with the typed application, per card input id. */
export async function applicationErrors(tx: BrokerageTx, a: Application, inputs: Record<string, unknown>): Promise<{ errors: Record<string, string>; details?: OrganisationDetails; answers: Record<string, string>; declarations: Record<string, boolean> }> {
  const candidate = organisationCandidate(inputs);
  const parsed = OrganisationDetails.safeParse(candidate);
  const errors: Record<string, string> = parsed.success ? {} : inputErrors(parsed.error);
  const lots = await Promise.all(candidate.lots.map((id) => tx.get('lots', id)));
  const unknownLots = candidate.lots.filter((_, i) => !lots[i]);
  const zones = await Promise.all(candidate.zones.map((id) => tx.get('zones', id)));
  const unknownZones = candidate.zones.filter((_, i) => !zones[i]);
  if (unknownLots.length) errors.lots = `the framework has no lot ${unknownLots.join(', ')}`;
  if (unknownZones.length) errors.zones = `the framework has no zone ${unknownZones.join(', ')}`;
  if (!errors.cqcNumber) {
    const cqc = candidate.cqcNumber.trim();
    const other = (await tx.list('providers')).filter((p) => p.cqcNumber === cqc && p.id !== a.providerId && p.status !== 'left')[0];
    if (other) errors.cqcNumber = `this CQC number is already registered to ${other.name}; if you work for them, ask the commissioner to add you as one of their users`;
  }
  const answers: Record<string, string> = {};
  for (const q of await questionsOf(tx)) {
    const text = inputString(inputs[answerInput(q.id)]);
    answers[q.id] = text;
    if (text.length < MIN_ANSWER) errors[answerInput(q.id)] = 'answer this question';
    else if (text.length > 4000) errors[answerInput(q.id)] = 'at most 4000 characters';
  }
  const declarations: Record<string, boolean> = {};
  for (const d of DECLARATIONS) {
    declarations[d.id] = ticked(inputs[declarationInput(d.id)]);
    if (!declarations[d.id]) errors[declarationInput(d.id)] = 'tick to confirm this declaration';
  }
  return { errors, details: parsed.success && !errors.lots && !errors.zones && !errors.cqcNumber ? parsed.data : undefined, answers, declarations };
}

/** Errors for what has been filled in so far: a draft may be incomplete, but not wrong. */
function draftErrors(all: Record<string, string>, inputs: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => inputString(inputs[k]) !== '' && !k.startsWith('d_') && all[k] !== 'answer this question'));
}

/** Saves what was typed, valid or not; reports what is wrong with what has been filled in. */
export async function saveApplication(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<ApplyResult> {
  const a = await applicant(store, who);
  return store.transact({ actor: a.id, action: 'applications.save' }, async (tx) => {
    const app = await load(tx, ref);
    editableBy(app, a);
    const inputs = applicationInputs(raw, (await questionsOf(tx)).map((q) => q.id));
    const next: Application = { ...app, inputs, updatedAt: now.toISOString() };
    tx.put('applications', next);
    const errors = draftErrors((await applicationErrors(tx, next, inputs)).errors, inputs);
    return Object.keys(errors).length ? { ok: false as const, application: next, errors } : { ok: true as const, application: next, notice: 'Draft saved. Submit it when every answer is in.' };
  });
}

function slugFrom(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\b(ltd|limited|plc|llp|cic)\b\.?/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 34)
    .replace(/-+$/, '');
  return s.length >= 2 ? s : 'provider';
}

async function freeProviderId(tx: BrokerageTx, name: string): Promise<string> {
  const base = slugFrom(name);
  if (!await tx.get('providers', base)) return base;
  for (let i = 2; ; i++) if (!await tx.get('providers', `${base}-${i}`)) return `${base}-${i}`;
}

/**
 * Submits a complete application. What was typed is saved first, so a refusal loses nothing. A
 * new applicant's organisation becomes a provider with status "applied" and the applicant its
 * first user, bound to their Entra object id and tenant. It joins the open evaluation window, or
 * waits for the next one.
 */
export async function submitApplication(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date, replyTo?: Record<string, unknown>): Promise<ApplyResult> {
  const a = await applicant(store, who);
  return store.transact({ actor: a.id, action: 'applications.submit' }, async (tx) => {
    const app = await load(tx, ref);
    if (app.state === 'submitted' && app.applicant === a.id) return { ok: true as const, application: app, notice: `${app.id} is already submitted.` }; // a repeated click
    editableBy(app, a);
    const inputs = Object.keys(raw).length ? applicationInputs(raw, (await questionsOf(tx)).map((q) => q.id)) : app.inputs;
    const draft: Application = { ...app, inputs, updatedAt: now.toISOString(), replyTo: replyTo ?? app.replyTo };
    tx.put('applications', draft);
    const paused = (await tx.get('admission', ADMISSION_ID))?.paused;
    if (paused) return { ok: false as const, application: draft, errors: { _form: pausedMessage(paused.reason) } };
    const checked = await applicationErrors(tx, draft, inputs);
    if (Object.keys(checked.errors).length || !checked.details) return { ok: false as const, application: draft, errors: checked.errors };

    let providerId = draft.providerId;
    if (!providerId) {
      providerId = await freeProviderId(tx, checked.details.orgName);
      const provider = Provider.parse({ id: providerId, name: checked.details.orgName, cqcNumber: checked.details.cqcNumber, status: 'applied', statusReason: `application ${draft.id}` });
      tx.put('providers', provider);
    }
    if (!a.user) {
      const user = User.safeParse({ id: a.id, name: a.name.length >= 2 ? a.name : checked.details.contactName, tenantId: a.tenantId, roles: ['provider'], providerId });
      if (!user.success) throw invalid({ _form: `Teams gave an identity the bot cannot bind a provider user to (${user.error.issues[0].message}).` });
      tx.put('users', user.data);
    }
    const window = (await tx.list('windows')).filter((w) => !w.closedAt)[0];
    const next: Application = {
      ...draft,
      state: 'submitted',
      providerId,
      submittedAt: now.toISOString(),
      details: checked.details,
      answers: checked.answers,
      declarations: checked.declarations,
      windowId: window?.id,
      history: [...draft.history, history(a, now, window ? `submitted; to be evaluated in window ${window.id}` : 'submitted; waiting for the next evaluation window')],
    };
    tx.put('applications', next);
    const when = window ? 'It will be evaluated in the evaluation window that is open now.' : 'No evaluation window is open just now: it will be evaluated when the commissioner opens the next one.';
    return { ok: true as const, application: next, notice: `Submitted ${next.id}. ${when} We will tell you the outcome here.` };
  });
}
