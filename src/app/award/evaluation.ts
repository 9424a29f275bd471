import { blindLabels, type BidEvaluation } from '../../domain/award.js';
import { plainNumber } from '../../domain/numbers.js';
import type { Bid, BidInput } from '../../domain/calloff.js';
import { BID_FIELDS, BLIND_FIELD_KEYS, type BidFieldKey } from '../../domain/bidFields.js';
import { formatUk } from '../../domain/dates.js';
import { mandatoryFailures, MAX_SCORE, MIN_SCORE } from '../../domain/scoring.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, notFound } from '../errors.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { tellUsers } from '../calloffs/messages.js';
import { offerCascade } from './cascade.js';
import { councilRanking, type CouncilRanking } from './views.js';
import { checkEvaluator, currentBidsTx, loadCallOff, rankingOfTx, scoringPackage, type RankingView } from './shared.js';

export const scoreInput = (questionId: string) => `s_${questionId}`;
export const commentInput = (questionId: string) => `c_${questionId}`;

/**
 * Called inside the transaction that closes a call-off (src/app/calloffs/deadline.ts). A
 * competition with bids goes to blind evaluation: the social worker gets one card per bid. No bid,
 * or a sequential offer nobody accepted, goes to the broker as a cascade. (A sequential acceptance
 * never gets here: it goes straight to approval when it is made, see decision.ts.)
 */
export async function afterClose(tx: BrokerageTx, r: OpenCallOff, now: Date): Promise<OpenCallOff> {
  if (r.calloff.acceptedBid) return r;
  const bids = await currentBidsTx(tx, r);
  if (r.package.mode === 'sequential') return await offerCascade(tx, r, now, bids.length ? 'no provider accepted the sequential offer on terms that meet the request' : 'no provider accepted the sequential offer');
  if (!bids.length) return await offerCascade(tx, r, now, r.calloff.cascade ? 'the cascade round had no bids' : 'the call-off closed with no bids');
  return await startEvaluation(tx, r, bids, now);
}

async function startEvaluation(tx: BrokerageTx, r: OpenCallOff, bids: Bid[], now: Date): Promise<OpenCallOff> {
  const round = r.calloff.cascade ? 2 : 1;
  const labels = blindLabels(r.id, bids.map((b) => b.id));
  const evaluation = {
    round,
    startedAt: now.toISOString(),
    bids: bids.map((b): BidEvaluation => ({ bidId: b.id, label: labels.get(b.id)!, version: b.versions.at(-1)!.version })).sort((a, b) => a.label.localeCompare(b.label)),
    excluded: [],
  };
  const next: OpenCallOff = { ...r, evaluation, pastEvaluations: r.evaluation ? [...(r.pastEvaluations ?? []), r.evaluation] : r.pastEvaluations };
  tx.put('requests', next);
  for (const e of evaluation.bids) await tellUsers(tx, now, [r.owner], `evaluate:${r.id}:${round}:${e.label}`, { kind: 'evaluation.card', ref: r.id, label: e.label, round });
  return next;
}

/** A bid as the social worker scores it: no price, no provider. Its fields are those marked `blind` in bidFields.ts. */
export interface BlindBid extends Pick<BidInput, 'hoursPerWeek' | 'earliestStart' | 'supportPlan' | 'meetsCarerGender' | 'meetsLanguage'> {
  label: string;
  /** `byPerson`: the person's own question, scored against what a good answer looks like to them. */
  answers: { questionId: string; question: string; weight: number; answer: string; byPerson: boolean; criterion: string }[];
  /** Mandatory requirements the bid says it cannot meet: it will be non-compliant whatever it scores. */
  cannotMeet: string[];
  /** Every blind field with its label, for a form to list the ones it does not word itself. */
  fields: { key: BidFieldKey; label: string; value: string }[];
}

/** The blind fields of a version (bidFields.ts decides which), by name. */
export const blindFields = (v: BidInput): Record<string, unknown> => Object.fromEntries(BLIND_FIELD_KEYS.map((k) => [k, v[k]]));

function blind(r: OpenCallOff, bid: Bid, e: BidEvaluation): BlindBid {
  const v = bid.versions.find((x) => x.version === e.version) ?? bid.versions.at(-1)!;
  return {
    ...(blindFields(v) as Pick<BlindBid, 'hoursPerWeek' | 'earliestStart' | 'supportPlan' | 'meetsCarerGender' | 'meetsLanguage'>),
    label: e.label,
    answers: r.package.questions.map((q) => ({ questionId: q.id, question: q.text, weight: q.weight, answer: v.answers[q.id] ?? '', byPerson: q.byPerson === true, criterion: q.criterion ?? '' })),
    cannotMeet: mandatoryFailures(scoringPackage(r), v),
    fields: BLIND_FIELD_KEYS.map((k) => ({ key: k, label: BID_FIELDS[k].label, value: String(v[k] ?? '') })),
  };
}

