import type { Agreement, ContractRules, Variation } from '../../domain/agreement.js';
import { agreementId, current } from '../../domain/agreement.js';
import { addDays, type Settlement } from '../../domain/agreementRules.js';
import { ukDate } from '../../domain/dates.js';
import type { User } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import { loadUser, NO_ROLE_MESSAGE, type Who } from '../actor.js';
import { forbidden, notFound } from '../errors.js';
import { can } from '../permissions.js';
import { refOf, rulesFor, rulesOf } from './load.js';
import { settlementsOf } from './settlement.js';

/**
 * The agreement as one person may see it. A provider user sees only its own organisation's
 * agreement and nothing the accepted provider did not already hold (no budget, no finance codes,
 * no review notes); council staff see it all.
 */
export interface AgreementView {
  audience: 'council' | 'provider';
  agreement: Agreement;
  rules: ContractRules;
  /** Settled periods that have ended, oldest first. */
  periods: Settlement[];
  /** Ended periods with no return yet (a provider's next return). */
  owed: string[];
  pending?: Variation;
  /** Council staff who may change it (the owner or a broker). */
  canManage: boolean;
  canRebroker: boolean;
}

export async function agreementView(store: BrokerageStore, who: Who, refText: string, now: Date): Promise<AgreementView> {
  const user = await loadUser(store, who);
  if (!user) throw forbidden(NO_ROLE_MESSAGE);
  const ref = refOf(refText);
  const a = await store.get('agreements', agreementId(ref));
  if (!a) throw notFound(`${ref} has no service agreement (it becomes one when the provider accepts the award).`);
  const provider = !!user.providerId;
  if (provider ? a.providerId !== user.providerId : !can(user, 'agreement.view')) throw forbidden(`${ref} is not ${provider ? "your organisation's package" : 'open to your role'}.`);
  return buildView(a, await rulesOf(store), now, provider ? 'provider' : 'council', user);
}

/**
 * The agreement alone, to redraw a form after a refusal or for a council form whose verb the
 * route's permission already guards (no per-user check here, as before).
 */
export async function agreementOf(store: BrokerageStore, refText: string): Promise<Agreement> {
  const a = await store.get('agreements', agreementId(refOf(refText)));
  if (!a) throw notFound(`${refText} has no service agreement.`);
  return a;
}

/** The view for an audience; messages rendered by the outbox use it with no acting user. */
export function buildView(a: Agreement, councilRules: ContractRules, now: Date, audience: AgreementView['audience'], user?: User): AgreementView {
  const rules = rulesFor(a, councilRules);
  const yesterday = addDays(ukDate(now), -1);
  const v = current(a);
  const started = a.status !== 'awaiting_start' && yesterday >= v.startDate;
  const periods = started ? settlementsOf(a, rules, yesterday).filter((p) => p.end <= yesterday) : [];
  const council = audience === 'council' && !!user;
  return {
    audience,
    agreement: a,
    rules,
    periods,
    owed: a.offContract ? [] : periods.filter((p) => p.delivered === undefined).map((p) => p.start),
    pending: a.variations.find((x) => x.status === 'awaiting_approval' || x.status === 'awaiting_agreement'),
    canManage: council && can(user, 'agreement.manage') && (a.owner === user.id || can(user, 'request.manage')),
    canRebroker: council && a.offContract && a.status !== 'ended' && can(user, 'calloff.manage'),
  };
}

/** Periods a return can be made for, those still owed first, then the rest (a correction). */
export function returnChoices(v: AgreementView): { start: string; end: string; planned: number }[] {
  const rows = v.periods.map((p) => ({ start: p.start, end: p.end, planned: p.plannedHours }));
  return [...rows.filter((p) => v.owed.includes(p.start)), ...rows.filter((p) => !v.owed.includes(p.start)).reverse()];
}
