/**
 * Rehearsal: a rolling upgrade with a migration, on real processes (scripts/rehearse/
 * rollingUpgrade.ts; `npm run rehearse -- rolling-upgrade` runs the same). Two instances of the
 * production build, bids and a 60-channel publish throughout; B, then A, stopped with SIGTERM and
 * started on the new version, whose extra migration rewrites the bids table as B starts. What must
 * hold is listed in rollingProblems: the migration applied once; the old A takes bids on the new
 * schema; every acknowledged bid stored once, none refused or lost; every channel has the card
 * once; one report; both instances on the new build at the end, and `ops` names the migration.
 */
import assert from 'node:assert/strict';
import { rehearseRollingUpgrade, rollingProblems } from '../../scripts/rehearse/rollingUpgrade.js';
import { knownMigrations } from '../../src/store/postgres/migrate.js';
import { productionApp } from '../support/app.js';
import { freshDatabase } from '../support/postgres.js';

describe('rehearsal: a rolling upgrade with a migration', function () {
  this.timeout(600_000);

  it('loses and duplicates nothing while B, then A, move to the new version; the old A serves on the new schema meanwhile', async () => {
    const [app, url] = await Promise.all([productionApp(), freshDatabase()]);
    const f = await rehearseRollingUpgrade({ appDir: app.dir, databaseUrl: url });
    console.log(`      rolling upgrade: ${JSON.stringify(f)}`);
    assert.deepEqual(rollingProblems(f, (await knownMigrations()).map((m) => m.version)), []);
  });
});
