import type { Criterion, Installation, Lot, Provider, Settings, User, Zone } from '../domain/framework.js';
import type { PackageRequest } from '../domain/request.js';
import type { AdmissionQuestion, AdmissionState, Application, EvaluationWindow } from '../domain/admission.js';
import type { Bid } from '../domain/calloff.js';
import type { OutboxItem } from '../outbox/item.js';
import type { Job } from '../scheduler/job.js';
import type { Agreement, ContractRules } from '../domain/agreement.js';
import type { Absence, Approval, ApprovalScheme } from '../domain/approvals.js';
import type { FundingPartner } from '../domain/funding.js';
import type { CostModel } from '../domain/costModel.js';
import type { CapacityRecord, MarketRules } from '../domain/market.js';
import type { Entity, Store, Tx } from './store.js';
import type { BrokerageReads } from './reads.js';

/** An idempotency record: the result a keyed transaction returned the first time. */
export interface Receipt extends Entity {
  at: string;
  result: unknown;
}

/**
 * Every collection the brokerage keeps. Later features add theirs here (and, for the lowdb
 * adapter, a shard plan in src/store/lowdb/shards.ts if it grows with history).
 */
export type Collections = {
  lots: Lot & Entity;
  zones: Zone & Entity;
  providers: Provider & Entity;
  users: User & Entity;
  criteria: Criterion & Entity;
  settings: Settings & Entity;
  installations: Installation & Entity;
  receipts: Receipt;
  requests: PackageRequest;
  /** Named sequences, e.g. "PKG-2026" → the last request number used that year. */
  counters: Entity & { value: number };
  bids: Bid;
  /** Messages waiting to be posted (or posted, with their activity ids). */
  outbox: OutboxItem;
  /** Deadlines and reminders, re-armed when the bot starts. */
  jobs: Job;
  /** Framework admission: questions, applications, evaluation windows, the pause. */
  admissionQuestions: AdmissionQuestion & Entity;
  applications: Application;
  windows: EvaluationWindow;
  admission: AdmissionState;
  /** Service agreements, one per awarded request (src/domain/agreement.ts). */
  agreements: Agreement;
  /** The council's contract-management rules (one record). */
  contractRules: ContractRules & Entity;
  /** Spending decisions under the scheme of delegation: who may decide, where each waits (src/app/approvals/). */
  approvals: Approval;
  /** Each approving body's levels and working calendar (one record per body: `council`). */
  approvalSchemes: ApprovalScheme & Entity;
  /** Approvers' out-of-office periods and their delegates. */
  absences: Absence;
  /** Joint funders (an ICB, another council) and the packages they share (src/app/funding/). */
  fundingPartners: FundingPartner;
  /** The market view (issue 25): costing models by lot ('default' for the rest), providers' capacity, the gap rules. */
  costModels: CostModel & Entity;
  capacity: CapacityRecord;
  marketRules: MarketRules & Entity;
};

/** The call-off (request) an id belongs to: `PKG-2026-0042`, `PKG-2026-0042:caring-hands`, `post:PKG-2026-0042:…`. */
export const callOffOf = (id: string): string | undefined => /PKG-\d{4}-\d+/i.exec(id)?.[0].toUpperCase();

export type BrokerageStore = Store<Collections, BrokerageReads>;
/** What a use case's transaction can do: read, stage changes, and ask the named reads. */
export type BrokerageTx = Tx<Collections> & BrokerageReads;
