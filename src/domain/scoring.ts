/**
 * Competition scoring, exactly as SPEC.md "Scoring" says. Pure functions: no store, no clock.
 *
 *   price score   = C × (lowest compliant weekly price ÷ this bid's weekly price)
 *   quality score = Q × Σ(w_i × s_i ÷ 5) ÷ 100
 *   total         = price score + quality score, ranked on the exact value (shown to 2 dp)
 *   ties          = higher quality score first, then the earlier final submission
 */

export const SCORE_LABELS = ['none', 'poor', 'weak', 'satisfactory', 'good', 'excellent'] as const;
export const MIN_SCORE = 0;
export const MAX_SCORE = 5;

/** What scoring needs from the package: the weights and the mandatory requirements. */
export interface ScoringPackage {
  costWeight: number;
  qualityWeight: number;
  questions: { id: string; weight: number }[];
  hoursPerWeek: number;
  startDate: string;
  carerGender: string;
  languageNeeds: string;
  budgetWeekly: number;
}

/** One bid as scored: its counting version, the social worker's locked scores and needs verdict. */
export interface ScoringBid {
  id: string;
  weeklyPrice: number;
  hourlyRate: number;
  hoursPerWeek: number;
  earliestStart: string;
  meetsCarerGender: 'yes' | 'no';
  meetsLanguage: 'yes' | 'no';
  /** When the version that counts was submitted (ISO). */
  submittedAt: string;
  /** question id → 0..5; a missing score counts as 0. */
  scores: Record<string, number>;
  /** The social worker's confirmation that the bid meets the person's needs. */
  meetsNeeds: boolean;
}

export interface Flags {
  /** Weekly price above the indicative personal budget: approval needs a justification. */
  overBudget: boolean;
  /** Hourly rate below the framework's minimum sustainable rate. */
  unsustainable: boolean;
}

export interface RankedRow {
  bidId: string;
  compliant: boolean;
  /** Why a bid is non-compliant, in words the council uses; empty when compliant. */
  reasons: string[];
  weeklyPrice: number;
  hourlyRate: number;
  qualityScore: number;
  /** Only for compliant bids (the price score needs the lowest compliant price). */
  priceScore?: number;
  total?: number;
  /** 1 for the best compliant bid; non-compliant bids have none. */
  rank?: number;
  flags: Flags;
  submittedAt: string;
}

export interface Ranking {
  /** Compliant bids best first, then the non-compliant ones (shown, not ranked). */
  rows: RankedRow[];
  lowestCompliantPrice?: number;
}

/** The mandatory requirements a bid says it cannot meet (start date, carer gender, language, hours). */
export function mandatoryFailures(p: ScoringPackage, b: Pick<ScoringBid, 'earliestStart' | 'meetsCarerGender' | 'meetsLanguage' | 'hoursPerWeek'>): string[] {
  const out: string[] = [];
  if (b.earliestStart > p.startDate) out.push(`cannot start by ${p.startDate} (earliest ${b.earliestStart})`);
  if (p.carerGender !== 'no preference' && b.meetsCarerGender !== 'yes') out.push(`cannot meet the carer gender preference (${p.carerGender})`);
  if (p.languageNeeds.trim() && b.meetsLanguage !== 'yes') out.push('cannot meet the language and cultural needs');
  if (b.hoursPerWeek < p.hoursPerWeek) out.push(`offers ${b.hoursPerWeek} of the ${p.hoursPerWeek} hours a week`);
  return out;
}

/** Non-compliant: a mandatory requirement it cannot meet, a 0 on any question, or not meeting the person's needs. */
export function complianceReasons(p: ScoringPackage, b: ScoringBid): string[] {
  const out = mandatoryFailures(p, b);
  const zeros = p.questions.filter((q) => (b.scores[q.id] ?? 0) === 0);
  if (zeros.length) out.push(`scored 0 on ${zeros.length === 1 ? 'a quality question' : `${zeros.length} quality questions`}`);
  if (!b.meetsNeeds) out.push("does not meet the person's needs (social worker)");
  return out;
}

export function priceScore(costWeight: number, lowestCompliantPrice: number, weeklyPrice: number): number {
  return costWeight * (lowestCompliantPrice / weeklyPrice); // the cheapest gets exactly C
}

export function qualityScore(qualityWeight: number, questions: { id: string; weight: number }[], scores: Record<string, number>): number {
  const weighted = questions.reduce((sum, q) => sum + (q.weight * (scores[q.id] ?? 0)) / MAX_SCORE, 0);
  return (qualityWeight * weighted) / 100;
}

export function flagsFor(p: Pick<ScoringPackage, 'budgetWeekly'>, b: Pick<ScoringBid, 'weeklyPrice' | 'hourlyRate'>, minHourlyRate: number): Flags {
  return { overBudget: b.weeklyPrice > p.budgetWeekly, unsustainable: b.hourlyRate < minHourlyRate };
}

/** Best first: exact total, then quality, then the earlier final submission (then id, so the order is total). */
export function compareRows(a: RankedRow, b: RankedRow): number {
  return (b.total ?? 0) - (a.total ?? 0) || b.qualityScore - a.qualityScore || a.submittedAt.localeCompare(b.submittedAt) || a.bidId.localeCompare(b.bidId);
}

export function rank(p: ScoringPackage, bids: ScoringBid[], minHourlyRate: number): Ranking {
  const assessed = bids.map((b) => ({ b, reasons: complianceReasons(p, b) }));
  const compliant = assessed.filter((x) => !x.reasons.length);
  const lowest = compliant.length ? Math.min(...compliant.map((x) => x.b.weeklyPrice)) : undefined;
  const row = (b: ScoringBid, reasons: string[]): RankedRow => {
    const q = qualityScore(p.qualityWeight, p.questions, b.scores);
    const price = lowest !== undefined && !reasons.length ? priceScore(p.costWeight, lowest, b.weeklyPrice) : undefined;
    return {
      bidId: b.id,
      compliant: !reasons.length,
      reasons,
      weeklyPrice: b.weeklyPrice,
      hourlyRate: b.hourlyRate,
      qualityScore: q,
      priceScore: price,
      total: price === undefined ? undefined : price + q,
      flags: flagsFor(p, b, minHourlyRate),
      submittedAt: b.submittedAt,
    };
  };
  const ranked = compliant.map((x) => row(x.b, [])).sort(compareRows).map((r, i) => ({ ...r, rank: i + 1 }));
  const others = assessed
    .filter((x) => x.reasons.length)
    .map((x) => row(x.b, x.reasons))
    .sort((a, b) => b.qualityScore - a.qualityScore || a.submittedAt.localeCompare(b.submittedAt) || a.bidId.localeCompare(b.bidId));
  return { rows: [...ranked, ...others], lowestCompliantPrice: lowest };
}

/** Scores as shown: 2 decimal places (ranking always uses the exact value). */
export const show2 = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(2));
