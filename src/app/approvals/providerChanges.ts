import type { Agreement, ContractRules, Variation } from '../../domain/agreement.js';
import { addDays } from '../../domain/agreementRules.js';
import { formatUk, ukDate } from '../../domain/dates.js';
import type { BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { tellUsers } from '../calloffs/messages.js';
import { invalid } from '../errors.js';
import { councilTeam } from '../agreements/load.js';

/**
 * A provider cannot cut care on its own: a change that reduces the person's hours or ends the
 * package earlier (domain/variationApproval.ts decides which) needs the social worker's (or a
 * broker's) agreement before anything applies, and a hand-back gives the council the contractual
 * notice.
 */

const consentKey = (ref: string, n: number) => `agr-variation-consent:${ref}:${n}`;

/** The social worker and the brokers get the provider's cut as a card: agree or decline. */
export async function askCouncil(tx: BrokerageTx, a: Agreement, v: Variation, now: Date): Promise<void> {
  await tellUsers(tx, now, await councilTeam(tx, a), consentKey(a.ref, v.n), { kind: 'agreement.variation.consent', ref: a.ref, n: v.n });
}

/** Once answered, every copy of that card shows the answer and loses its buttons. */
export async function answerCards(tx: BrokerageTx, a: Agreement, v: Variation, now: Date): Promise<void> {
  for (const id of await councilTeam(tx, a)) {
    const post = await tx.get('outbox', `${consentKey(a.ref, v.n)}:${id}`);
    if (post) await enqueue(tx, now, { id: `${post.id}:answered`, target: post.target, message: post.message, updates: post.id });
  }
}

/** A hand-back's last day: no earlier than the contractual notice from today. */
export function checkHandBackNotice(rules: Pick<ContractRules, 'handBackNoticeDays'>, lastDay: string, now: Date): void {
  const earliest = addDays(ukDate(now), rules.handBackNoticeDays);
  if (lastDay < earliest) throw invalid({ on: `the contract gives the council ${rules.handBackNoticeDays} days' notice of a hand-back: the last day can be no earlier than ${formatUk(`${earliest}T12:00:00Z`, false)}` });
}
