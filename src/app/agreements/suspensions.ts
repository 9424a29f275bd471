import type { Agreement, Suspension } from '../../domain/agreement.js';
import { current, EndInput, SuspensionInput } from '../../domain/agreement.js';
import { daysBetween } from '../../domain/agreementRules.js';
import type { BrokerageStore } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { requirePermission, type Who } from '../actor.js';
import { tellUsers } from '../calloffs/messages.js';
import { conflict, invalid, parseOrThrow } from '../errors.js';
import { checkCouncil, checkLastDay, checkNotEnded, councilTeam, loadAgreementTx, rulesFor, rulesTx, withVersion } from './load.js';
import { disarmAll } from './schedule.js';
import { lapseVariations } from './variations.js';

/**
 * A suspension (a hospital stay, respite): the days come out of the plan and earn the council's
 * retainer instead (agreementRules.retainerFor). Dates are inclusive; suspensions never overlap.
 */
export async function recordSuspension(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<{ agreement: Agreement; suspension: Suspension; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'agreement.manage');
  const input = parseOrThrow(SuspensionInput, raw);
  if (input.to < input.from) throw invalid({ to: 'the last day must be on or after the first day' });
  if (daysBetween(input.from, input.to) > 365) throw invalid({ to: 'a suspension longer than a year is an ending; end the package instead' });
  return store.transact({ actor: user.id, action: 'agreement.suspend' }, async (tx) => {
    const a = await loadAgreementTx(tx, ref);
    checkCouncil(tx, user, a);
    const same = a.suspensions.find((s) => s.from === input.from && s.to === input.to && s.reason.startsWith(input.kind));
    if (same) return { agreement: a, suspension: same, unchanged: true };
    checkNotEnded(a);
    const v = current(a);
    if (a.status !== 'active') throw conflict(`${a.ref} has not started yet (the provider has not confirmed the start).`);
    if (input.from < v.startDate) throw invalid({ from: `the suspension cannot begin before the start (${v.startDate})` });
    const clash = a.suspensions.find((s) => s.from <= input.to && input.from <= s.to);
    if (clash) throw invalid({ from: `it overlaps the ${clash.reason} suspension ${clash.from} to ${clash.to}` });
    const rules = rulesFor(a, await rulesTx(tx));
    const suspension: Suspension = { id: `s${a.suspensions.length + 1}`, reason: input.note ? `${input.kind}: ${input.note}` : input.kind, from: input.from, to: input.to, by: user.id, at: now.toISOString() };
    const next: Agreement = {
      ...withVersion(a, 'suspension', {}, { by: user.id, at: now.toISOString(), summary: `Suspended ${input.from} to ${input.to} (${input.kind}); retainer ${rules.retainerPct}% for up to ${rules.retainerWeeks} weeks`, reason: suspension.reason }),
      suspensions: [...a.suspensions, suspension],
    };
    tx.put('agreements', next);
    if (a.providerId) await enqueue(tx, now, { id: `agr-suspended:${a.ref}:${suspension.id}`, target: { providerId: a.providerId }, message: { kind: 'agreement.suspended', ref: a.ref, suspension: suspension.id } });
    await tellUsers(tx, now, (await councilTeam(tx, a)).filter((id) => id !== user.id), `agr-suspended:${a.ref}:${suspension.id}`, { kind: 'agreement.suspended', ref: a.ref, suspension: suspension.id });
    return { agreement: next, suspension, unchanged: false };
  });
}

/**
 * Ends the package with a reason (the person moved, needs changed, died). The last day's period
 * still asks for its return; reminders of reviews stop.
 */
export async function endAgreement(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<{ agreement: Agreement; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'agreement.manage');
  const input = parseOrThrow(EndInput, raw);
  return store.transact({ actor: user.id, action: 'agreement.end' }, async (tx) => {
    const a = await loadAgreementTx(tx, ref);
    checkCouncil(tx, user, a);
    if (a.status === 'ended' && a.ending?.on === input.on && a.ending.kind === 'ended') return { agreement: a, unchanged: true };
    checkNotEnded(a);
    checkLastDay(a, rulesFor(a, await rulesTx(tx)), input.on);
    const next = await lapseVariations(tx, endTx(a, { on: input.on, reason: input.reason, kind: 'ended', by: user.id, at: now.toISOString() }), now);
    tx.put('agreements', next);
    // Reviews stop; the period job runs on to the period holding the last day, then stops.
    await disarmAll(tx, next);
    if (a.providerId) await enqueue(tx, now, { id: `agr-ended:${a.ref}`, target: { providerId: a.providerId }, message: { kind: 'agreement.ended', ref: a.ref } });
    await tellUsers(tx, now, (await councilTeam(tx, a)).filter((id) => id !== user.id), `agr-ended:${a.ref}`, { kind: 'agreement.ended', ref: a.ref });
    return { agreement: next, unchanged: false };
  });
}

/** The ending as a version: the end date is the last day anything is planned or payable. */
export function endTx(a: Agreement, ending: NonNullable<Agreement['ending']>): Agreement {
  return {
    ...withVersion(a, ending.kind, { endDate: ending.on }, { by: ending.by, at: ending.at, summary: `${ending.kind === 'ended' ? 'Ended' : ending.kind === 'handed back' ? 'Handed back by the provider' : 'Re-brokered'}: last day ${ending.on}`, reason: ending.reason }),
    status: 'ended',
    ending,
  };
}
