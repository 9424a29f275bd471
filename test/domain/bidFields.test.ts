import assert from 'node:assert/strict';
import { BID_FIELD_KEYS, BID_FIELDS, BLIND_FIELD_KEYS } from '../../src/domain/bidFields.js';
import { BidInput } from '../../src/domain/calloff.js';
import { bidCandidate } from '../../src/app/calloffs/bids.js';
import { BID_COLUMNS } from '../../src/reports/csv.js';
import { WORDED_BLIND_FIELDS } from '../../bot/views/awardCards.js';
import { goodBid } from '../bot/fixtures.js';
import { bidData } from '../../bench/generate.js';

/** A bid's fields are declared once (src/domain/bidFields.ts); everything else is held to that list here. */
describe('a bid’s fields, declared once', () => {
  it('the schema is the declared fields and the answers, nothing else', () => {
    assert.deepEqual(Object.keys(BidInput.shape).sort(), [...BID_FIELD_KEYS, 'answers'].sort());
  });

  it('the card inputs are read field by field from the declaration', () => {
    const raw = Object.fromEntries(BID_FIELD_KEYS.map((k) => [k, ` ${k} `]));
    const c = bidCandidate({ ...raw, a_q1: 'x' }, ['q1']);
    assert.deepEqual(Object.keys(c).sort(), [...BID_FIELD_KEYS, 'answers'].sort());
    for (const k of BID_FIELD_KEYS) assert.equal(c[k], k);
  });

  it('the blind evaluator never sees the price, and the evaluation form words or lists every blind field', () => {
    for (const k of ['weeklyPrice', 'hourlyRate', 'priceNote'] as const) assert.equal(BID_FIELDS[k].blind, false, k);
    for (const k of WORDED_BLIND_FIELDS) assert.ok(BLIND_FIELD_KEYS.includes(k), `${k} is worded by the form but not blind`);
  });

  it('every field with a CSV column is in the bids CSV', () => {
    const names = BID_COLUMNS.map((c) => c.name);
    for (const k of BID_FIELD_KEYS) {
      const c = BID_FIELDS[k].csv;
      if (c) assert.ok(names.includes(c.name), `${k}: column ${c.name}`);
    }
  });

  it('the test fixture and the bench send every required field', () => {
    const required = BID_FIELD_KEYS.filter((k) => !BID_FIELDS[k].schema.isOptional());
    for (const k of required) {
      assert.ok(k in goodBid(), `test/bot/fixtures.ts goodBid lacks ${k}`);
      assert.ok(k in bidData('PKG-1', '2026-12-14', 25), `bench/generate.ts bidData lacks ${k}`);
    }
    assert.ok(BidInput.safeParse(bidCandidate(goodBid(), ['q1', 'q2'])).success);
  });
});
