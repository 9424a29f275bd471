import type { BrokerageTx } from '../../store/collections.js';
import { refreshProviderCard } from '../calloffs/messages.js';
import { bidId, type Bid } from '../../domain/calloff.js';

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
 * Runs inside the transaction that suspends a provider or records that it left, after the
 * commissioner's choice has been noted in the audit log. "withdraw" withdraws the provider's bids
 * on call-offs that are still open (each keeps its versions, with the reason) and refreshes its
 * cards; "keep" leaves them to be scored.
 */
export async function handleOpenBids(tx: BrokerageTx, input: OpenBidsInput): Promise<{ kept: number; withdrawn: number }> {
  // Through the open call-offs, not every bid ever made: at a county's scale that is years of files.
  const bids = await Promise.all((await tx.openCallOffs()).map((r) => tx.get('bids', bidId(r.id, input.providerId))));
  const open = bids.filter((b): b is Bid => b?.status === 'active');
  if (input.choice === 'keep') return { kept: open.length, withdrawn: 0 };
  const now = new Date(input.at);
  for (const bid of open) {
    tx.put('bids', { ...bid, status: 'withdrawn', withdrawnAt: input.at, withdrawnReason: `withdrawn by the council: ${input.reason}` });
    await refreshProviderCard(tx, now, (await tx.get('requests', bid.ref))!, input.providerId, `withdrawn-by-council-${bid.versions.length}`);
  }
  return { kept: 0, withdrawn: open.length };
}
