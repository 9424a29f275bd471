/**
 * Rehearsal: backup and restore of a live database, on real processes (scripts/rehearse/
 * backupRestore.ts; `npm run rehearse -- backup-restore` runs the same). A hot physical backup
 * while providers bid, restored into two new PostgreSQL servers: from the backup alone, and with
 * the archived write-ahead log replayed to its end; the bot started on the second. What must hold
 * is listed in backupProblems: the backup alone holds every bid acknowledged before it ended (and
 * stops there); the latest restore holds every acknowledged bid, the same bids table, and the bot
 * on it draws the same report card, charts and CSVs as the bot on the old server.
 */
import assert from 'node:assert/strict';
import { backupProblems, rehearseBackupRestore } from '../../scripts/rehearse/backupRestore.js';
import { productionApp } from '../support/app.js';

describe('rehearsal: backup and restore of a live database', function () {
  this.timeout(600_000);

  it('restores every acknowledged bid, and the bot on the new server gives the same report, card and files', async () => {
    const app = await productionApp();
    const f = await rehearseBackupRestore({ appDir: app.dir });
    console.log(`      backup and restore: ${JSON.stringify(f)}`);
    assert.deepEqual(backupProblems(f), []);
  });
});
