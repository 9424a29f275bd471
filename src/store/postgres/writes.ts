import type pg from 'pg';
import { reportableMoments } from '../reads.js';
import type { PackageRequest } from '../../domain/request.js';
import type { Entity } from '../store.js';
import { tableOf } from './tables.js';
import { count } from '../../telemetry/phases.js';

export const CHANNEL = 'brokerage_changes';

/** One statement on the transaction's client, counted (the bench's phase clock counts round trips). */
export async function roundTrip<T extends pg.QueryResultRow = pg.QueryResultRow>(client: pg.ClientBase, sql: string, values?: unknown[]): Promise<pg.QueryResult<T>> {
  count('pg.round_trips');
  return client.query<T>(sql, values);
}

/**
 * Writes one item (or deletes it when `after` is null) and returns the row it replaced. Both
 * parts of the statement see the same snapshot, so `before` is the value before this write.
 */
export async function writeItem(client: pg.ClientBase, collection: string, id: string, after: Entity | null): Promise<Entity | null> {
  const table = tableOf(collection);
  const sql =
    after === null
      ? `WITH before AS (SELECT doc FROM ${table} WHERE id = $1), gone AS (DELETE FROM ${table} WHERE id = $1)
         SELECT (SELECT doc FROM before) AS before`
      : `WITH before AS (SELECT doc FROM ${table} WHERE id = $1),
              up AS (INSERT INTO ${table} (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc)
         SELECT (SELECT doc FROM before) AS before`;
  const { rows } = await roundTrip<{ before: Entity | null }>(client, sql, after === null ? [id] : [id, JSON.stringify(after)]);
  if (collection === 'requests' && after !== null) await writeRequestDays(client, after as PackageRequest);
  return rows[0]?.before ?? null;
}

/** The UTC days of a request's reportable moments; unreadable times are left out. */
export function requestDays(r: PackageRequest): string[] {
  const days = new Set<string>();
  for (const at of reportableMoments(r)) {
    const t = Date.parse(at);
    if (Number.isFinite(t)) days.add(new Date(t).toISOString().slice(0, 10));
  }
  return [...days];
}

/**
 * Makes a request's rows in request_days its days now (a delete of the request removes them by
 * cascade). Both parts of one statement see the same snapshot, so the DELETE takes only the days
 * no longer wanted and the INSERT skips those already there: a DELETE of every row beside an INSERT
 * … ON CONFLICT DO NOTHING would remove the days kept and add none back (migration 007).
 */
export async function writeRequestDays(client: pg.ClientBase, r: PackageRequest): Promise<void> {
  await client.query(
    `WITH gone AS (DELETE FROM request_days WHERE request_id = $1 AND day <> ALL ($2::date[]))
     INSERT INTO request_days (request_id, day) SELECT $1, d FROM unnest($2::date[]) AS d ON CONFLICT DO NOTHING`,
    [r.id, requestDays(r)],
  );
}

export interface AuditRow {
  at: string;
  actor: string;
  action: string;
  collection: string;
  item_id: string;
  before: unknown;
  after: unknown;
}

/** Appends audit rows in one statement; seq comes from the table's sequence, in the order given. */
export async function appendAudit(client: pg.ClientBase, rows: AuditRow[]): Promise<void> {
  if (!rows.length) return;
  await roundTrip(
    client,
    `INSERT INTO audit (at, actor, action, collection, item_id, before, after)
     SELECT at, actor, action, collection, item_id, before, after
     FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
       AS (at timestamptz, actor text, action text, collection text, item_id text, before jsonb, after jsonb))
       WITH ORDINALITY AS x(at, actor, action, collection, item_id, before, after, n)
     ORDER BY n`,
    [JSON.stringify(rows.map((r) => ({ ...r, before: r.before ?? null, after: r.after ?? null })))],
  );
}
