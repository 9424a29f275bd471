import { callOffOf } from '../collections.js';
import type { ShardSpec } from './engine.js';

/**
 * How the lowdb adapter spreads collections over files. Collections that grow with history
 * (requests, bids, outbox, jobs) get one file per call-off, so a bid rewrites its call-off's small
 * files and nothing that grows with the years. Ids that name no call-off, and the small
 * collections, are spread over hash shards. `indexes`, `outboxPending` and `outboxBatches` are the
 * adapter's own indexes (indexes.ts).
 */
export const SHARDS: Record<string, ShardSpec> = {
  receipts: 16,
  indexes: 16,
  requests: { by: callOffOf, fallback: 16 },
  bids: { by: callOffOf, fallback: 16 },
  outbox: { by: callOffOf, fallback: 16 },
  jobs: { by: callOffOf, fallback: 4 },
  outboxPending: 8,
  outboxBatches: { by: callOffOf, fallback: 4 },
  applications: 4,
  agreements: { by: callOffOf, fallback: 4 },
  approvals: { by: callOffOf, fallback: 4 },
};
