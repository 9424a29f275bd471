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
      // The count beside the figures, not merged into them in SQL (that re-encodes 100 000 documents a
      // year at a million call-offs); sorted here, where a year's rows do not spill to disk.
      const rows = (await query(
        `WITH ids AS MATERIALIZED (SELECT DISTINCT request_id AS id FROM request_days WHERE day BETWEEN $1::date AND $2::date),
              n AS (SELECT ref, count(*) AS n FROM bids WHERE ref IN (SELECT id FROM ids) AND status = 'active' GROUP BY ref)
         SELECT r.figures AS doc, coalesce(n.n, 0)::int AS active_bids
         FROM requests r JOIN ids ON ids.id = r.id LEFT JOIN n ON n.ref = r.id`,
        [from.slice(0, 10), to.slice(0, 10)],
      )) as { doc: Omit<RequestFigures, 'activeBids'>; active_bids: number }[];
      return rows.map((r) => ({ ...r.doc, activeBids: r.active_bids })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    bidsOf: async (refs) => {
      // One query per few thousand call-offs keeps each parameter array and result modest.
      const out = [];
      for (let i = 0; i < refs.length; i += BIDS_CHUNK) out.push(...(await docs<Bid>('SELECT doc FROM bids WHERE ref = ANY($1) ORDER BY id', [refs.slice(i, i + BIDS_CHUNK)])));
      return out;
    },
    agreements: () => docs('SELECT doc FROM agreements ORDER BY id'),
    pendingPosts: () => docs(`SELECT doc FROM outbox WHERE status = 'pending' ORDER BY id`),
    postsOfBatch: (batchId) => docs('SELECT doc FROM outbox WHERE batch_id = $1 ORDER BY id', [batchId]),
    jobs: () => docs('SELECT doc FROM jobs ORDER BY id'),
  };
}
