import { isRealDate } from '../../domain/dates.js';
import { listOf } from '../../store/reading.js';
import { ukDate } from '../../domain/dates.js';
import { Application, EvaluationWindow, PauseReason } from '../../domain/admission.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, Who } from '../actor.js';
import { conflict, invalid } from '../errors.js';
import { queueNotices } from './notices.js';
import { ADMISSION_ID, history, Notice, pausedMessage } from './applications.js';

export interface AdmissionStatus {
  paused?: { reason: string; by: string; at: string };
  window?: EvaluationWindow;
  /** Submitted, waiting for the next window. */
  waiting: Application[];
  /** Submitted into the open window, not decided yet. */
  toEvaluate: Application[];
  drafts: number;
  decided: Application[];
}

export async function admissionStatus(store: BrokerageStore): Promise<AdmissionStatus> {
  const [state, windows, apps] = await Promise.all([store.get('admission', ADMISSION_ID), listOf(store, 'windows'), listOf(store, 'applications')]);
  const window = windows.find((w) => !w.closedAt);
  const bySubmitted = (a: Application, b: Application) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? '');
  return {
    paused: state?.paused,
    window,
    waiting: apps.filter((a) => a.state === 'submitted' && (!a.windowId || a.windowId !== window?.id)).sort(bySubmitted),
    toEvaluate: apps.filter((a) => a.state === 'submitted' && !!window && a.windowId === window.id).sort(bySubmitted),
    drafts: apps.filter((a) => a.state === 'draft').length,
    decided: apps.filter((a) => a.state === 'admitted' || a.state === 'rejected').sort((a, b) => (b.decision?.at ?? '').localeCompare(a.decision?.at ?? '')),
  };
}

export interface OpenWindowInput {
  closesOn?: string;
  /** aadObjectIds of council users who may evaluate in this window besides commissioners. */
  evaluators?: string[];
}

/**
 * Opens an evaluation window. Every submitted application waiting for a window joins it, and so
 * does every application submitted while it stays open.
 */
export async function openWindow(store: BrokerageStore, who: Who, input: OpenWindowInput, now: Date): Promise<{ window: EvaluationWindow; joined: Application[] }> {
  const user = await requirePermission(store, who, 'admission.manage');
  const closesOn = checkClosesOn(input.closesOn, now);
  return store.transact({ actor: user.id, action: 'windows.open' }, async (tx) => {
    const open = (await tx.list('windows')).filter((w) => !w.closedAt)[0];
    if (open) throw conflict(`Window ${open.id} is already open; close it before opening another.`);
    return openWindowTx(tx, user, { ...input, closesOn }, now);
  });
}

function checkClosesOn(raw: string | undefined, now: Date): string | undefined {
  const closesOn = raw?.trim() || undefined;
  if (closesOn && !isRealDate(closesOn)) throw invalid({ closesOn: 'the planned closing date must be a date (YYYY-MM-DD)' });
  if (closesOn && closesOn < ukDate(now)) throw invalid({ closesOn: 'the planned closing date must be today or later' });
  return closesOn;
}

