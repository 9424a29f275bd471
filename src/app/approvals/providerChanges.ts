import type { Agreement, AgreementVersion, ContractRules, Element, Variation } from '../../domain/agreement.js';
import { addDays, daysBetween, hoursOf } from '../../domain/agreementRules.js';
import { levelFor, variationAmounts } from '../../domain/approvals.js';
import { formatUk, ukDate } from '../../domain/dates.js';
import type { BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { tellUsers } from '../calloffs/messages.js';
import { invalid } from '../errors.js';
import { councilTeam } from '../agreements/load.js';
import { schemeTx } from './scheme.js';

/**
 * A provider cannot cut care on its own: a change that reduces the person's hours or ends the
 * package earlier needs the social worker's (or a broker's) agreement before anything applies, and
 * a hand-back gives the council the contractual notice. Rises are decided under the scheme of
 * delegation like any spending decision.
 */

/** Why a provider's change cuts care (fewer hours a week, or an earlier end), or undefined. */
export function providerCut(prev: Pick<AgreementVersion, 'hoursPerWeek' | 'endDate'>, elements: Element[], endDate?: string): string | undefined {
  const parts: string[] = [];
  const after = hoursOf(elements);
  if (after < prev.hoursPerWeek) parts.push(`it cuts the hours from ${prev.hoursPerWeek} to ${after} a week`);
  if (endDate && (!prev.endDate || endDate < prev.endDate)) parts.push(`it ends the package on ${endDate}${prev.endDate ? `, before ${prev.endDate}` : ''}`);
  return parts.length ? parts.join(' and ') : undefined;
}

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

const weeksTo = (from: string, end?: string) => (end ? Math.max(0, (daysBetween(from, end) + 1) / 7) : undefined);

/**
 * A rise that the scheme of delegation puts above its first level needs approval at its level,
 * whatever the contract rules' threshold says: the new weekly cost and the commitment it adds.
 */
export async function delegationReasons(tx: BrokerageTx, a: Agreement, before: number, after: number, effectiveFrom: string, endDate?: string): Promise<string[]> {
  if (after <= before) return [];
  const prev = a.versions.at(-1)!;
  const s = await schemeTx(tx);
  const need = levelFor(s, variationAmounts(before, after, weeksTo(effectiveFrom, prev.endDate), weeksTo(effectiveFrom, endDate || prev.endDate)));
  return need.index > 0 ? [`it needs ${s.levels[need.index].name} approval (${need.why.join('; ')})`] : [];
}

/** A hand-back's last day: no earlier than the contractual notice from today. */
export function checkHandBackNotice(rules: Pick<ContractRules, 'handBackNoticeDays'>, lastDay: string, now: Date): void {
  const earliest = addDays(ukDate(now), rules.handBackNoticeDays);
  if (lastDay < earliest) throw invalid({ on: `the contract gives the council ${rules.handBackNoticeDays} days' notice of a hand-back: the last day can be no earlier than ${formatUk(`${earliest}T12:00:00Z`, false)}` });
}