async function loadForEvaluator(store: BrokerageStore, who: Who, ref: string): Promise<OpenCallOff> {
  const user = await requirePermission(store, who, 'evaluation.score');
  const r = (await store.get('requests', ref.trim().toUpperCase())) as OpenCallOff | undefined;
  if (!r?.calloff) throw notFound(`There is no call-off ${ref.trim().toUpperCase()}.`);
  checkEvaluator(user, r);
  return r;
}

export interface Overview {
  request: OpenCallOff;
  items: { label: string; locked: boolean; lockedAt?: string }[];
  /** Once every score is locked: the ranking, prices revealed. */
  ranking?: RankingView;
  /** The same ranking with the bidders' names, as the social worker's card shows it. */
  council?: CouncilRanking;
}

/** Where evaluation stands: which bids are locked, or (once all are) the ranking. */
export async function evaluationOverview(store: BrokerageStore, who: Who, ref: string): Promise<Overview> {
  const r = await loadForEvaluator(store, who, ref);
  if (!r.evaluation) {
    const why =
      r.state === 'open'
        ? `${r.id} is still open for bids until ${formatUk(r.calloff.deadline)}; evaluation starts when it closes.`
        : r.calloff.acceptedBid
          ? `${r.id} was a sequential offer accepted by the first provider that met the request; it went straight to a manager for approval.`
          : `${r.id} has no bids to evaluate${r.cascadeOffer ? ` (${r.cascadeOffer.why}); a broker can run the cascade` : ''}.`;
    throw conflict(why);
  }
  const council = await councilRanking(store, r);
  return {
    request: r,
    items: r.evaluation.bids.map((e) => ({ label: e.label, locked: !!e.lockedAt, lockedAt: e.lockedAt })),
    ...(council ? { ranking: council.ranking, council } : {}),
  };
}

/** One bid's blind evaluation card: support plan and answers, never the price or the provider. */
export async function blindBid(store: BrokerageStore, who: Who, ref: string, label: string): Promise<BlindView> {
  const r = await loadForEvaluator(store, who, ref);
  return blindView(store, r, label);
}

export interface BlindView {
  request: OpenCallOff;
  evaluation: BidEvaluation;
  bid: BlindBid;
}

/** For the card posted to the owner's chat (the outbox already knows who it is for). */
export async function blindView(store: BrokerageStore, r: OpenCallOff, label: string): Promise<BlindView> {
  const e = r.evaluation?.bids.find((x) => x.label === label);
  const bid = e && (await store.get('bids', e.bidId));
  return await blindViewOf({ get: (async (_c: string, id: string) => (id === bid?.id ? bid : undefined)) as Pick<BrokerageTx, 'get'>['get'] }, r, label);
}

/** The same, inside a transaction (a use case returns it for its reply). */
export async function blindViewOf(read: Pick<BrokerageTx, 'get'>, r: OpenCallOff, label: string): Promise<BlindView> {
  const e = r.evaluation?.bids.find((x) => x.label === label);
  const bid = e && await read.get('bids', e.bidId);
  if (!e || !bid) throw notFound(`${r.id} has no bid ${label} to evaluate.`);
  return { request: r, evaluation: e, bid: blind(r, bid, e) };
}

export interface ScoreInput {
  scores: Record<string, number>;
  comments: Record<string, string>;
  meetsNeeds: boolean;
  needsNote: string;
}

