import { z } from 'zod';
import { boundedNumber, numberInput } from './numbers.js';

/**
 * The market view's rules, set by the commissioner (`market rules`): when a lot × zone is a gap,
 * how long a gap must last before the report proposes opening the framework there, when a
 * provider's capacity declaration is stale, and the small-number threshold under which counts
 * are suppressed (a count of 1 to threshold − 1 could point at a person).
 */
const n = (what: string, min: number, max: number, int = false) => boundedNumber(what, min, max, { percent: true, int });

export const MarketRules = z.object({
  id: z.literal('market-rules').default('market-rules'),
  /** A cell is a gap when at least this share of its closed call-offs had no bid. */
  noBidPct: n('no-bid share (%)', 1, 100).default(20),
  /** … or at least this share had one bid or none (thin competition). */
  thinPct: n('one-or-no-bid share (%)', 1, 100).default(50),
  /** … or this many off-contract placements were recorded there. */
  offContract: n('off-contract placements', 1, 1000, true).default(1),
  /** … or this many packages were handed back there. */
  handBacks: n('hand-backs', 1, 1000, true).default(2),
  /** … or the median days from request to start is above this. */
  daysToStart: n('median days from request to start', 1, 365, true).default(28),
  /** … or, where there was demand, fewer providers than this are admitted there. */
  minProviders: n('providers admitted', 1, 100, true).default(2),
  /** A gap in each of this many calendar months (the period's last and those before) persists. */
  persistMonths: n('months a gap must persist', 1, 24, true).default(3),
  /** A capacity declaration older than this many weeks is stale: chased once, shown as stale. */
  capacityWeeks: n('weeks before capacity is stale', 1, 52, true).default(8),
  /** Counts from 1 to this − 1 are shown as "<N" (the equality and market reports). */
  smallNumber: n('small-number threshold', 1, 100, true).default(5),
});
export type MarketRules = z.infer<typeof MarketRules>;
export const MARKET_RULES_ID = 'market-rules';
export const DEFAULT_MARKET_RULES: MarketRules = MarketRules.parse({});

/** A count as it may be shown: "<5" for 1–4 when the threshold is 5; 0 and the rest as they are. */
export function shownCount(count: number, threshold: number): string {
  return count > 0 && count < threshold ? `<${threshold}` : String(count);
}
export const suppressed = (count: number, threshold: number): boolean => count > 0 && count < threshold;

// ───────────────────────────── provider capacity ─────────────────────────────

/** What a provider says about one zone: whether it can take new packages, and roughly how many hours a week. */
export interface ZoneCapacity {
  zone: string;
  canTake: boolean;
  hoursPerWeek?: number;
  declaredAt: string;
  /** The provider user who said so. */
  declaredBy: string;
  /** When the bot asked for it again, once it went stale (once per declaration). */
  chasedAt?: string;
}

/** One record per provider (id = the provider's id), a line per zone it has spoken for. */
export interface CapacityRecord {
  id: string;
  zones: ZoneCapacity[];
}

export const staleAt = (c: Pick<ZoneCapacity, 'declaredAt'>, weeks: number): number => Date.parse(c.declaredAt) + weeks * 7 * 86_400_000;
export const isStale = (c: Pick<ZoneCapacity, 'declaredAt'>, weeks: number, now: Date): boolean => staleAt(c, weeks) <= now.getTime();

/** The card's inputs for one zone: `can_<zone>` yes/no (empty: not saying) and `hours_<zone>`. */
export const canInput = (zone: string) => `can_${zone}`;
export const hoursInput = (zone: string) => `hours_${zone}`;

const Hours = z.preprocess(numberInput(), z.number({ invalid_type_error: 'hours a week must be a number' }).min(1, 'hours a week must be at least 1').max(5000, 'hours a week must be at most 5,000').optional());

/**
 * A provider's declaration for its zones, as the card sends it: a field error per zone input.
 * A zone left unanswered keeps what was said before.
 */
export function parseCapacity(zones: readonly string[], raw: Record<string, unknown>): { ok: true; answers: { zone: string; canTake: boolean; hoursPerWeek?: number }[] } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const answers: { zone: string; canTake: boolean; hoursPerWeek?: number }[] = [];
  for (const zone of zones) {
    const can = String(raw[canInput(zone)] ?? '').trim();
    const hours = Hours.safeParse(raw[hoursInput(zone)]);
    if (!hours.success) errors[hoursInput(zone)] = hours.error.issues[0].message;
    if (can !== '' && can !== 'yes' && can !== 'no') errors[canInput(zone)] = 'choose yes or no';
    if (can === 'no' && hours.success && hours.data !== undefined) errors[hoursInput(zone)] = 'leave the hours empty when you cannot take new packages here';
    if (can === '' && hours.success && hours.data !== undefined) errors[canInput(zone)] = 'say whether you can take new packages here';
    if (errors[canInput(zone)] || errors[hoursInput(zone)] || can === '') continue;
    answers.push({ zone, canTake: can === 'yes', hoursPerWeek: can === 'yes' && hours.success ? hours.data : undefined });
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  if (!answers.length) return { ok: false, errors: { _form: 'answer for at least one zone' } };
  return { ok: true, answers };
}
