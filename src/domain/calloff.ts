import { z } from 'zod';
import { numberInput } from './numbers.js';
import { isRealDate } from './dates.js';
import type { Tier } from './framework.js';

/**
 * The call-off: a submitted request offered to providers. It lives on the request (its state is
 * the request's state); bids live apart, one record per provider, so a bid writes a small file.
 */
export interface Offer {
  providerId: string;
  /** The sequential round it came in, when the call-off is a sequential offer. */
  tier?: Tier;
  offeredAt: string;
  /** The outbox item that posted the card, so it can be updated in place. */
  postId: string;
  declined?: { reason: string; detail: string; by: string; at: string };
}

export interface Clarification {
  id: string;
  /** Who asked is kept for the audit only: the answer goes to every provider without it. */
  askedBy: string;
  askedByProvider: string;
  askedAt: string;
  question: string;
  answer?: { text: string; question: string; by: string; at: string };
}

export interface Round {
  tier: Tier;
  opensAt: string;
  closesAt: string;
}

export interface CallOff {
  publishedAt: string;
  publishedBy: string;
  /** The current deadline (extensions move it). In sequential mode, the current round's end. */
  deadline: string;
  extensions: { from: string; to: string; by: string; at: string; reason: string }[];
  offers: Offer[];
  clarifications: Clarification[];
  /** Sequential offers: the rounds so far, the last one current. */
  rounds: Round[];
  closedAt?: string;
  /** Sequential offers: the acceptance that ended the rounds. */
  acceptedBid?: string;
  /** Reminders already sent ("24h", "2h"), so a restart does not send them twice. */
  remindersSent: string[];
  /** The cascade round to neighbouring zones, once a broker has run it. */
  cascade?: Cascade;
}

/** The cascade round (the Kent model): the call-off offered to providers in neighbouring zones. */
export interface Cascade {
  round: 2;
  zones: string[];
  providerIds: string[];
  openedAt: string;
  openedBy: string;
  deadline: string;
}

export const NOT_INTERESTED_REASONS = ['no capacity', 'outside our area', 'cannot meet the specialist need', 'price too low for the package', 'start date too soon', 'other'] as const;

/** Teams sends numbers from Input.Number as strings; "" is "not given". */
const money = (what: string, max: number) =>
  z.preprocess(
    numberInput({ money: true }),
    z.number({ required_error: `${what} is required`, invalid_type_error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a number`).pipe(z.number().gt(0, `${what} must be more than 0`).max(max, `${what} must be at most ${max.toLocaleString('en-GB')}`)),
  );

export const BidInput = z.object({
  weeklyPrice: money('weekly price (£)', 20000),
  hourlyRate: money('hourly rate (£)', 200),
  hoursPerWeek: money('hours per week', 168),
  earliestStart: z.string({ required_error: 'earliest start date is required' }).trim().refine(isRealDate, 'earliest start date must be a date'),
  supportPlan: z.string({ required_error: 'support plan summary is required' }).trim().min(30, 'support plan summary needs at least 30 characters').max(4000, 'support plan summary must be at most 4,000 characters'),
  answers: z.record(z.string().trim().max(4000, 'an answer must be at most 4,000 characters')),
  meetsCarerGender: z.enum(['yes', 'no'], { errorMap: () => ({ message: 'say whether you can meet the carer gender preference' }) }),
  meetsLanguage: z.enum(['yes', 'no'], { errorMap: () => ({ message: 'say whether you can meet the language and cultural needs' }) }),
  /** Why the weekly price is not hourly rate × hours, when it is not. */
  priceNote: z.string().trim().max(500).default(''),
});
export type BidInput = z.infer<typeof BidInput>;

export interface BidVersion extends BidInput {
  version: number;
  at: string;
  by: string;
}

export interface Bid {
  /** `${ref}:${providerId}` */
  id: string;
  ref: string;
  providerId: string;
  status: 'active' | 'withdrawn';
  /** Every version, oldest first; the last one counts. */
  versions: BidVersion[];
  /** When the version that counts was submitted (ties in ranking go to the earlier one). */
  submittedAt: string;
  withdrawnAt?: string;
  /** Set when the council withdrew it (e.g. the provider was suspended). */
  withdrawnReason?: string;
}

export const bidId = (ref: string, providerId: string) => `${ref}:${providerId}`;

/** Weekly price may differ from hourly rate × hours by this much before the bid must say why. */
export const PRICE_TOLERANCE = { fraction: 0.02, pounds: 1 };

export function priceMismatch(b: Pick<BidInput, 'weeklyPrice' | 'hourlyRate' | 'hoursPerWeek'>): number | undefined {
  const expected = Math.round(b.hourlyRate * b.hoursPerWeek * 100) / 100;
  const diff = Math.abs(b.weeklyPrice - expected);
  return diff > Math.max(PRICE_TOLERANCE.pounds, expected * PRICE_TOLERANCE.fraction) ? expected : undefined;
}
