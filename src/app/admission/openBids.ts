import type { Collections } from '../../store/collections.js';
import type { Tx } from '../../store/store.js';

/** What the commissioner chose for a suspended (or departing) provider's bids on open call-offs. */
export const OPEN_BIDS_CHOICES = ['keep', 'withdraw'] as const;
export type OpenBidsChoice = (typeof OPEN_BIDS_CHOICES)[number];

export interface OpenBidsInput {
  providerId: string;
  choice: OpenBidsChoice;
  reason: string;
  by: string;
  at: string;
}

/**
 * HOOK for call-offs and bids. Runs inside the transaction that suspends a provider or records
 * that it left, after the commissioner's choice has been noted in the audit log. When bids exist,
 * "withdraw" withdraws the provider's bids on call-offs that are still open (each keeps its
 * history, reason "provider suspended: <reason>") and returns how many; "keep" leaves them to be
 * scored. Until then there are no bids to touch, so it reports none.
 */
export function handleOpenBids(_tx: Tx<Collections>, _input: OpenBidsInput): { kept: number; withdrawn: number } {
  return { kept: 0, withdrawn: 0 };
}
