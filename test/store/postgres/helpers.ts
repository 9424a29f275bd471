import { PostgresStore } from '../../../src/store/postgres/postgresStore.js';
import { freshDatabase } from '../../support/postgres.js';

/** Stores opened by a test, closed after it. */
export function openStores() {
  const open: PostgresStore[] = [];
  return {
    /** Two (or more) instances on one fresh database, as two bot processes would be. */
    async instances(count: number, options: { poolSize?: number; now?: () => Date } = {}): Promise<PostgresStore[]> {
      const url = await freshDatabase();
      const stores: PostgresStore[] = [];
      for (let i = 0; i < count; i++) stores.push(await PostgresStore.open(url, { instanceId: `instance-${i}`, ...options }));
      open.push(...stores);
      return stores;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((s) => s.close()));
    },
  };
}

/** Waits until `check` passes (a change from another instance arrives asynchronously). */
export async function eventually(check: () => void | Promise<void>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
