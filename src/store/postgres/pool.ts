import pg from 'pg';

/**
 * A connection pool. An idle client that loses its connection (a database restart, a network
 * blip) emits 'error' on the pool: without a listener that would crash the process, while the
 * pool simply replaces the client on next use.
 */
export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {});
  return pool;
}

/** Runs `fn` on a client of its own, given back to the pool whatever happens. */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}
