import type pg from 'pg';
import type { WorkKind } from '../store.js';

/**
 * Takes (or renews) a lease in one statement: a free row is inserted; a held one is taken over
 * only by its own holder or once its lease has run out. The database's clock decides, so
 * instances whose clocks disagree still agree on who holds what.
 */
export async function claim(pool: pg.Pool, kind: WorkKind, id: string, holder: string, leaseMs: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO claims (kind, id, holder, until) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
     ON CONFLICT (kind, id) DO UPDATE SET holder = excluded.holder, until = excluded.until
     WHERE claims.holder = excluded.holder OR claims.until < now()
     RETURNING holder`,
    [kind, id, holder, leaseMs],
  );
  return rowCount === 1;
}

/** Gives a lease back, only if `holder` still has it. */
export async function release(pool: pg.Pool, kind: WorkKind, id: string, holder: string): Promise<void> {
  await pool.query('DELETE FROM claims WHERE kind = $1 AND id = $2 AND holder = $3', [kind, id, holder]);
}
