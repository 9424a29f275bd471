import type { Role, User } from '../domain/framework.js';
import type { PackageRequest } from '../domain/request.js';
import type { Agreement } from '../domain/agreement.js';
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
  | 'contractRules';

/** The questions the brokerage asks of its store, besides get-by-id. In a transaction they see its own changes. */
export interface BrokerageReads {
  list<K extends ReferenceCollection>(collection: K): Promise<Collections[K][]>;
  usersWithRole(role: Role): Promise<(User & { id: string })[]>;
  /** Requests whose call-off is open for bids (state `open`). */
  openCallOffs(): Promise<PackageRequest[]>;
  /** Requests raised by (owned by) this person. */
  requestsOf(owner: string): Promise<PackageRequest[]>;
  /**
   * Requests that had a reportable moment (submitted, published, a choice, awarded) on a day in
   * [from, to] (ISO days, UTC); the caller may widen the range and filter exactly.
   */
  requestsActiveBetween(from: string, to: string): Promise<PackageRequest[]>;
  /** Every service agreement. */
  agreements(): Promise<Agreement[]>;
  /** Outbox items still pending. */
  pendingPosts(): Promise<OutboxItem[]>;
  /** The items of one outbox batch (e.g. one publish), whatever their status. */
  postsOfBatch(batchId: string): Promise<OutboxItem[]>;
  /** Every scheduled job. */
  jobs(): Promise<Job[]>;
}

/** The days a request had a reportable moment: what requestsActiveBetween indexes. */
export function reportableMoments(r: PackageRequest): string[] {
  const at = [r.submittedAt, r.calloff?.publishedAt, ...(r.choices ?? []).map((c) => c.at), r.award?.approvedAt, r.award?.recordedAt];
  return at.filter((x): x is string => !!x);
}
