import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { knownMigrations } from '../../../src/store/postgres/migrate.js';
import { PostgresStore } from '../../../src/store/postgres/postgresStore.js';
import { freshDatabase } from '../../support/postgres.js';

const run = promisify(execFile);

/**
 * docs/postgres.md, "Setting up the database, step by step", followed as an IT team would: the SQL
 * of each marked block run as the role and in the database the page names (statement by statement,
 * as psql sends them), and the page's commands (`npm run migrate` as the owner, `npm run import` as
 * the app role) run as scripts, on a real server. Names get a suffix, as roles are server-wide.
 */
describe('docs/postgres.md set-up, followed step by step on a real server', function () {
  this.timeout(60_000);

  it('each role can do what the page says it does, and the app role nothing more', async () => {
    const doc = await readFile('docs/postgres.md', 'utf8');
    const blocks = [...doc.matchAll(/<!-- setup: (\w+)@(\w+) -->\n```sql\n([\s\S]*?)```/g)].map((m) => ({ as: m[1], db: m[2], sql: m[3] }));
    assert.deepEqual(blocks.map((b) => `${b.as}@${b.db}`), ['admin@postgres', 'admin@brokerage', 'owner@brokerage'], 'the page marks its three SQL steps');
    for (const line of ['npm run migrate', 'npm run import -- framework.yaml', 'Applied migrations 1, 2, 3, …']) assert.ok(doc.includes(line), `the page says ${line}`);

    const server = new URL(await freshDatabase());
    const db = `brokerage_steps_${process.pid}_${Date.now().toString(36)}`;
    const roles = { owner: `${db}_owner`, app: `${db}_app` };
    const named = (sql: string) => sql.replace(/\bbrokerage_owner\b/g, roles.owner).replace(/\bbrokerage_app\b/g, roles.app).replace(/\bbrokerage\b/g, db).replace(/'…'/g, "'pw'");
    const url = (as: 'admin' | 'owner' | 'app', database: string) => {
      const u = new URL(server.href);
      u.pathname = `/${database === 'postgres' ? 'postgres' : db}`;
      if (as !== 'admin') [u.username, u.password] = [roles[as], 'pw'];
      return u.href;
    };
    const statements = (sql: string) => named(sql).replace(/--[^\n]*/g, '').split(';').map((x) => x.trim()).filter(Boolean);
    const asRole = async <T>(as: 'admin' | 'owner' | 'app', database: string, fn: (c: pg.Client) => Promise<T>) => {
      const c = new pg.Client({ connectionString: url(as, database) });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    };
    const script = (as: 'owner' | 'app', ...args: string[]) => run('npx', ['tsx', ...args], { env: { ...process.env, DATABASE_URL: url(as, 'brokerage') } });
    const runBlock = (b: (typeof blocks)[number]) => asRole(b.as as 'admin' | 'owner', b.db, async (c) => {
      for (const s of statements(b.sql)) await c.query(s);
    });

    await runBlock(blocks[0]); // 1. roles and database, as the administrator in `postgres`
    await runBlock(blocks[1]); // 2. the owner may create in public, as the administrator in `brokerage`

    // Before step 3 the app role cannot bring the schema up: the import refuses and changes nothing.
    await assert.rejects(script('app', 'scripts/import.ts', 'demo/framework.yaml'), (e: { stderr: string }) => /Import failed, nothing was changed: permission denied for schema public/.test(e.stderr));

    // 3. migrations, as the owner
    const versions = (await knownMigrations()).map((m) => m.version);
    assert.equal((await script('owner', 'scripts/migrate.ts')).stdout, `Applied migrations ${versions.join(', ')}.\n`);
    await runBlock(blocks[2]); // 4. grants, as the owner in `brokerage`

    // 5. the import and the bot, as the app role
    assert.match((await script('app', 'scripts/import.ts', 'demo/framework.yaml')).stdout, /Imported into PostgreSQL: .*5 users/);
    assert.match((await script('app', 'scripts/migrate.ts')).stdout, /The schema is up to date\./, 'the app role may check the schema');
    const store = await PostgresStore.open(url('app', 'brokerage'));
    try {
      assert.equal((await store.get('users', 'a1e0f3b2-0001-4000-8000-000000000001'))?.name, 'Alex Morgan');
      await store.transact({ actor: 'u', action: 'a' }, (tx) => tx.put('counters', { id: 'c', value: 1 }));
      assert.equal(await store.claim('jobs', 'j', 'me', 1000), true);
      assert.ok((await store.audit({ actor: 'system:import' })).length > 0, 'the import is audited');
    } finally {
      await store.close();
    }
    await asRole('app', 'brokerage', async (c) => {
      await assert.rejects(c.query('CREATE TABLE mine (x int)'), /permission denied for schema public/);
      await assert.rejects(c.query(`UPDATE audit SET actor = 'x'`), /permission denied/);
      await assert.rejects(c.query('DELETE FROM audit'), /permission denied/);
      await assert.rejects(c.query('TRUNCATE audit'), /permission denied/);
      await assert.rejects(c.query('DROP TRIGGER audit_no_update_delete ON audit'), /must be owner/);
      await assert.rejects(c.query('DROP TABLE requests'), /must be owner/);
    });
    await asRole('admin', 'postgres', async (c) => {
      await c.query(`DROP DATABASE ${db} WITH (FORCE)`);
      await c.query(`DROP ROLE ${roles.owner}`);
      await c.query(`DROP ROLE ${roles.app}`);
    });
  });
});
