import pg from 'pg';

/** A password, or a function that fetches one for each new connection (an Azure managed identity's token). */
export type Password = string | (() => Promise<string>);

/**
 * A connection pool. Every connection asks for synchronous_commit on, whatever the server's
 * default: a transaction resolves only once its COMMIT is flushed to disk (docs/postgres.md).
 * An idle client that loses its connection (a database restart, a network blip) emits 'error' on
 * the pool: without a listener that would crash the process, while the pool simply replaces it.
 */
export function createPool(url: string, max = 10, password?: Password): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, options: '-c synchronous_commit=on', ...(password ? { password } : {}) });
  pool.on('error', () => {});
  return pool;
}

/**
 * Runs `fn` on a client of its own, given back to the pool whatever happens. A checked-out
 * client has no pool listener for 'error': one is held here, and a client that failed is
 * discarded rather than handed to the next caller.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (e: Error) => {
    broken = e;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
