import type { Agreement, AgreementStatus, ContractRules, Element, Ending, MoneyRules, Variation } from '../../domain/agreement.js';
import { agreementId, current, isWaiting, notAgreed, SUSPENSION_REASONS } from '../../domain/agreement.js';
import { termsChange } from '../../domain/agreementRules.js';
import type { BrokerageStore } from '../../store/collections.js';
import type { Who } from '../actor.js';
import { providerUser } from '../calloffs/access.js';
import { forbidden, notFound } from '../errors.js';
import { refOf, rulesFor, rulesOf } from './load.js';
import { periodsSoFar, type PeriodsSoFar } from './settlement.js';

/**
 * What the accepted provider may see of its agreement: an allow-list, as the call-off's
 * ProviderProfile is, so a field added to the agreement later stays with the council until
 * someone decides otherwise. There is no personal budget, finance code, review date, council note
 * or review here to leak; the history is written from the terms themselves, never from the
 * council's summary lines. Everything bound for a provider's channel about an agreement (cards,
 * forms, answers, posts) is drawn from this.
 */

export interface ProviderTerms {
  startDate: string;
  endDate?: string;
  hoursPerWeek: number;
  weeklyCost: number;
  elements: Element[];
}

/**
 * A variation as the provider sees it: why it waits for approval only in words a provider may
 * read, and whether the council declined its cut; not who the approvers were or at which level.
 */
export interface ProviderVariation extends Pick<Variation, 'n' | 'effectiveFrom' | 'elements' | 'endDate' | 'reason' | 'weeklyBefore' | 'weeklyAfter' | 'status' | 'decidedByName' | 'decisionNote'> {
  reasons: string[];
  notAgreed: boolean;
}

export type SuspensionKind = (typeof SUSPENSION_REASONS)[number];

/** One change to the agreement the provider is party to; the council's own (review date, finance codes) are not among them. */
export type ProviderHistory = { at: string } & (
  | { change: 'created'; hoursPerWeek: number; weeklyCost: number }
  | { change: 'start confirmed'; startDate: string }
  | { change: 'variation'; effectiveFrom: string; what: string; weeklyCost: number; reason?: string }
  | { change: 'suspension'; from: string; to: string; kind: SuspensionKind }
  | { change: Ending['kind']; on: string; reason?: string }
);

export interface ProviderAgreement {
  ref: string;
  providerName: string;
  status: AgreementStatus;
  proposedStart: string;
  terms: ProviderTerms;
  /** The kind of each suspension only: the council's note stays with the council. */
  suspensions: { id: string; from: string; to: string; kind: SuspensionKind }[];
  variations: ProviderVariation[];
  /** The reason only for the provider's own hand-back. */
  ending?: { on: string; kind: Ending['kind']; reason?: string };
  history: ProviderHistory[];
  /** The periods (by first day) already returned. */
  returned: string[];
}

/** The council's rules a provider works under: its agreement's money rules, the approval threshold its form names and the hand-back notice. */
export type ProviderRules = MoneyRules & Pick<ContractRules, 'variationThreshold' | 'handBackNoticeDays'>;

export interface ProviderAgreementView extends PeriodsSoFar {
  audience: 'provider';
  agreement: ProviderAgreement;
  rules: ProviderRules;
  pending?: ProviderVariation;
}

export const termsOf = (a: Agreement): ProviderTerms => {
  const c = current(a);
  return { startDate: c.startDate, endDate: c.endDate, hoursPerWeek: c.hoursPerWeek, weeklyCost: c.weeklyCost, elements: c.elements };
};

/** The kind of a suspension from its recorded reason ("hospital stay: <council note>"): one of the fixed kinds, never the note. */
const kindOf = (reason: string): SuspensionKind => SUSPENSION_REASONS.find((k) => reason === k || reason.startsWith(`${k}:`)) ?? 'other';

const variationOf = (x: Variation): ProviderVariation => ({
  n: x.n,
  effectiveFrom: x.effectiveFrom,
  elements: x.elements,
  endDate: x.endDate,
  reason: x.reason,
  weeklyBefore: x.weeklyBefore,
  weeklyAfter: x.weeklyAfter,
  status: x.status,
  decidedByName: x.decidedByName,
  decisionNote: x.decisionNote,
  reasons: x.providerReasons ?? [],
  notAgreed: notAgreed(x),
});

function historyOf(a: Agreement): ProviderHistory[] {
  let suspensions = 0;
  return a.versions.flatMap((v, i): ProviderHistory[] => {
    const at = v.at;
    switch (v.change) {
      case 'created':
        return [{ at, change: 'created', hoursPerWeek: v.hoursPerWeek, weeklyCost: v.weeklyCost }];
      case 'start confirmed':
        return [{ at, change: 'start confirmed', startDate: v.startDate }];
      case 'variation':
        return [{ at, change: 'variation', effectiveFrom: v.effectiveFrom, what: termsChange(a.versions[i - 1] ?? v, v), weeklyCost: v.weeklyCost, reason: v.reason }];
      case 'suspension': {
        // Each suspension is recorded with its version, in the same order.
        const s = a.suspensions[suspensions++];
        return s ? [{ at, change: 'suspension', from: s.from, to: s.to, kind: kindOf(s.reason) }] : [];
      }
      case 'terms':
        return []; // the council's own: the review date and finance codes
      default:
        return [{ at, change: v.change, on: v.endDate ?? '', reason: v.change === 'handed back' ? v.reason : undefined }];
    }
  });
}

export function providerAgreement(a: Agreement): ProviderAgreement {
  return {
    ref: a.ref,
    providerName: a.providerName,
    status: a.status,
    proposedStart: a.proposedStart,
    terms: termsOf(a),
    suspensions: a.suspensions.map((s) => ({ id: s.id, from: s.from, to: s.to, kind: kindOf(s.reason) })),
    variations: a.variations.map(variationOf),
    ending: a.ending && { on: a.ending.on, kind: a.ending.kind, reason: a.ending.kind === 'handed back' ? a.ending.reason : undefined },
    history: historyOf(a),
    returned: a.returns.map((r) => r.periodStart),
  };
}

/** The provider's view; messages rendered by the outbox use it too. */
export function providerView(a: Agreement, councilRules: ContractRules, now: Date): ProviderAgreementView {
  const rules = rulesFor(a, councilRules);
  const agreement = providerAgreement(a);
  return {
    audience: 'provider',
    agreement,
    rules: { period: rules.period, tolerancePct: rules.tolerancePct, bankMaxHours: rules.bankMaxHours, bankMaxWeeks: rules.bankMaxWeeks, retainerPct: rules.retainerPct, retainerWeeks: rules.retainerWeeks, variationThreshold: rules.variationThreshold, handBackNoticeDays: rules.handBackNoticeDays },
    ...periodsSoFar(a, rules, now),
    pending: agreement.variations.find(isWaiting),
  };
}

/** A provider user's view of its own organisation's agreement; any other is refused. */
export async function providerAgreementView(store: BrokerageStore, who: Who, refText: string, now: Date): Promise<ProviderAgreementView> {
  const user = await providerUser(store, who);
  const ref = refOf(refText);
  const a = await store.get('agreements', agreementId(ref));
  if (!a) throw notFound(`${ref} has no service agreement (it becomes one when the provider accepts the award).`);
  if (a.providerId !== user.providerId) throw forbidden(`${ref} is not your organisation's package.`);
  return providerView(a, await rulesOf(store), now);
}
