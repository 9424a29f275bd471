import type { Agreement } from '../../domain/agreement.js';
import { EndInput } from '../../domain/agreement.js';
import { ukDate } from '../../domain/dates.js';
import { formatRef, type PackageRequest } from '../../domain/request.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { requirePermission, type Who } from '../actor.js';
import { providerUser } from '../calloffs/access.js';
import { tellUsers } from '../calloffs/messages.js';
import { conflict, parseOrThrow } from '../errors.js';
import { checkCouncil, checkLastDay, checkNotEnded, checkProvider, councilTeam, loadAgreementTx, rulesFor, rulesTx } from './load.js';
import { checkHandBackNotice } from '../approvals/providerChanges.js';
import { disarmAll } from './schedule.js';
import { endTx } from './suspensions.js';
import { lapseVariations } from './variations.js';

/**
 * A new draft request from the old one, pre-filled with the person, the checklist and the
 * package, owned by the same social worker. It stays a council-only draft (the person's details
 * are private as on any request) until the social worker sets a new start and deadline and
 * submits it; the call-off then goes out anonymised as usual.
 */
async function restart(tx: BrokerageTx, from: PackageRequest, now: Date): Promise<PackageRequest> {
  const year = Number(ukDate(now).slice(0, 4));
  const counter = await tx.get('counters', `PKG-${year}`) ?? { id: `PKG-${year}`, value: 0 };
  tx.put('counters', { ...counter, value: counter.value + 1 });
  const r: PackageRequest = {
    id: formatRef(year, counter.value + 1),
    state: 'draft',
    owner: from.owner,
    ownerName: from.ownerName,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    // The package step: its start date and deadline are the ones that must change.
    step: 'package',
    inputs: structuredClone(from.inputs),
    person: from.person,
    checklist: from.checklist,
    package: from.package,
  };
  tx.put('requests', r);
  tx.note('agreement.restarted', { from: from.id, to: r.id });
  return r;
}

async function handOver(tx: BrokerageTx, a: Agreement, kind: 'handed back' | 're-brokered', on: string, reason: string, by: string, now: Date): Promise<{ agreement: Agreement; next: PackageRequest }> {
  const rules = rulesFor(a, await rulesTx(tx));
  // Never before the start or a returned week's end; a provider's hand-back also gives the
  // contract's notice (src/app/approvals/). The first rule speaks first: it is about the dates themselves.
  checkLastDay(a, rules, on);
  if (kind === 'handed back') checkHandBackNotice(rules, on, now);
  const old = await tx.get('requests', a.ref);
  if (!old) throw conflict(`${a.ref}'s request is missing.`);
  const next = await restart(tx, old, now);
  const ended = await lapseVariations(tx, endTx(a, { on, reason, kind, by, at: now.toISOString(), nextRef: next.id }), now);
  tx.put('agreements', ended);
  await disarmAll(tx, ended);
  await tellUsers(tx, now, await councilTeam(tx, a), `agr-handover:${a.ref}`, { kind: 'agreement.handover', ref: a.ref, next: next.id });
  return { agreement: ended, next };
}

/** The provider hands the package back (with a last day and reason): a new call-off starts from the same request. */
export async function handBack(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<{ agreement: Agreement; nextRef: string; unchanged: boolean }> {
  const user = await providerUser(store, who);
  const input = parseOrThrow(EndInput, raw);
  return store.transact({ actor: user.id, action: 'agreement.handback' }, async (tx) => {
    const a = await loadAgreementTx(tx, ref);
    checkProvider(tx, user, a);
    if (a.ending?.kind === 'handed back') return { agreement: a, nextRef: a.ending.nextRef!, unchanged: true };
    checkNotEnded(a);
    const { agreement, next } = await handOver(tx, a, 'handed back', input.on, input.reason, user.id, now);
    await enqueue(tx, now, { id: `agr-ended:${a.ref}`, target: { providerId: a.providerId! }, message: { kind: 'agreement.ended', ref: a.ref } });
    return { agreement, nextRef: next.id, unchanged: false };
  });
}

/** A broker re-brokers a temporary off-contract placement to the framework: same new-request path. */
export async function rebroker(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<{ agreement: Agreement; nextRef: string; unchanged: boolean }> {
  const user = await requirePermission(store, who, 'calloff.manage');
  const input = parseOrThrow(EndInput, raw);
  return store.transact({ actor: user.id, action: 'agreement.rebroker' }, async (tx) => {
    const a = await loadAgreementTx(tx, ref);
    checkCouncil(tx, user, a);
    if (a.ending?.kind === 're-brokered') return { agreement: a, nextRef: a.ending.nextRef!, unchanged: true };
    checkNotEnded(a);
    if (!a.offContract) throw conflict(`${a.ref} is on the framework; end it, or the provider can hand it back.`);
    const { agreement, next } = await handOver(tx, a, 're-brokered', input.on, input.reason, user.id, now);
    return { agreement, nextRef: next.id, unchanged: false };
  });
}
