/**
 * Rehearsal: SIGTERM under load, on real processes (scripts/rehearse/sigterm.ts; `npm run rehearse
 * -- sigterm` runs the same). Two instances of the production build on one PostgreSQL database,
 * bids through a load balancer, a publish to 60 channels whose cards the connector answers 600 ms
 * late; instance A is stopped with SIGTERM mid-broadcast, with bids on their way to it. What must
 * hold is listed in sigtermProblems: A answers every turn it took, finishes the sends under way,
 * gives back every claim and exits 0 within seconds; B posts the rest straight away (not after the
 * 60 s lease); every channel has the card once; one report; every acknowledged bid stored once.
 */
import assert from 'node:assert/strict';
import { rehearseSigterm, sigtermProblems } from '../../scripts/rehearse/sigterm.js';
import { productionApp } from '../support/app.js';
import { freshDatabase } from '../support/postgres.js';

describe('rehearsal: SIGTERM under load', function () {
  this.timeout(600_000);

  it('answers every turn it took, finishes its sends and gives its claims back at once; the other instance finishes the broadcast, every channel once', async () => {
    const [app, url] = await Promise.all([productionApp(), freshDatabase()]);
    const f = await rehearseSigterm({ appDir: app.dir, databaseUrl: url });
    console.log(`      SIGTERM: ${JSON.stringify(f)}`);
    assert.deepEqual(sigtermProblems(f), []);
  });
});
