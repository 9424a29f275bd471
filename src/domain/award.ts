import { createHash } from 'node:crypto';
import type { CallOff } from './calloff.js';
import type { NotTopReason, TookPart } from './choice.js';

/**
 * What happens after a call-off closes: blind quality evaluation, the person's choice, the
 * manager's decision, the award (or the cascade and an off-contract placement). All of it lives
 * on the request, so one read gives a report everything it needs.
 */

/** The social worker's scoring of one bid. Blind: it is known by its label, never by provider or price. */
export interface BidEvaluation {
  bidId: string;
  /** "A", "B", … in an order that says nothing about who bid or when. */
  label: string;
  /** The bid version that was scored (the last one at the deadline). */
  version: number;
  scores?: Record<string, number>;
  comments?: Record<string, string>;
  meetsNeeds?: boolean;
  needsNote?: string;
  lockedAt?: string;
  lockedBy?: string;
}

export interface Evaluation {
  /** 1 for the call-off, 2 for the cascade round to neighbouring zones. */
  round: number;
  startedAt: string;
  bids: BidEvaluation[];
  /** When the last score was locked and prices were revealed. */
  revealedAt?: string;
  /** Bids taken out of the choice (the provider declined the award). */
  excluded: { bidId: string; why: string; at: string }[];
}

/** The person's (or carers') choice, recorded by the social worker. */
export interface Choice {
  /** 1, 2, …: each choice goes for approval once; approval cards carry it, so a stale card is refused. */
  n: number;
  bidId: string;
  providerId: string;
  /** The top-ranked bid when the choice was made, and why the person chose another (grouped, and in words). */
  topBidId?: string;
  reason?: string;
  reasonCategory?: NotTopReason;
  /** Who took part, and the person's reasons in their own words (absent on choices from before issue 17). */
  tookPart?: TookPart[];
  personWords?: string;
  /** Whether a choice pack had been produced for this round before the choice was made. */
  packUsed?: boolean;
  /** Sequential offer: the first acceptance that met the request, put forward without competition scoring. */
  sequential?: boolean;
  by: string;
  at: string;
}

/** A choice pack produced for the person (it names them: it goes to council staff only). */
export interface ChoicePackRecord {
  round: number;
  at: string;
  by: string;
  /** The bids it covered (those that met the person's needs). */
  bidIds: string[];
}

export interface Decision {
  n: number;
  outcome: 'approved' | 'rejected';
  by: string;
  byName: string;
  at: string;
  /** Why it was rejected (required), or a note with an approval. */
  reason?: string;
  /** Why an over-budget award is approved (required when over budget). */
  justification?: string;
  /** The absent approver the decider stood in for ("approved by X for Y"), and the decider's level. */
  forId?: string;
  forName?: string;
  level?: string;
}

/**
 * An off-contract placement as recorded by a broker: it is a spending decision, so it waits for an
 * approver before it becomes the award (src/app/approvals/).
 */
export interface Placement {
  n: number;
  providerName: string;
  weeklyPrice: number;
  reason: string;
  recordedBy: string;
  recordedAt: string;
  status: 'awaiting_approval' | 'approved' | 'rejected';
  decidedBy?: string;
  decidedByName?: string;
  forName?: string;
  decidedAt?: string;
  decisionNote?: string;
}

/**
 * An award, on or off the framework. Reports read `request.award`: provider, weekly price,
 * budget, whether it is off-contract and when it was approved and accepted.
 */
export interface Award {
  offContract: boolean;
  /** offered: approved and waiting for the provider; accepted: placed; declined: see request.declinedAwards; placed: off-contract. */
  status: 'offered' | 'accepted' | 'declined' | 'placed';
  bidId?: string;
  providerId?: string;
  providerName: string;
  weeklyPrice: number;
  hourlyRate?: number;
  budgetWeekly: number;
  overBudget: boolean;
  unsustainable?: boolean;
  /** Exact scores of the winning bid (competition only). */
  total?: number;
  qualityScore?: number;
  priceScore?: number;
  bids: number;
  choiceN?: number;
  approvedBy?: string;
  approvedAt?: string;
  justification?: string;
  offeredAt?: string;
  acceptedAt?: string;
  acceptedBy?: string;
  declinedAt?: string;
  declinedBy?: string;
  declineReason?: string;
  /** Off-contract placements: why, who recorded it, when. */
  reason?: string;
  recordedBy?: string;
  recordedAt?: string;
}

/** The cascade round lives with the call-off it extends (src/domain/calloff.ts). */
export type { Cascade } from './calloff.js';

/** Offered the cascade (no compliant bid, or every award declined), and why. */
export interface CascadeOffer {
  at: string;
  why: string;
  /** 'round' when the neighbouring-zone round is next, 'off-contract' when only a placement is left. */
  next: 'round' | 'off-contract';
}

/** Blind labels: a stable, meaningless order (a hash of ref and bid), so the letter hides who and when. */
export function blindLabels(ref: string, bidIds: string[]): Map<string, string> {
  const order = [...bidIds].sort((a, b) => hash(`${ref}|${a}`).localeCompare(hash(`${ref}|${b}`)));
  return new Map(order.map((id, i) => [id, label(i)]));
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const label = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : `${label(Math.floor(i / 26) - 1)}${String.fromCharCode(65 + (i % 26))}`);

/** In the cascade round only the neighbouring-zone providers may bid; before it, everyone offered. */
export function inCurrentRound(calloff: Pick<CallOff, 'cascade'>, providerId: string): boolean {
  return !calloff.cascade || calloff.cascade.providerIds.includes(providerId);
}
