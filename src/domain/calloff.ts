import { z } from 'zod';
import { bidFieldSchemas } from './bidFields.js';
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

/** A bid as the provider sends it: the fields of bidFields.ts and one answer per quality question. */
export const BidInput = z.object({
  ...bidFieldSchemas,
  answers: z.record(z.string().trim().max(4000, 'an answer must be at most 4,000 characters')),
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
