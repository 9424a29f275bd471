import assert from 'node:assert/strict';
import pg from 'pg';
import { knownMigrations, migrate } from '../../../src/store/postgres/migrate.js';
import { PgRateLedger } from '../../../src/store/postgres/rateLedger.js';
import { PostgresStore } from '../../../src/store/postgres/postgresStore.js';
import { freshDatabase } from '../../support/postgres.js';

/** The roles docs/postgres.md tells a council to set up, checked against a real server. */
describe('PostgreSQL roles from docs/postgres.md', function () {
  this.timeout(30_000);

  it('lets the app role run the bot, and reach the tables a later upgrade adds, but only add to and read the audit', async () => {
    const url = await freshDatabase();
    const db = new URL(url).pathname.slice(1);
    const owner = `${db}_owner`;
    const app = `${db}_app`;
    const as = (role: string) => {
      const u = new URL(url);
      u.username = role;
      u.password = 'pw';
      return u.href;
    };
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${owner} LOGIN PASSWORD 'pw'`);
      await admin.query(`CREATE ROLE ${app} LOGIN PASSWORD 'pw'`);
      await admin.query(`GRANT CREATE ON SCHEMA public TO ${owner}`);
      const ownerPool = new pg.Pool({ connectionString: as(owner), max: 1 });
      try {
        // Set up at version 4, then upgraded: 005's rate_pauses is read by every send.
        await migrate(ownerPool, (await knownMigrations()).slice(0, 4));
        // The grants, as the documentation gives them, run by the owner.
        await ownerPool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app}`);
        await ownerPool.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`);
        await ownerPool.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM ${app}`);
        await ownerPool.query(`GRANT USAGE ON SEQUENCE audit_seq_seq TO ${app}`);
        assert.ok((await migrate(ownerPool)).length > 0, 'the upgrade applied migrations');
      } finally {
        await ownerPool.end();
      }
      const store = await PostgresStore.open(as(app));
      try {
        await store.transact({ actor: 'u', action: 'a' }, (tx) => tx.put('counters', { id: 'c', value: 1 }));
        assert.equal(await store.claim('jobs', 'j', 'me', 1000), true);
        assert.equal((await store.audit()).length, 1);
        const ledger = new PgRateLedger(store.pool);
        await ledger.pause('provider:p', 1_000);
        assert.ok((await ledger.take('provider:p')) > 0, 'the app role reads and writes the pauses of an upgrade');
      } finally {
        await store.close();
      }
      const appClient = new pg.Client({ connectionString: as(app) });
      await appClient.connect();
      try {
        await assert.rejects(appClient.query(`UPDATE audit SET actor = 'x'`), /permission denied/);
        await assert.rejects(appClient.query('DELETE FROM audit'), /permission denied/);
        await assert.rejects(appClient.query('TRUNCATE audit'), /permission denied/);
        await assert.rejects(appClient.query('DROP TRIGGER audit_no_update_delete ON audit'), /must be owner/);
      } finally {
        await appClient.end();
      }
    } finally {
      await admin.end();
    }
  });
});
