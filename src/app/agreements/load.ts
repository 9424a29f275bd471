import type { Agreement, AgreementVersion, ContractRules } from '../../domain/agreement.js';
import { agreementId, CONTRACT_RULES_ID, current, DEFAULT_RULES } from '../../domain/agreement.js';
import type { User } from '../../domain/framework.js';
import type { BrokerageStore, BrokerageTx } from '../../store/collections.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors.js';
import { lastDayProblem } from '../../domain/agreementRules.js';
import { can } from '../permissions.js';
import { REQUEST_REF } from '../../domain/request.js';

/** Shared lookups of the agreement use cases: the agreement, the rules, who may act on it. */

export function refOf(text: string): string {
  const ref = text.trim().toUpperCase().replace(/^AGR-/, '');
  if (!REQUEST_REF.test(ref)) throw new AppError('invalid', 'A package reference looks like PKG-2026-0042.', { ref: 'a package reference looks like PKG-2026-0042' });
  return ref;
}

export const rulesTx = async (tx: Pick<BrokerageTx, 'get'>): Promise<ContractRules> => await tx.get('contractRules', CONTRACT_RULES_ID) ?? DEFAULT_RULES;
export const rulesOf = async (store: BrokerageStore): Promise<ContractRules> => (await store.get('contractRules', CONTRACT_RULES_ID)) ?? DEFAULT_RULES;
/** The rules as they apply to one agreement: its own money rules, the council's current rest (reminders, thresholds). */
export const rulesFor = (a: Pick<Agreement, 'moneyRules'>, rules: ContractRules): ContractRules => ({ ...rules, ...a.moneyRules });

export async function loadAgreementTx(tx: BrokerageTx, refText: string): Promise<Agreement> {
  const ref = refOf(refText);
  const a = await tx.get('agreements', agreementId(ref));
  if (!a) throw notFound(`${ref} has no service agreement (it becomes one when the provider accepts the award).`);
  return a;
}

/**
 * A provider user may act only on its own organisation's agreement. A refusal is audited even
 * though the transaction then aborts: a forged card must leave a trace.
 */
export function checkProvider(tx: BrokerageTx, user: User, a: Agreement): void {
  if (!ownsAgreement(tx, user, a)) throw forbidden(`${a.ref} is not your organisation's package.`);
}

/** Whether the provider user's organisation holds the agreement; a refusal is audited (`audit: false` when this one already was). */
export function ownsAgreement(tx: BrokerageTx, user: User, a: Agreement, audit = true): boolean {
  if (a.providerId && a.providerId === user.providerId) return true;
  if (audit) tx.note('agreements.refused', { ref: a.ref, providerId: user.providerId, user: user.id }, { keepOnAbort: true });
  return false;
}

/** Council changes: the social worker who owns the request, or a broker. */
export function checkCouncil(tx: BrokerageTx, user: User, a: Agreement): void {
  if (can(user, 'agreement.manage') && (a.owner === user.id || can(user, 'request.manage'))) return;
  tx.note('agreements.refused', { ref: a.ref, user: user.id, reason: 'not owner or broker' }, { keepOnAbort: true });
  throw forbidden(`${a.ref} is another social worker's package; only they or a broker can change it.`);
}

/** An ending's last day (the council's, a hand-back, a re-brokering): refused next to the field by the one rule. */
export function checkLastDay(a: Agreement, rules: Pick<ContractRules, 'period'>, on: string): void {
  const problem = lastDayProblem({ startDate: current(a).startDate, started: a.status === 'active', returned: a.returns.map((r) => r.periodStart), period: rules.period }, on);
  if (problem) throw invalid({ on: problem });
}

export function checkNotEnded(a: Agreement): void {
  if (a.status === 'ended') throw conflict(`${a.ref}'s agreement ended on ${a.ending?.on ?? 'an earlier day'} (${a.ending?.kind ?? 'ended'}); it can no longer change.`);
}

/**
 * Appends a version. Changes that do not touch the elements keep the previous version's
 * `effectiveFrom`, so a later code or date change never pulls a future variation forward.
 */
export function withVersion(a: Agreement, change: AgreementVersion['change'], patch: Partial<AgreementVersion>, who: { by: string; at: string; summary: string; reason?: string }): Agreement {
  const prev = current(a);
  const v: AgreementVersion = { ...prev, ...patch, change, version: prev.version + 1, summary: who.summary, reason: who.reason, by: who.by, at: who.at };
  return { ...a, versions: [...a.versions, v], updatedAt: who.at };
}

export const brokersTx = async (tx: BrokerageTx) => (await tx.usersWithRole('broker')).map((u) => u.id);
export const managersTx = async (tx: BrokerageTx) => (await tx.usersWithRole('manager')).map((u) => u.id);
/** The social worker and brokers: who hears "review needed" and every change. */
export const councilTeam = async (tx: BrokerageTx, a: Agreement) => [...new Set([a.owner, ...(await brokersTx(tx))].filter((id) => id && !id.startsWith('system')))];
