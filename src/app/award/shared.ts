import type { Bid } from '../../domain/calloff.js';
import { bidId } from '../../domain/calloff.js';
import type { BidEvaluation, Choice, Evaluation } from '../../domain/award.js';
import { inCurrentRound } from '../../domain/award.js';
import type { User } from '../../domain/framework.js';
import type { PackageRequest } from '../../domain/request.js';
import { flagsFor, rank, type Ranking, type RankedRow, type ScoringBid, type ScoringPackage } from '../../domain/scoring.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../framework/entities.js';
import { forbidden, notFound } from '../errors.js';
import { can } from '../permissions.js';
import type { OpenCallOff } from '../calloffs/access.js';
import { checkRate, type ModelRate, type RateCheck } from '../../domain/costModel.js';
import { modelRateOf } from '../market/rates.js';

export async function loadCallOff(tx: BrokerageTx, ref: string): Promise<OpenCallOff> {
  const r = await tx.get('requests', ref.trim().toUpperCase());
  if (!r?.calloff || !r.package || !r.person) throw notFound(`There is no call-off ${ref.trim().toUpperCase()}.`);
  return r as OpenCallOff;
}

/** The owner (the social worker who raised it) or a broker scores quality and records the choice. */
export function checkEvaluator(user: User, r: PackageRequest): void {
  if (r.owner !== user.id && !can(user, 'request.manage')) throw forbidden(`${r.id} is ${r.ownerName}'s request; only they or a broker can evaluate it and record the person's choice.`);
}

/** Active bids of the current round (the cascade round has only the neighbouring-zone providers). */
export async function currentBidsTx(tx: BrokerageTx, r: PackageRequest): Promise<Bid[]> {
  const offers = (r.calloff?.offers ?? []).filter((o) => inCurrentRound(r.calloff!, o.providerId));
  const bids = await Promise.all(offers.map((o) => tx.get('bids', bidId(r.id, o.providerId))));
  return bids.filter((b): b is Bid => b?.status === 'active');
}

export function scoringPackage(r: OpenCallOff): ScoringPackage {
  const p = r.package;
  return {
    costWeight: p.costWeight,
    qualityWeight: p.qualityWeight,
    questions: p.questions.map((q) => ({ id: q.id, weight: q.weight })),
    hoursPerWeek: p.hoursPerWeek,
    startDate: p.startDate,
    carerGender: p.carerGender,
    languageNeeds: p.languageNeeds,
    budgetWeekly: p.budgetWeekly,
  };
}

/** The version that was scored (the last at the deadline), with the social worker's locked scores. */
export function scoringBid(bid: Bid, e: BidEvaluation): ScoringBid {
  const v = bid.versions.find((x) => x.version === e.version) ?? bid.versions.at(-1)!;
  return {
    id: bid.id,
    weeklyPrice: v.weeklyPrice,
    hourlyRate: v.hourlyRate,
    hoursPerWeek: v.hoursPerWeek,
    earliestStart: v.earliestStart,
    meetsCarerGender: v.meetsCarerGender,
    meetsLanguage: v.meetsLanguage,
    submittedAt: v.at,
    scores: e.scores ?? {},
    meetsNeeds: e.meetsNeeds ?? false,
  };
}

export interface RankingView extends Ranking {
  evaluation: Evaluation;
  /** Bids taken out of the choice because the provider declined the award. */
  excluded: string[];
  rowsById: Map<string, RankedRow>;
  bids: Map<string, Bid>;
  minHourlyRate: number;
  /** The cost-of-care model's rate for the package (issue 25), and each bid's hourly rate against it. */
  model?: ModelRate;
  rateChecks: Map<string, RateCheck>;
}

/**
 * The ranking of the current round, from locked scores. Bids whose provider declined the award
 * are left out, as if they had not competed, so the remaining price scores stay per the formula.
 */
export function rankingFrom(r: OpenCallOff, bids: Map<string, Bid>, minHourlyRate: number, model?: ModelRate): RankingView | undefined {
  const e = r.evaluation;
  if (!e?.revealedAt) return undefined;
  const excluded = e.excluded.map((x) => x.bidId);
  const scoring = e.bids.filter((be) => bids.get(be.bidId)?.status === 'active' && !excluded.includes(be.bidId)).map((be) => scoringBid(bids.get(be.bidId)!, be));
  const ranking = rank(scoringPackage(r), scoring, minHourlyRate);
  const rateChecks = new Map(model ? ranking.rows.map((x) => [x.bidId, checkRate(x.hourlyRate, model.rate)] as const) : []);
  return { ...ranking, evaluation: e, excluded, rowsById: new Map(ranking.rows.map((x) => [x.bidId, x])), bids, minHourlyRate, model, rateChecks };
}

export async function rankingOfTx(tx: Pick<BrokerageTx, 'get'>, r: OpenCallOff): Promise<RankingView | undefined> {
  const settings = await tx.get('settings', SETTINGS_ID) ?? DEFAULT_SETTINGS;
  const bids = new Map((await Promise.all((r.evaluation?.bids ?? []).map(async (be) => [be.bidId, await tx.get('bids', be.bidId)] as const))).filter((x): x is [string, Bid] => !!x[1]));
  return rankingFrom(r, bids, settings.minHourlyRate, await modelRateOf(tx, r.package.lots, r.person.zone));
}

export async function rankingOf(store: BrokerageStore, r: OpenCallOff): Promise<RankingView | undefined> {
  const settings = (await store.get('settings', SETTINGS_ID)) ?? DEFAULT_SETTINGS;
  const bids = new Map<string, Bid>();
  for (const be of r.evaluation?.bids ?? []) {
    const b = await store.get('bids', be.bidId);
    if (b) bids.set(b.id, b);
  }
  return rankingFrom(r, bids, settings.minHourlyRate, await modelRateOf(store, r.package.lots, r.person.zone));
}

export const managerIds = async (tx: BrokerageTx) => (await tx.usersWithRole('manager')).map((u) => u.id);
export const humans = (ids: (string | undefined)[]) => ids.filter((u): u is string => !!u && !u.startsWith('system'));

/** What the managers decide on: the chosen bid's price, scores and flags. */
export interface ChosenBid {
  choice: Choice;
  bid: Bid;
  row?: RankedRow;
  weeklyPrice: number;
  hourlyRate: number;
  overBudget: boolean;
  unsustainable: boolean;
}

export function chosenBid(r: OpenCallOff, choice: Choice, bid: Bid, minHourlyRate: number, row?: RankedRow): ChosenBid {
  const v = bid.versions.at(-1)!;
  const flags = flagsFor(r.package, v, minHourlyRate);
  return { choice, bid, row, weeklyPrice: v.weeklyPrice, hourlyRate: v.hourlyRate, overBudget: flags.overBudget, unsustainable: flags.unsustainable };
}

