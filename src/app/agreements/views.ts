import type { Agreement, ContractRules, Variation } from '../../domain/agreement.js';
import { agreementId, isWaiting } from '../../domain/agreement.js';
import type { User } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import { loadUser, NO_ROLE_MESSAGE, type Who } from '../actor.js';
import { forbidden, notFound } from '../errors.js';
import { can } from '../permissions.js';
import { refOf, rulesFor, rulesOf } from './load.js';
import { providerView, type ProviderAgreementView } from './providerView.js';
import { periodsSoFar, type PeriodsSoFar } from './settlement.js';

/**
 * The agreement as one person may see it. Council staff see it all (budget, finance codes, review
 * notes, the council's history); a provider user sees only its own organisation's agreement,
 * through the allow-listed provider view (providerView.ts), which holds none of those.
 */
export interface CouncilAgreementView extends PeriodsSoFar {
  audience: 'council';
  agreement: Agreement;
  rules: ContractRules;
  pending?: Variation;
  /** Council staff who may change it (the owner or a broker). */
  canManage: boolean;
  canRebroker: boolean;
}

export type AgreementView = CouncilAgreementView | ProviderAgreementView;

export async function agreementView(store: BrokerageStore, who: Who, refText: string, now: Date): Promise<AgreementView> {
  const user = await loadUser(store, who);
  if (!user) throw forbidden(NO_ROLE_MESSAGE);
  const ref = refOf(refText);
  const a = await store.get('agreements', agreementId(ref));
  if (!a) throw notFound(`${ref} has no service agreement (it becomes one when the provider accepts the award).`);
  const provider = !!user.providerId;
  if (provider ? a.providerId !== user.providerId : !can(user, 'agreement.view')) throw forbidden(`${ref} is not ${provider ? "your organisation's package" : 'open to your role'}.`);
  return provider ? providerView(a, await rulesOf(store), now) : councilView(a, await rulesOf(store), now, user);
}

/**
 * The agreement alone, for a council form whose verb the route's permission already guards (no
 * per-user check here). Never for a provider-bound card: those come from providerView.
 */
export async function agreementOf(store: BrokerageStore, refText: string): Promise<Agreement> {
  const a = await store.get('agreements', agreementId(refOf(refText)));
  if (!a) throw notFound(`${refText} has no service agreement.`);
  return a;
}

/** The council's view; messages rendered by the outbox use it with no acting user. */
export function councilView(a: Agreement, councilRules: ContractRules, now: Date, user?: User): CouncilAgreementView {
  const rules = rulesFor(a, councilRules);
  const council = !!user;
  return {
    audience: 'council',
    agreement: a,
    rules,
    ...periodsSoFar(a, rules, now),
    pending: a.variations.find(isWaiting),
    canManage: council && can(user, 'agreement.manage') && (a.owner === user.id || can(user, 'request.manage')),
    canRebroker: council && a.offContract && a.status !== 'ended' && can(user, 'calloff.manage'),
  };
}

/** Periods a return can be made for, those still owed first, then the rest (a correction). */
export function returnChoices(v: PeriodsSoFar): { start: string; end: string; planned: number }[] {
  const rows = v.periods.map((p) => ({ start: p.start, end: p.end, planned: p.plannedHours }));
  return [...rows.filter((p) => v.owed.includes(p.start)), ...rows.filter((p) => !v.owed.includes(p.start)).reverse()];
}
