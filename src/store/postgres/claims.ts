import type pg from 'pg';
import type { Claimed, WorkKind } from '../store.js';

/**
 * Takes (or renews) a lease in one statement: a free row is inserted; a held one is taken over
 * only by its own holder or once its lease has run out. The database's clock decides, so
 * instances whose clocks disagree still agree on who holds what. The row a holder that stopped
 * never released is still there, run out: `prior` (read in the same snapshot) says it was taken
 * over. Only a lease that had run out counts: a live one in the snapshot that the upsert did not
 * find was given back (released) while this statement ran, and nothing was left behind.
 */
export async function claim(pool: pg.Pool, kind: WorkKind, id: string, holder: string, leaseMs: number): Promise<Claimed> {
  const { rows } = await pool.query<{ prior: string | null }>(
    `WITH prior AS (SELECT holder FROM claims WHERE kind = $1 AND id = $2 AND until < now())
     INSERT INTO claims (kind, id, holder, until) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
     ON CONFLICT (kind, id) DO UPDATE SET holder = excluded.holder, until = excluded.until
     WHERE claims.holder = excluded.holder OR claims.until < now()
     RETURNING (SELECT holder FROM prior) AS prior`,
    [kind, id, holder, leaseMs],
  );
  if (!rows.length) return false;
  return rows[0].prior !== null && rows[0].prior !== holder ? 'taken over' : true;
}

/** Gives a lease back, only if `holder` still has it. */
export async function release(pool: pg.Pool, kind: WorkKind, id: string, holder: string): Promise<void> {
  await pool.query('DELETE FROM claims WHERE kind = $1 AND id = $2 AND holder = $3', [kind, id, holder]);
}
