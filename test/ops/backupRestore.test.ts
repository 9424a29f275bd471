/**
 * Rehearsal: backup and restore of a live database, on real processes (scripts/rehearse/
 * backupRestore.ts; `npm run rehearse -- backup-restore` runs the same). A hot physical backup
 * while providers bid, restored into two new PostgreSQL servers: from the backup alone, and with
 * the archived write-ahead log replayed to its end; the bot started on the second.
 */
import assert from 'node:assert/strict';
import { rehearseBackupRestore } from '../../scripts/rehearse/backupRestore.js';
import { productionApp } from '../support/app.js';

describe('rehearsal: backup and restore of a live database', function () {
  this.timeout(600_000);

  it('restores every acknowledged bid, and the bot on the new server gives the same report, card and files', async () => {
    const app = await productionApp();
    const f = await rehearseBackupRestore({ appDir: app.dir });
    console.log(`      backup and restore: ${JSON.stringify(f)}`);
    assert.ok(f.acknowledgedDuringCopy > 0, 'bids were acknowledged while the data folder was copied');
    assert.equal(f.inBackupAlone, f.acknowledgedBeforeBackupEnd, 'the backup alone holds every bid acknowledged before it ended');
    assert.ok(f.laterInBackupAlone < f.acknowledgedAfterBackupEnd, 'the backup alone stops where it ended: the bids after it come from the archived log');
    assert.equal(f.inLatestRestore, f.bids.acknowledged, 'the latest restore holds every acknowledged bid');
    assert.deepEqual({ missing: f.bids.missing, duplicates: f.bids.duplicates, lost: f.bids.lostAnswers }, { missing: 0, duplicates: 0, lost: 0 });
    assert.ok(f.bidsTableEqual, 'the bids table is the same, row for row');
    assert.ok(f.reportCardEqual, 'the report card is the same');
    assert.deepEqual(f.reportFilesDiffer, []);
    assert.ok(f.reportFilesEqual.length >= 6, `the charts and CSVs compared: ${f.reportFilesEqual.join(', ')}`);
    assert.ok(f.restoredReady, 'the bot on the restored server is ready');
  });
});
