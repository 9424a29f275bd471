import type { Agreement, ContractRules } from '../domain/agreement.js';
import type { BrokerageStore } from '../store/collections.js';
import { AGREEMENT_INDEX, rulesOf } from '../app/agreements/load.js';

/** What the payments export and the contracts report read: every agreement, the rules, and each request's case reference. */
export interface AgreementData {
  agreements: Agreement[];
  rules: ContractRules;
  /** Package reference → the council's case reference (the one personal detail finance needs). */
  caseRefs: Map<string, string>;
}

export async function loadAgreementData(store: BrokerageStore): Promise<AgreementData> {
  const refs = (await store.get('indexes', AGREEMENT_INDEX))?.refs ?? [];
  const agreements = (await Promise.all(refs.map((ref) => store.get('agreements', `AGR-${ref}`)))).filter((a): a is Agreement => !!a);
  const caseRefs = new Map<string, string>();
  for (const a of agreements) {
    const caseRef = (await store.get('requests', a.ref))?.person?.caseRef;
    if (caseRef) caseRefs.set(a.ref, caseRef);
  }
  return { agreements, rules: await rulesOf(store), caseRefs };
}
