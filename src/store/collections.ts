import type { Criterion, Installation, Lot, Provider, Settings, User, Zone } from '../domain/framework.js';
import type { PackageRequest } from '../domain/request.js';
import type { AdmissionQuestion, AdmissionState, Application, EvaluationWindow } from '../domain/admission.js';
import type { Bid } from '../domain/calloff.js';
import type { OutboxItem } from '../outbox/outbox.js';
import type { Job } from '../scheduler/scheduler.js';
import type { Entity } from './store.js';

/** An idempotency record: the result a keyed transaction returned the first time. */
export interface Receipt extends Entity {
  at: string;
  result: unknown;
}

/**
 * Every collection the brokerage keeps. Later features add theirs here; `SHARDS` says how many
 * files each is spread over so that a write rewrites only a small file.
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
};

export const SHARDS: Record<string, number> = {
  receipts: 16,
  requests: 16,
  bids: 32,
  outbox: 16,
  applications: 4,
};

export type BrokerageStore = import('./store.js').Store<Collections>;
