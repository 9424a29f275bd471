import { Application, Decision, EvaluationWindow, Mark, MAX_SCORE, results } from '../../domain/admission.js';
import { plainNumber } from '../../domain/numbers.js';
import { formatUk } from '../../domain/dates.js';
import { Provider, TIERS, Tier, TierAssignment, User } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { loadUser, NO_ROLE_MESSAGE, Who } from '../actor.js';
import { AppError, conflict, forbidden, notFound } from '../errors.js';
import { can } from '../permissions.js';
import { csv } from '../requests/inputs.js';
import { history, normaliseAppRef, Notice, questionsOf } from './applications.js';
import { queueNotices } from './notices.js';
import { chosenString, inputString, markInput, tierInput } from './inputs.js';

export type EvaluateResult = { ok: true; application: Application; notices: Notice[]; message: string } | { ok: false; application: Application; errors: Record<string, string> };

const EVALUATORS_ONLY = 'Only the commissioner, or an evaluator the commissioner named for this evaluation window, can evaluate applications.';

/** The commissioner, or a council user named as an evaluator of the application's (open) window. */
function evaluator(window: EvaluationWindow | undefined, user: User, a: Application): void {
  if (user.roles.includes('provider')) throw forbidden(EVALUATORS_ONLY);
  const named = !!window && window.evaluators.includes(user.id);
  if (!can(user, 'admission.evaluate') && !named) throw forbidden(EVALUATORS_ONLY);
  if (a.state === 'draft') throw conflict(`${a.id} is still a draft.`);
  if (a.state !== 'submitted') throw conflict(`${a.id} has already been decided: ${a.state}${a.decision ? ` on ${formatUk(a.decision.at)} by ${a.decision.byName}` : ''}.`);
  if (!window || window.closedAt) throw conflict(`${a.id} is waiting for the next evaluation window; it can be evaluated once the commissioner opens one.`);
}

async function actor(store: BrokerageStore, who: Who): Promise<User> {
  const user = await loadUser(store, who);
  if (!user) throw forbidden(NO_ROLE_MESSAGE);
  return user;
}

