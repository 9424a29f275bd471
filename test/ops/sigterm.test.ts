/**
 * Rehearsal: SIGTERM under load, on real processes (scripts/rehearse/sigterm.ts; `npm run rehearse
 * -- sigterm` runs the same). Two instances of the production build on one PostgreSQL database,
 * bids through a load balancer, a publish to 60 channels whose cards the connector answers 600 ms
 * late; instance A is stopped with SIGTERM mid-broadcast, with bids on their way to it.
 */
import assert from 'node:assert/strict';
import { rehearseSigterm } from '../../scripts/rehearse/sigterm.js';
import { productionApp } from '../support/app.js';
import { freshDatabase } from '../support/postgres.js';

describe('rehearsal: SIGTERM under load', function () {
  this.timeout(600_000);

  it('answers every turn it took, finishes its sends and gives its claims back at once; the other instance finishes the broadcast, every channel once', async () => {
    const [app, url] = await Promise.all([productionApp(), freshDatabase()]);
    const f = await rehearseSigterm({ appDir: app.dir, databaseUrl: url });
    console.log(`      SIGTERM: ${JSON.stringify(f)}`);
    assert.ok(f.claimsHeldAtSigterm > 0, 'A was sending cards when it was stopped');
    assert.equal(f.exitCode, 0);
    assert.ok(f.exitMs < 10_000, `A took ${f.exitMs} ms to stop`);
    assert.equal(f.claimsLeftAfterExit, 0, 'A gave back every claim before it exited');
    assert.deepEqual({ lost: f.inFlightToA.lost, answered: f.inFlightToA.answeredByA + f.inFlightToA.reroutedToB }, { lost: 0, answered: 6 });
    // With a claim left to its 60 s lease, the last cards would come a minute after A's exit.
    assert.ok(f.cardsAfterExit > 0 && f.lastCardAfterExitMs < 20_000, `B posted ${f.cardsAfterExit} cards, the last ${f.lastCardAfterExitMs} ms after A exited`);
    assert.deepEqual({ once: f.channelsOnce, twice: f.channelsTwice }, { once: f.channels, twice: 0 });
    assert.equal(f.reports.length, 1);
    assert.match(f.reports[0], new RegExp(`posted to ${f.channels} of ${f.channels} provider channels\\.`));
    assert.deepEqual({ missing: f.bids.missing, duplicates: f.bids.duplicates, lost: f.bids.lostAnswers }, { missing: 0, duplicates: 0, lost: 0 });
    assert.ok(f.bids.acknowledged > 20, `only ${f.bids.acknowledged} bids acknowledged`);
  });
});