/** Card inputs → scores, with a message per field for anything outside 0–5 or missing. */
export function parseScores(r: OpenCallOff, raw: Record<string, unknown>): { ok: true; input: ScoreInput } | { ok: false; errors: Record<string, string> } {
  const s = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));
  const errors: Record<string, string> = {};
  const scores: Record<string, number> = {};
  const comments: Record<string, string> = {};
  r.package.questions.forEach((q, i) => {
    const text = s(raw[scoreInput(q.id)]);
    const n = plainNumber(text);
    if (text === '') errors[scoreInput(q.id)] = `score question ${i + 1} from ${MIN_SCORE} to ${MAX_SCORE}`;
    else if (!Number.isInteger(n) || n < MIN_SCORE || n > MAX_SCORE) errors[scoreInput(q.id)] = `the score for question ${i + 1} must be a whole number from ${MIN_SCORE} to ${MAX_SCORE} (got "${text}")`;
    else scores[q.id] = n;
    const comment = s(raw[commentInput(q.id)]);
    if (comment.length > 1000) errors[commentInput(q.id)] = 'a comment must be at most 1,000 characters';
    else if (comment) comments[q.id] = comment;
  });
  const needs = s(raw.meetsNeeds);
  if (needs !== 'yes' && needs !== 'no') errors.meetsNeeds = "say whether this bid meets the person's needs";
  const needsNote = s(raw.needsNote);
  if (needs === 'no' && needsNote.length < 5) errors.needsNote = 'say why it does not meet their needs (at least 5 characters)';
  if (needsNote.length > 1000) errors.needsNote = 'at most 1,000 characters';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, input: { scores, comments, meetsNeeds: needs === 'yes', needsNote } };
}

export type LockResult = ({ ok: true; request: OpenCallOff; evaluation: BidEvaluation; unchanged: boolean; revealed: boolean } | { ok: false; errors: Record<string, string> }) & {
  /** The bid, blind, as it stands after the lock: what the reply shows. */
  view: BlindView;
};

/**
 * Locks the social worker's scores for one bid. Locked scores cannot change; the same scores sent
 * again change nothing. When the last bid is locked, prices are revealed: the request becomes
 * `evaluated` and the ranking goes to the social worker (or, with no compliant bid, the broker is
 * offered the cascade).
 */
export async function lockScores(store: BrokerageStore, who: Who, ref: string, label: string, raw: Record<string, unknown>, now: Date): Promise<LockResult> {
  const user = await requirePermission(store, who, 'evaluation.score');
  return store.transact({ actor: user.id, action: 'evaluation.lock' }, async (tx) => {
    const r = await loadCallOff(tx, ref);
    checkEvaluator(user, r);
    if (r.state === 'cancelled') throw conflict(`${r.id} was cancelled: ${r.cancelled?.reason ?? ''}`);
    const e = r.evaluation?.bids.find((x) => x.label === label);
    if (!r.evaluation || !e) throw notFound(`${r.id} has no bid ${label} to evaluate.`);
    const parsed = parseScores(r, raw);
    if (e.lockedAt) {
      const same = parsed.ok && JSON.stringify(parsed.input.scores) === JSON.stringify(e.scores) && parsed.input.meetsNeeds === e.meetsNeeds;
      if (same) return { ok: true as const, request: r, evaluation: e, unchanged: true, revealed: !!r.evaluation.revealedAt, view: await blindViewOf(tx, r, label) };
      throw conflict(`Bid ${label}'s scores were locked on ${formatUk(e.lockedAt)}; locked scores cannot be changed.`);
    }
    if (!parsed.ok) return { ...parsed, view: await blindViewOf(tx, r, label) };
    if (r.state !== 'closed') throw conflict(`${r.id} is ${r.state}; scores can only be locked while it is being evaluated.`);
    const locked: BidEvaluation = { ...e, ...parsed.input, lockedAt: now.toISOString(), lockedBy: user.id };
    let next: OpenCallOff = { ...r, evaluation: { ...r.evaluation, bids: r.evaluation.bids.map((x) => (x.label === label ? locked : x)) }, updatedAt: now.toISOString() };
    const revealed = next.evaluation!.bids.every((x) => x.lockedAt);
    if (revealed) next = await reveal(tx, next, now);
    tx.put('requests', next);
    return { ok: true as const, request: next, evaluation: locked, unchanged: false, revealed, view: await blindViewOf(tx, next, label) };
  });
}

/** Every score locked: prices are revealed and the ranking goes to the social worker. */
async function reveal(tx: BrokerageTx, r: OpenCallOff, now: Date): Promise<OpenCallOff> {
  let next: OpenCallOff = { ...r, state: 'evaluated', evaluation: { ...r.evaluation!, revealedAt: now.toISOString() } };
  const ranking = (await rankingOfTx(tx, next))!;
  await tellUsers(tx, now, [r.owner], `ranking:${r.id}:${next.evaluation!.round}`, { kind: 'evaluation.ranking', ref: r.id, round: next.evaluation!.round });
  if (!ranking.rows.some((x) => x.compliant)) next = await offerCascade(tx, next, now, 'no bid is compliant');
  return next;
}
