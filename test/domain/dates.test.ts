import assert from 'node:assert/strict';
import { ageBand, ageOn, isRealDate, ukDate, ukDateTime, ukDayOf } from '../../src/domain/dates.js';

describe('dates as the council works with them (UK time)', () => {
  it('turns a UK wall-clock deadline into the right instant in winter and in summer', () => {
    assert.equal(ukDateTime('2026-12-01', '17:00').toISOString(), '2026-12-01T17:00:00.000Z');
    assert.equal(ukDateTime('2026-07-01', '17:00').toISOString(), '2026-07-01T16:00:00.000Z');
  });

  it('knows which UK day an instant falls on', () => {
    assert.equal(ukDate(new Date('2026-06-30T23:30:00Z')), '2026-07-01');
    assert.equal(ukDate(new Date('2026-12-31T23:30:00Z')), '2026-12-31');
  });

  it('gives, from its cache, the day a fresh formatter gives, at every minute either side of both 2026 clock changes', () => {
    const fresh = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (const edge of ['2026-03-28T22:00:00Z', '2026-03-29T22:00:00Z', '2026-10-24T22:00:00Z', '2026-10-25T22:00:00Z']) {
      // Earlier instants first, then later ones in the same hours: a cache keyed wrongly would show.
      for (const step of [1, -1]) {
        for (let m = step > 0 ? -120 : 120; m >= -120 && m <= 120; m += step * 7) {
          const at = new Date(Date.parse(edge) + m * 60_000);
          assert.equal(ukDate(at), fresh.format(at), at.toISOString());
        }
      }
    }
  });

  it('counts whole years of age and bands them too broadly to identify anyone', () => {
    assert.equal(ageOn('1961-04-09', '2026-04-08'), 64);
    assert.equal(ageOn('1961-04-09', '2026-04-09'), 65);
    assert.deepEqual([17, 18, 24, 25, 34, 35, 64, 65, 84, 85, 101].map(ageBand), ['under 18', '18–24', '18–24', '25–34', '25–34', '35–44', '55–64', '65–74', '75–84', '85+', '85+']);
  });

  it('accepts real calendar dates only', () => {
    assert.ok(isRealDate('2028-02-29'));
    assert.ok(!isRealDate('2026-02-29'));
    assert.ok(!isRealDate('2026-13-01'));
    assert.ok(!isRealDate('01/02/2026'));
  });
});

describe('ukDayOf: the UK day of a stored time, read from its text', () => {
  it('agrees with ukDate every 17 minutes over three years, clock changes included, and for times not in UTC', () => {
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += 17 * 60_000) {
      const at = new Date(t);
      assert.equal(ukDayOf(at.toISOString()), ukDate(at), at.toISOString());
    }
    // The last UTC hour of a summer day is the next UK day; a time with an offset is read as a Date.
    assert.equal(ukDayOf('2026-07-01T23:30:00Z'), '2026-07-02');
    assert.equal(ukDayOf('2026-10-24T23:00:00.000+01:00'), '2026-10-24');
    assert.equal(ukDayOf('2026-12-31T23:59:59.999Z'), '2026-12-31');
  });
});
