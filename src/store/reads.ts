import type { Role, User } from '../domain/framework.js';
import type { PackageRequest } from '../domain/request.js';
import type { Agreement } from '../domain/agreement.js';
import type { Approval } from '../domain/approvals.js';
import type { Award, Choice } from '../domain/award.js';
import type { Bid, CallOff } from '../domain/calloff.js';
import type { OutboxItem } from '../outbox/item.js';
import type { Job } from '../scheduler/job.js';
import type { Collections } from './collections.js';

/**
 * Collections that stay small whatever the history (the framework, its people, admission): read
 * whole. Everything that grows with the years (requests, bids, posts, jobs, agreements) is read
 * by id or through a named read below, which each adapter answers from an index.
 */
export type ReferenceCollection =
  | 'lots'
  | 'zones'
  | 'providers'
  | 'users'
  | 'criteria'
  | 'settings'
  | 'installations'
  | 'admissionQuestions'
  | 'applications'
  | 'windows'
  | 'admission'
  | 'contractRules'
  | 'approvalSchemes'
  | 'absences'
  | 'fundingPartners'
  | 'costModels'
  | 'capacity'
  | 'marketRules';

/** The questions the brokerage asks of its store, besides get-by-id. In a transaction they see its own changes. */
export interface BrokerageReads {
  list<K extends ReferenceCollection>(collection: K): Promise<Collections[K][]>;
  usersWithRole(role: Role): Promise<(User & { id: string })[]>;
  /** One provider's own users (role `provider`): who sees its call-off cards redrawn. */
  providerUsers(providerId: string): Promise<(User & { id: string })[]>;
  /** Requests whose call-off is open for bids (state `open`). */
  openCallOffs(): Promise<PackageRequest[]>;
  /** Requests raised by (owned by) this person. */
  requestsOf(owner: string): Promise<PackageRequest[]>;
  /**
   * Requests that had a reportable moment (submitted, published, a choice, awarded) on a day in
   * [from, to] (ISO days, UTC); the caller may widen the range and filter exactly.
   */
  requestsActiveBetween(from: string, to: string): Promise<PackageRequest[]>;
  /**
   * What the report card reads of the same requests as requestsActiveBetween: a few fields each
   * (requestFigures) and its call-off's active bids counted, instead of whole requests and bids.
   */
  requestFiguresBetween(from: string, to: string): Promise<RequestFigures[]>;
  /** Every bid (any status) on these call-offs, by reference. */
  bidsOf(refs: readonly string[]): Promise<Bid[]>;
  /** Every service agreement. */
  agreements(): Promise<Agreement[]>;
  /** Outbox items still pending. */
  pendingPosts(): Promise<OutboxItem[]>;
  /** The items of one outbox batch (e.g. one publish), whatever their status. */
  postsOfBatch(batchId: string): Promise<OutboxItem[]>;
  /** Outbox items that failed, last tried (`dueAt`) on a day in [from, to] (ISO days, UTC), the latest first. */
  failedPostsBetween(from: string, to: string): Promise<OutboxItem[]>;
  /** Every scheduled job. */
  jobs(): Promise<Job[]>;
  /** Approvals still waiting for a decision. */
  waitingApprovals(): Promise<Approval[]>;
  /** Approvals raised on a day in [from, to] (ISO days, UTC), whatever their status. */
  approvalsRaisedBetween(from: string, to: string): Promise<Approval[]>;
}

/** The order failedPostsBetween answers in: the latest try first, then by id. */
export const latestTryFirst = (a: OutboxItem, b: OutboxItem): number => (a.dueAt !== b.dueAt ? (a.dueAt < b.dueAt ? 1 : -1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The ISO days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (const d = new Date(`${from.slice(0, 10)}T00:00:00Z`); d.toISOString().slice(0, 10) <= to.slice(0, 10); d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

/** The days a request had a reportable moment: what requestsActiveBetween indexes. */
export function reportableMoments(r: PackageRequest): string[] {
  const at = [r.submittedAt, r.calloff?.publishedAt, ...(r.choices ?? []).map((c) => c.at), r.award?.approvedAt, r.award?.recordedAt];
  return at.filter((x): x is string => !!x);
}

/**
 * A request trimmed to what the report card's figures read (src/reports/queries.ts, CardRequest),
 * plus its call-off's active bids (each provider's last version, not withdrawn). Optional fields
 * absent from the request are absent here too. The PostgreSQL adapter keeps the same trimming in
 * SQL (migrations/006_report_figures.sql); the contract suite checks that both agree.
 */
export type RequestFigures = Pick<PackageRequest, (typeof REQUEST_FIELDS)[number]> & {
  calloff?: Pick<CallOff, (typeof CALLOFF_FIELDS)[number]>;
  award?: Pick<Award, (typeof AWARD_FIELDS)[number]>;
  choices?: Pick<Choice, (typeof CHOICE_FIELDS)[number]>[];
  activeBids: number;
};
/** The fields kept, named once: the type above and the lowdb trimming below both follow them. */
const REQUEST_FIELDS = ['id', 'state', 'createdAt', 'submittedAt'] as const;
const CALLOFF_FIELDS = ['publishedAt', 'closedAt'] as const;
const AWARD_FIELDS = ['offContract', 'status', 'weeklyPrice', 'budgetWeekly', 'approvedAt', 'recordedAt'] as const;
const CHOICE_FIELDS = ['bidId', 'topBidId', 'reasonCategory', 'tookPart', 'packUsed', 'sequential', 'at'] as const;

/** Copies the named fields that are set (not undefined or null), as SQL's jsonb_strip_nulls leaves them. */
function only<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (from[k] !== undefined && from[k] !== null) out[k] = from[k];
  return out;
}

/** The lowdb adapter's trimming of a request for requestFiguresBetween. */
export function requestFigures(r: PackageRequest, activeBids: number): RequestFigures {
  const choices = (r.choices ?? []).map((c) => only(c, CHOICE_FIELDS));
  return {
    ...only(r, REQUEST_FIELDS),
    ...(r.calloff ? { calloff: only(r.calloff, CALLOFF_FIELDS) } : {}),
    ...(r.award ? { award: only(r.award, AWARD_FIELDS) } : {}),
    ...(choices.length ? { choices } : {}),
    activeBids,
  };
}