/** Whether this person may evaluate this application now (for showing the marking card). */
export async function mayEvaluate(store: BrokerageStore, who: Who, ref: string): Promise<AppError | undefined> {
  try {
    const user = await actor(store, who);
    const a = await store.get('applications', normaliseAppRef(ref));
    if (!a) throw notFound(`There is no application ${normaliseAppRef(ref)}.`);
    evaluator(a.windowId ? await store.get('windows', a.windowId) : undefined, user, a);
    return undefined;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

/** Reads the marks from card inputs; keeps valid ones, names each wrong one. */
async function readMarks(tx: BrokerageTx, raw: Record<string, unknown>): Promise<{ marks: Record<string, Mark>; inputs: Record<string, string>; errors: Record<string, string> }> {
  const marks: Record<string, Mark> = {};
  const inputs: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const q of await questionsOf(tx)) {
    const id = markInput(q.id);
    const v = chosenString(raw[id]).toLowerCase();
    inputs[id] = v;
    if (!v) continue;
    if (q.kind === 'pass-fail') {
      if (v === 'pass' || v === 'fail') marks[q.id] = { pass: v === 'pass' };
      else errors[id] = 'choose pass or fail';
    } else {
      const n = plainNumber(v);
      if (Number.isInteger(n) && n >= 0 && n <= MAX_SCORE) marks[q.id] = { score: n };
      else errors[id] = `score 0 to ${MAX_SCORE}`;
    }
  }
  return { marks, inputs, errors };
}

async function loadApp(tx: BrokerageTx, ref: string): Promise<Application> {
  const a = await tx.get('applications', normaliseAppRef(ref));
  if (!a) throw notFound(`There is no application ${normaliseAppRef(ref)}.`);
  return a;
}

/** Saves an evaluator's marks; what was typed is kept even where it is wrong. */
export async function saveMarks(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<EvaluateResult> {
  const user = await actor(store, who);
  return store.transact({ actor: user.id, action: 'applications.mark' }, async (tx) => {
    const a = await loadApp(tx, ref);
    evaluator(a.windowId ? await tx.get('windows', a.windowId) : undefined, user, a);
    const read = await readMarks(tx, raw);
    const next: Application = { ...a, marks: read.marks, markInputs: { ...(a.markInputs ?? {}), ...read.inputs }, updatedAt: now.toISOString() };
    const changed = JSON.stringify(a.marks) !== JSON.stringify(read.marks);
    if (changed) next.history = [...a.history, history(user, now, 'marks saved')];
    tx.put('applications', next);
    if (Object.keys(read.errors).length) return { ok: false as const, application: next, errors: read.errors };
    return { ok: true as const, application: next, notices: [], message: 'Marks saved.' };
  });
}

/** The outcome as the provider reads it: the decision, then each question's mark. */
export function outcomeText(a: Application, questions: Awaited<ReturnType<typeof questionsOf>>, names: { lots: Map<string, string>; zones: Map<string, string> }): string {
  const d = a.decision!;
  const r = results(questions, a.marks);
  const marks = r.rows.map((row) => `- ${row.question.text} – ${row.label}`).join('\n');
  const score = r.max ? ` Quality score ${r.total} of ${r.max}.` : '';
  if (d.outcome === 'admitted') {
    const lot = (id: string) => names.lots.get(id) ?? id;
    const zone = (id: string) => names.zones.get(id) ?? id;
    const tiers = d.tiers.length ? ` Tiers: ${d.tiers.map((t) => `${lot(t.lot)} in ${zone(t.zone)}: ${t.tier}`).join('; ')}.` : '';
    return `${a.id}: ${a.details?.orgName ?? 'your organisation'} is admitted to the framework for ${d.lots.map(lot).join(', ')} in ${d.zones.map(zone).join(', ')}.${tiers} You will receive call-offs for these lots and zones from now on.${score}\n\n${marks}`;
  }
  return `${a.id}: your application was not successful. Reasons: ${d.reasons}.${score}\n\n${marks}\n\nYou may apply again.`;
}

/**
 * Admits (per lot and zone, with a tier where the framework ranks providers) or rejects with
 * reasons. Marks on the same card are saved first. Admission needs every question marked and
 * passed; the provider becomes eligible for call-offs in the same transaction.
 */
export async function decideApplication(store: BrokerageStore, who: Who, ref: string, outcome: 'admitted' | 'rejected', raw: Record<string, unknown>, now: Date): Promise<EvaluateResult> {
  const user = await actor(store, who);
  return store.transact({ actor: user.id, action: `applications.${outcome === 'admitted' ? 'admit' : 'reject'}` }, async (tx) => {
    const a = await loadApp(tx, ref);
    evaluator(a.windowId ? await tx.get('windows', a.windowId) : undefined, user, a);
    const read = await readMarks(tx, raw);
    const withMarks: Application = { ...a, marks: read.marks, markInputs: { ...(a.markInputs ?? {}), ...read.inputs, admitLots: inputString(raw.admitLots), admitZones: inputString(raw.admitZones), reasons: inputString(raw.reasons), ...tierInputs(a, raw) }, updatedAt: now.toISOString() };
    tx.put('applications', withMarks);
    const errors: Record<string, string> = { ...read.errors };
    const questions = await questionsOf(tx);
    const r = results(questions, read.marks);
    const details = a.details!;
    let decision: Decision;
    if (outcome === 'admitted') {
      for (const row of r.rows) {
        if (row.passed === undefined) errors[markInput(row.question.id)] ??= 'mark this question before admitting';
        else if (!row.passed) errors[markInput(row.question.id)] ??= `${row.label}: an application that fails a question cannot be admitted`;
      }
      const lots = csv(raw.admitLots);
      const zones = csv(raw.admitZones);
      if (!lots.length) errors.admitLots = 'choose at least one lot to admit to';
      else if (lots.some((l) => !details.lots.includes(l))) errors.admitLots = `admit only to lots applied for: ${lots.filter((l) => !details.lots.includes(l)).join(', ')} was not`;
      if (!zones.length) errors.admitZones = 'choose at least one zone to admit to';
      else if (zones.some((z) => !details.zones.includes(z))) errors.admitZones = `admit only to zones applied for: ${zones.filter((z) => !details.zones.includes(z)).join(', ')} was not`;
      const tiers: TierAssignment[] = [];
      for (const lot of details.lots) {
        for (const zone of details.zones) {
          const id = tierInput(lot, zone);
          const v = chosenString(raw[id]);
          if (!v) continue;
          if (!(TIERS as readonly string[]).includes(v)) errors[id] = 'choose lead, supplementary or contingency';
          else if (!lots.includes(lot) || !zones.includes(zone)) errors[id] = 'this lot or zone is not being admitted, so it cannot have a tier';
          else tiers.push({ lot, zone, tier: v as Tier });
        }
      }
      if (Object.keys(errors).length) return { ok: false as const, application: withMarks, errors };
      decision = { outcome, by: user.id, byName: user.name, at: now.toISOString(), lots, zones, tiers };
    } else {
      const reasons = inputString(raw.reasons);
      if (reasons.length < 10) errors.reasons = 'give the reasons for rejecting (at least 10 characters); the provider is told them';
      if (Object.keys(errors).length) return { ok: false as const, application: withMarks, errors };
      decision = { outcome, by: user.id, byName: user.name, at: now.toISOString(), reasons, lots: [], zones: [], tiers: [] };
    }

    const provider = await tx.get('providers', a.providerId!);
    if (!provider) throw notFound(`The provider of ${a.id} no longer exists.`);
    if (outcome === 'admitted') {
      if (provider.status === 'suspended') throw conflict(`${provider.name} is suspended (${provider.statusReason}); reinstate it before admitting it to more lots or zones.`);
      const union = (x: string[], y: string[]) => [...new Set([...x, ...y])].sort();
      const kept = provider.tiers.filter((t) => !decision.tiers.some((n) => n.lot === t.lot && n.zone === t.zone));
      const next: Provider = {
        ...provider,
        status: 'admitted',
        statusReason: undefined,
        cqcNumber: details.cqcNumber,
        lots: union(provider.lots, decision.lots),
        zones: union(provider.zones, decision.zones),
        tiers: [...kept, ...decision.tiers],
      };
      tx.put('providers', next);
    } else if (provider.status === 'applied') {
      tx.put('providers', { ...provider, statusReason: `application ${a.id} not admitted: ${decision.reasons}` });
    }
    const decided: Application = {
      ...withMarks,
      state: outcome,
      decision,
      history: [...withMarks.history, history(user, now, outcome === 'admitted' ? `admitted to ${decision.lots.join(', ')} in ${decision.zones.join(', ')}` : `rejected: ${decision.reasons}`)],
    };
    tx.put('applications', decided);
    const names = { lots: new Map((await tx.list('lots')).map((l) => [l.id, l.name])), zones: new Map((await tx.list('zones')).map((z) => [z.id, z.name])) };
    const text = outcomeText(decided, questions, names);
    const to = [decided.replyTo, provider.channel && !provider.channel.unreachableReason && provider.channel.conversationId !== (decided.replyTo?.conversation as { id?: string } | undefined)?.id ? provider.channel.reference : undefined].filter(
      (x): x is Record<string, unknown> => !!x,
    );
    const message = `${a.id} ${outcome === 'admitted' ? `admitted: ${provider.name} now receives call-offs for those lots and zones` : 'rejected'}. ${to.length ? 'The provider is being told, with its marks.' : 'The provider has no conversation with the bot to tell; they will see it with `my application`.'}`;
    return { ok: true as const, application: decided, notices: await queueNotices(tx, now, to.map((t) => ({ to: t, text }))), message };
  });
}

function tierInputs(a: Application, raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lot of a.details?.lots ?? []) for (const zone of a.details?.zones ?? []) out[tierInput(lot, zone)] = chosenString(raw[tierInput(lot, zone)]);
  return out;
}
