import type { Agreement, ContractRules } from '../domain/agreement.js';
import type { BrokerageStore } from '../store/collections.js';
import { rulesOf } from '../app/agreements/load.js';
import { reading } from '../store/reading.js';

/** What the payments export and the contracts report read: every agreement, the rules, and each request's case reference. */
export interface AgreementData {
  agreements: Agreement[];
  rules: ContractRules;
  /** Package reference → the council's case reference (the one personal detail finance needs). */
  caseRefs: Map<string, string>;
  /** Funding partner id → its name (joint funding, issue 24); the council is "The council". */
  funderNames?: Map<string, string>;
}

export async function loadAgreementData(store: BrokerageStore): Promise<AgreementData> {
  // One reading: the requests asked for together (one round trip on PostgreSQL, not one each for a county's 2 000 agreements).
  const { agreements, requests } = await reading(store, async (tx) => {
    const agreements = await tx.agreements();
    return { agreements, requests: await Promise.all(agreements.map((a) => tx.get('requests', a.ref))) };
  });
  const caseRefs = new Map<string, string>();
  for (const [i, a] of agreements.entries()) {
    const caseRef = requests[i]?.person?.caseRef;
    if (caseRef) caseRefs.set(a.ref, caseRef);
  }
  const funderNames = new Map((await reading(store, (tx) => tx.list('fundingPartners'))).map((p) => [p.id, p.name]));
  return { agreements, rules: await rulesOf(store), caseRefs, funderNames };
}
