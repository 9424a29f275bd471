import type { Agreement, ReviewFlag } from '../../domain/agreement.js';
import type { BrokerageTx } from '../../store/collections.js';
import { tellUsers } from '../calloffs/messages.js';
import { councilTeam } from './load.js';

/**
 * "Review needed": kept on the agreement (the report lists open ones) and sent to the social
 * worker and the brokers with the figures. The flag's id makes a repeat send nothing new.
 */
export async function raiseReview(tx: BrokerageTx, a: Agreement, flag: Omit<ReviewFlag, 'at'>, now: Date): Promise<Agreement> {
  if (a.reviews.some((r) => r.id === flag.id)) return a;
  const next: Agreement = { ...a, reviews: [...a.reviews, { ...flag, at: now.toISOString() }], updatedAt: now.toISOString() };
  tx.put('agreements', next);
  await tellUsers(tx, now, await councilTeam(tx, a), `agr-review:${a.ref}:${flag.id}`, { kind: 'agreement.review', ref: a.ref, flag: flag.id });
  return next;
}
