import type { BrokerageReads, RequestFigures } from '../reads.js';
import { tableOf } from './tables.js';
import type { Bid } from '../../domain/calloff.js';

const BIDS_CHUNK = 5000;

/** Runs one query and returns its rows (every query below selects `doc`, and some a figure beside it). */
export type Query = (sql: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * The brokerage's named reads, each one SQL query on an index (migrations/001_collections.sql).
 * Rows come back ordered by id so that answers are the same on every run.
 */
export function namedReads(query: Query): BrokerageReads {
  const docs = async <T>(sql: string, values?: unknown[]) => (await query(sql, values)).map((r) => r.doc as T);
  return {
    list: (collection) => docs(`SELECT doc FROM ${tableOf(collection)} ORDER BY id`),
    usersWithRole: (role) => docs(`SELECT doc FROM users WHERE doc -> 'roles' ? $1 ORDER BY id`, [role]),
    providerUsers: (providerId) => docs(`SELECT doc FROM users WHERE doc -> 'roles' ? 'provider' AND doc ->> 'providerId' = $1 ORDER BY id`, [providerId]),
    openCallOffs: () => docs(`SELECT doc FROM requests WHERE state = 'open' ORDER BY id`),
    requestsOf: (owner) => docs('SELECT doc FROM requests WHERE owner = $1 ORDER BY id', [owner]),
    requestsActiveBetween: (from, to) =>
      docs(
        `SELECT r.doc FROM requests r
         WHERE r.id IN (SELECT request_id FROM request_days WHERE day BETWEEN $1::date AND $2::date)
         ORDER BY r.id`,
        [from.slice(0, 10), to.slice(0, 10)],
      ),
    requestFiguresBetween: async (from, to) => {
      // A year at a million call-offs is 100 000 rows: hashing them in the default 4 MB spills to
      // disk (this lasts to the end of this read's transaction only). The count sits beside the
      // figures (an index-only lookup per request), not merged into them in SQL, which re-encoded
      // every row; rows are sorted here, not in SQL, where sorting wide rows spilled too.
      await query(`SET LOCAL work_mem = '64MB'`);
      const rows = (await query(
        `SELECT r.figures AS doc, (SELECT count(*) FROM bids b WHERE b.ref = r.id AND b.status = 'active')::int AS active_bids
         FROM (SELECT DISTINCT request_id FROM request_days WHERE day BETWEEN $1::date AND $2::date) d
         JOIN requests r ON r.id = d.request_id`,
        [from.slice(0, 10), to.slice(0, 10)],
      )) as { doc: Omit<RequestFigures, 'activeBids'>; active_bids: number }[];
      // Each parsed document is this read's own: the count is added to it rather than to a copy.
      return rows.map((r) => Object.assign(r.doc, { activeBids: r.active_bids })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    bidsOf: async (refs) => {
      // One query per few thousand call-offs keeps each parameter array and result modest.
      let out: Bid[] = [];
      // concat, not push(...rows): a spread of a chunk's 100 000+ bids overflows the call stack.
      for (let i = 0; i < refs.length; i += BIDS_CHUNK) out = out.concat(await docs<Bid>('SELECT doc FROM bids WHERE ref = ANY($1) ORDER BY id', [refs.slice(i, i + BIDS_CHUNK)]));
      return out;
    },
    agreements: () => docs('SELECT doc FROM agreements ORDER BY id'),
    pendingPosts: () => docs(`SELECT doc FROM outbox WHERE status = 'pending' ORDER BY id`),
    postsOfBatch: (batchId) => docs('SELECT doc FROM outbox WHERE batch_id = $1 ORDER BY id', [batchId]),
    // The partial index outbox_failed (migration 007); the range ends before the day after `to`.
    failedPostsBetween: (from, to) =>
      docs(`SELECT doc FROM outbox WHERE status = 'failed' AND doc ->> 'dueAt' >= $1 AND doc ->> 'dueAt' < $2 ORDER BY doc ->> 'dueAt' DESC, id`, [
        from.slice(0, 10),
        new Date(Date.parse(`${to.slice(0, 10)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10),
      ]),
    jobs: () => docs('SELECT doc FROM jobs ORDER BY id'),
    waitingApprovals: () => docs(`SELECT doc FROM approvals WHERE status = 'waiting' ORDER BY id`),
    approvalsRaisedBetween: (from, to) => docs('SELECT doc FROM approvals WHERE raised_day BETWEEN $1 AND $2 ORDER BY id', [from.slice(0, 10), to.slice(0, 10)]),
  };
}
