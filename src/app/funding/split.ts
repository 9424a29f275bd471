import { agreementId, current, type Agreement } from '../../domain/agreement.js';
import { returnedSince } from '../../domain/fundingPeriods.js';
import { elementNames, splitOn, splitProblem, SplitInput, type FundingPartner, type FundingSplit } from '../../domain/funding.js';
import type { PackageRequest } from '../../domain/request.js';
import type { User } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, forbidden, invalid, notFound, parseOrThrow } from '../errors.js';
import { can } from '../permissions.js';
import { rulesFor, rulesTx } from '../agreements/load.js';
import { raiseChange } from './approve.js';
import { z } from 'zod';

/**
 * A package's funding split (issue 24), set by the social worker who owns the request or a broker:
 * on the request before it goes for approval (a percentage; the award then waits for every funder
 * with a share), and on the service agreement from a day on (a percentage or named elements), which
 * goes to every partner whose share it changes and applies when they have all approved.
 */
export interface SplitView {
  request: PackageRequest;
  agreement?: Agreement;
  partners: FundingPartner[];
  /** The split in force (today's on an agreement), and a change still waiting for partners. */
  split?: FundingSplit;
  waiting?: FundingSplit;
  /** Why it cannot be changed now, if it cannot. */
  locked?: string;
}

function checkOwner(tx: Pick<BrokerageTx, 'note'>, user: User, r: Pick<PackageRequest, 'id' | 'owner'>): void {
  if (r.owner === user.id || can(user, 'request.manage')) return;
  tx.note('funding.refused', { ref: r.id, user: user.id, reason: 'not owner or broker' }, { keepOnAbort: true });
  throw forbidden(`${r.id} is another social worker's package; only they or a broker can set its funding.`);
}

function lockedWhy(r: PackageRequest, a?: Agreement): string | undefined {
  if (a) return a.status === 'ended' ? `${a.ref} has ended.` : a.funding?.some((s) => s.status === 'waiting') ? 'A change of funding is waiting for the partners it changes.' : undefined;
  if (r.state === 'awaiting_approval') return `${r.id} is waiting for its funders' approval; the split cannot change under them.`;
  if (r.state === 'cancelled') return `${r.id} was cancelled.`;
  if (r.state === 'awarded') return `${r.id} is awarded; its split changes on the service agreement once the provider accepts.`;
  return undefined;
}

export async function splitView(store: BrokerageStore, who: Who, ref: string, now: Date): Promise<SplitView> {
  const user = await requirePermission(store, who, 'funding.set');
  return store.transact({ actor: user.id, action: 'funding.split.view' }, async (tx) => {
    const r = await tx.get('requests', ref);
    if (!r) throw notFound(`There is no package ${ref}.`);
    checkOwner(tx, user, r);
    const a = await tx.get('agreements', agreementId(ref));
    const today = now.toISOString().slice(0, 10);
    return {
      request: r,
      agreement: a,
      partners: (await tx.list('fundingPartners')).sort((x, y) => x.name.localeCompare(y.name)),
      split: a ? splitOn(a.funding, today) : r.funding,
      waiting: a?.funding?.find((s) => s.status === 'waiting'),
      locked: lockedWhy(r, a),
    };
  });
}

const NoneInput = z.object({ reason: z.string({ required_error: 'the reason is required' }).trim().min(10, 'the reason needs at least 10 characters').max(1000), from: z.string().trim().default('') });

/** Sets (on a request) or proposes from a day (on an agreement) the split. Returns what happened, in words. */
export async function setSplit(store: BrokerageStore, who: Who, ref: string, raw: Record<string, unknown>, now: Date): Promise<{ view: SplitView; outcome: string }> {
  const user = await requirePermission(store, who, 'funding.set');
  const none = raw.partnerId === 'none';
  const input = none ? { ...parseOrThrow(NoneInput, raw), partnerId: 'none' } : parseOrThrow(SplitInput, raw);
  const outcome = await store.transact({ actor: user.id, action: 'funding.split.set' }, async (tx) => {
    const r = await tx.get('requests', ref);
    if (!r) throw notFound(`There is no package ${ref}.`);
    checkOwner(tx, user, r);
    const a = await tx.get('agreements', agreementId(ref));
    const locked = lockedWhy(r, a);
    if (locked) throw conflict(locked);
    const partner = none ? undefined : await tx.get('fundingPartners', input.partnerId);
    if (!none && !partner) throw invalid({ partnerId: 'choose a registered partner' });
    const full = input as SplitInput;
    const split: FundingSplit = {
      shares: partner ? [{ partnerId: partner.id, ...(full.shareKind === 'percent' ? { percent: full.percent } : { elements: elementNames(full.elements) }), basis: full.basis, lawfulBasis: full.lawfulBasis }] : [],
      reason: input.reason,
      by: user.id,
      byName: user.name,
      at: now.toISOString(),
    };
    if (partner && !partner.packages.includes(r.id)) tx.put('fundingPartners', { ...partner, packages: [...partner.packages, r.id] });
    if (!a) {
      if (!none && full.shareKind === 'elements') throw invalid({ shareKind: "a package's elements are set on its service agreement: on the request give a percentage (change it to elements on the agreement)" });
      const problem = none ? undefined : splitProblem(split, []);
      if (problem) throw invalid({ percent: problem });
      tx.put('requests', { ...r, funding: split.shares.length ? split : undefined, updatedAt: now.toISOString() });
      return split.shares.length ? 'Saved. When the person’s choice goes for approval, the partner is asked to approve its share too; the award is made only when every funder has approved.' : 'Saved: the council pays all of it.';
    }
    return changeOnAgreement(tx, a, split, input.from, now);
  });
  return { view: await splitView(store, who, ref, now), outcome };
}

async function changeOnAgreement(tx: BrokerageTx, a: Agreement, split: FundingSplit, fromText: string, now: Date): Promise<string> {
  if (!fromText) throw invalid({ from: 'give the first day the new split applies (YYYY-MM-DD)' });
  const v = current(a);
  if (fromText < v.startDate) throw invalid({ from: `the split cannot change before the start (${v.startDate})` });
  // Payments already made stay as they were split: a change starts after the last period returned.
  const rules = rulesFor(a, await rulesTx(tx));
  const late = returnedSince(a, rules.period, fromText);
  if (late) throw invalid({ from: `the period from ${late.returned} is already returned (and paid as split then): the new split can start after it` });
  const problem = splitProblem(split, v.elements);
  if (problem) throw invalid({ [split.shares[0]?.elements ? 'elements' : 'percent']: problem });
  const n = (a.funding?.filter((s) => s.n).length ?? 0) + 1;
  const change: FundingSplit = { ...split, from: fromText, n, status: 'waiting' };
  const withChange: Agreement = { ...a, funding: [...(a.funding ?? []), change], updatedAt: now.toISOString() };
  const partners = await raiseChange(tx, withChange, change, now);
  if (!partners.length) {
    tx.put('agreements', { ...withChange, funding: withChange.funding!.map((s) => (s.n === n ? { ...s, status: undefined } : s)) });
    return `Saved: the split applies from ${fromText} (no partner's share changes, so none needs to approve).`;
  }
  tx.put('agreements', withChange);
  return `Sent to ${partners.join(' and ')} to approve: their share changes from ${fromText}. The split in force stays until they have.`;
}