/** Opens a window inside the caller's transaction (no window may be open); waiting applications join it. */
export async function openWindowTx(tx: BrokerageTx, user: { id: string; name: string }, input: OpenWindowInput, now: Date): Promise<{ window: EvaluationWindow; joined: Application[] }> {
  const evaluators = [...new Set((input.evaluators ?? []).map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const users = await Promise.all(evaluators.map((id) => tx.get('users', id)));
  const bad = evaluators.filter((_, i) => !users[i] || users[i]!.roles.includes('provider'));
  if (bad.length) throw invalid({ evaluators: `evaluators must be council users the bot knows (not provider users): ${bad.join(', ')}` });
  const year = Number(ukDate(now).slice(0, 4));
  const counter = await tx.get('counters', `W-${year}`) ?? { id: `W-${year}`, value: 0 };
  tx.put('counters', { ...counter, value: counter.value + 1 });
  const window: EvaluationWindow = { id: `W-${year}-${String(counter.value + 1).padStart(2, '0')}`, openedAt: now.toISOString(), openedBy: user.id, closesOn: input.closesOn, evaluators };
  tx.put('windows', window);
  const joined = (await tx.list('applications')).filter((a) => a.state === 'submitted' && !a.windowId);
  for (const a of joined) tx.put('applications', { ...a, windowId: window.id, history: [...a.history, history(user, now, `joined evaluation window ${window.id}`)] });
  return { window, joined };
}

/** Names the evaluators of the open window (replacing the list). */
export async function nameEvaluators(store: BrokerageStore, who: Who, evaluators: string[]): Promise<EvaluationWindow> {
  const user = await requirePermission(store, who, 'admission.manage');
  return store.transact({ actor: user.id, action: 'windows.evaluators' }, async (tx) => {
    const open = (await tx.list('windows')).filter((w) => !w.closedAt)[0];
    if (!open) throw conflict('No evaluation window is open.');
    const ids = [...new Set(evaluators.map((e) => e.trim().toLowerCase()).filter(Boolean))];
    const users = await Promise.all(ids.map((id) => tx.get('users', id)));
    const bad = ids.filter((_, i) => !users[i] || users[i]!.roles.includes('provider'));
    if (bad.length) throw invalid({ evaluators: `evaluators must be council users the bot knows (not provider users): ${bad.join(', ')}` });
    const next = { ...open, evaluators: ids };
    tx.put('windows', next);
    return next;
  });
}

/** Closes the open window. Applications not yet decided wait for the next window. */
export async function closeWindow(store: BrokerageStore, who: Who, now: Date): Promise<{ window: EvaluationWindow; carried: Application[]; decided: number }> {
  const user = await requirePermission(store, who, 'admission.manage');
  return store.transact({ actor: user.id, action: 'windows.close' }, async (tx) => {
    const open = (await tx.list('windows')).filter((w) => !w.closedAt)[0];
    if (!open) throw conflict('No evaluation window is open.');
    const window = { ...open, closedAt: now.toISOString(), closedBy: user.id };
    tx.put('windows', window);
    const carried = (await tx.list('applications')).filter((a) => a.windowId === open.id && a.state === 'submitted');
    for (const a of carried) tx.put('applications', { ...a, windowId: undefined, history: [...a.history, history(user, now, `window ${open.id} closed before a decision; waiting for the next window`)] });
    const decided = (await tx.list('applications')).filter((a) => a.windowId === open.id && (a.state === 'admitted' || a.state === 'rejected')).length;
    return { window, carried, decided };
  });
}

/**
 * Pauses new applications (Derby paused its DPS). Nobody can start or submit one until resumed;
 * people with a draft are told why.
 */
export async function pauseApplications(store: BrokerageStore, who: Who, reason: string, now: Date): Promise<{ notices: Notice[] }> {
  const user = await requirePermission(store, who, 'admission.manage');
  const parsed = PauseReason.safeParse(reason);
  if (!parsed.success) throw invalid({ reason: 'say why applications are paused (at least 5 characters); applicants are told' });
  return store.transact({ actor: user.id, action: 'admission.pause' }, async (tx) => {
    const state = await tx.get('admission', ADMISSION_ID);
    if (state?.paused?.reason === parsed.data) return { notices: [] }; // a repeated click
    tx.put('admission', { id: ADMISSION_ID, paused: { reason: parsed.data, by: user.id, at: now.toISOString() } });
    const drafts = (await tx.list('applications')).filter((a) => a.state === 'draft' && !!a.replyTo);
    return { notices: await queueNotices(tx, now, drafts.map((a) => ({ to: a.replyTo!, text: `${a.id}: ${pausedMessage(parsed.data)}` }))) };
  });
}

export async function resumeApplications(store: BrokerageStore, who: Who, now: Date = new Date()): Promise<{ notices: Notice[] }> {
  const user = await requirePermission(store, who, 'admission.manage');
  return store.transact({ actor: user.id, action: 'admission.resume' }, async (tx) => {
    const state = await tx.get('admission', ADMISSION_ID);
    if (!state?.paused) return { notices: [] };
    tx.put('admission', { id: ADMISSION_ID });
    const drafts = (await tx.list('applications')).filter((a) => a.state === 'draft' && !!a.replyTo);
    return { notices: await queueNotices(tx, now, drafts.map((a) => ({ to: a.replyTo!, text: `${a.id}: applications to the framework are open again. Type \`my application\` to finish and submit your draft.` }))) };
  });
}
