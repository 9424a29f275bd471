import type { Bid } from '../../domain/calloff.js';
import type { PackageRequest } from '../../domain/request.js';
import { isPersons } from '../../domain/personQuestions.js';
import type { RankingView } from '../award/shared.js';
import type { OpenCallOff } from '../calloffs/access.js';

/**
 * What goes into the person's choice pack: one entry per offer that met the person's needs
 * (compliant in the ranking, which includes the social worker's "meets the needs"), each made from
 * that provider's own bid only. No scores, no ranks and no comparison between offers: the pack is
 * for the person to choose, and nothing in it tells one provider about another.
 */

export interface PackAnswer {
  question: string;
  criterion: string;
  answer: string;
}

export interface PackOffer {
  providerName: string;
  /** The support plan, in the provider's own words (the version that was scored). */
  supportPlan: string;
  /** Its answers to the person's own questions (the council's questions are not in the pack). */
  answers: PackAnswer[];
  earliestStart: string;
  /** undefined: the person stated no preference. */
  carerGender: { wanted: string; meets?: boolean };
  language: { needs: string; meets?: boolean };
  weeklyPrice: number;
  budgetWeekly: number;
  /** Pounds a week above the personal budget; 0 when within it. */
  topUp: number;
}

export interface ChoicePack {
  ref: string;
  personName: string;
  preparedBy: string;
  preparedAt: string;
  hoursPerWeek: number;
  startDate: string;
  budgetWeekly: number;
  /** The person's own questions, even when no offer answered them. */
  questions: { text: string; criterion: string }[];
  /** Alphabetical by provider: the order says nothing about the council's ranking. */
  offers: PackOffer[];
}

/** Pence are exact: a top-up of £0.10 must not print as £0.09999. */
const pounds = (n: number) => Math.round(n * 100) / 100;

/** Control characters and direction overrides a provider might type have no place on paper. */
export const clean = (s: string) => s.replace(/[\u0000-\u0008\u000B-\u001F\u007F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '').trim();

export function choicePackContent(r: OpenCallOff & Required<Pick<PackageRequest, 'person'>>, ranking: RankingView, providerNames: Map<string, string>, preparedBy: string, now: Date): ChoicePack {
  const p = r.package;
  const personQuestions = p.questions.filter(isPersons);
  const offers = ranking.rows
    .filter((row) => row.compliant && !ranking.excluded.includes(row.bidId))
    .map((row): PackOffer => {
      const bid = ranking.bids.get(row.bidId) as Bid;
      const scored = ranking.evaluation.bids.find((b) => b.bidId === row.bidId);
      const v = bid.versions.find((x) => x.version === scored?.version) ?? bid.versions.at(-1)!;
      return {
        providerName: providerNames.get(bid.providerId) ?? bid.providerId,
        supportPlan: clean(v.supportPlan),
        answers: personQuestions.map((q) => ({ question: q.text, criterion: q.criterion ?? '', answer: clean(v.answers[q.id] ?? '') })),
        earliestStart: v.earliestStart,
        carerGender: { wanted: p.carerGender, meets: p.carerGender === 'no preference' ? undefined : v.meetsCarerGender === 'yes' },
        language: { needs: p.languageNeeds, meets: p.languageNeeds.trim() ? v.meetsLanguage === 'yes' : undefined },
        weeklyPrice: v.weeklyPrice,
        budgetWeekly: p.budgetWeekly,
        topUp: Math.max(0, pounds(v.weeklyPrice - p.budgetWeekly)),
      };
    })
    .sort((a, b) => a.providerName.localeCompare(b.providerName));
  return {
    ref: r.id,
    personName: r.person.name,
    preparedBy,
    preparedAt: now.toISOString(),
    hoursPerWeek: p.hoursPerWeek,
    startDate: p.startDate,
    budgetWeekly: p.budgetWeekly,
    questions: personQuestions.map((q) => ({ text: q.text, criterion: q.criterion ?? '' })),
    offers,
  };
}
