/**
 * Brings the PostgreSQL schema up to date: `DATABASE_URL=postgres://… npm run migrate`. Run it as
 * the role that owns the tables (see docs/postgres.md); the bot also runs it when it opens the store.
 */
import { migrate } from '../src/store/postgres/migrate.js';
import { createPool } from '../src/store/postgres/pool.js';

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('Usage: DATABASE_URL=postgres://… npm run migrate\n');
    process.exit(2);
  }
  const pool = createPool(url, 1);
  try {
    const applied = await migrate(pool, undefined, (message) => void process.stdout.write(`${message}\n`));
    process.stdout.write(applied.length ? `Applied migrations ${applied.join(', ')}.\n` : 'The schema is up to date.\n');
  } catch (e) {
    process.stderr.write(`Migration failed: ${(e as Error).message}\nThe migrations before it are applied; this one was not recorded, and runs again (from its start) next time.\n`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}

void main();
