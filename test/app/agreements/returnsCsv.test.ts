import assert from 'node:assert/strict';
import { describeProblems, parseVisits } from '../../../src/app/agreements/returnsCsv.js';

describe('app/agreements/returnsCsv: the call-monitoring export', () => {
  it('reads the documented columns in any order, by any accepted name, with a BOM and quoted fields', () => {
    const text = '\uFEFFCarer,"Visit Date",Package Reference,Duration Minutes\r\n"Jones, C",14/12/2026,pkg-2026-0001,90\r\n\r\nA. Khan,2026-12-15,PKG-2026-0001,150';
    assert.deepEqual(parseVisits(text), {
      visits: [
        { line: 2, ref: 'PKG-2026-0001', date: '2026-12-14', hours: 1.5 },
        { line: 4, ref: 'PKG-2026-0001', date: '2026-12-15', hours: 2.5 },
      ],
      errors: [],
    });
  });
  it('prefers hours to minutes when both are there', () => {
    assert.equal(parseVisits('reference,date,hours,minutes\nPKG-2026-0001,2026-12-14,2,999').visits[0].hours, 2);
  });
  it('names every bad line', () => {
    const r = parseVisits('reference,date,hours\nPKG-1,2026-12-14,2\nPKG-2026-0001,2026-02-30,2\nPKG-2026-0001,2026-12-14,25\nPKG-2026-0001,2026-12-14,-1');
    assert.deepEqual(r.errors, ['line 2: "PKG-1" is not a package reference', 'line 3: "2026-02-30" is not a date', 'line 4: the hours must be a number from 0 to 24', 'line 5: the hours must be a number from 0 to 24']);
  });
  it('refuses a file without the columns, or with no rows', () => {
    assert.match(parseVisits('ref,when,time\nx,y,z').errors[0], /must name the columns: reference, date, and hours \(or minutes\)/);
    assert.deepEqual(parseVisits('reference,date,hours\n').errors, ['there are no rows under the header']);
  });
});

describe('app/agreements/returnsCsv: hours are plain decimals only (review)', () => {
  for (const bad of ['0x10', '1e1', '0b11', 'Infinity', ' ', '', '+2', '2h', 'NaN', '1,5']) {
    it(`refuses the hours cell "${bad}"`, () => {
      const r = parseVisits(`reference,date,hours\nPKG-2026-0001,2026-12-14,${JSON.stringify(bad)}`);
      assert.equal(r.visits.length, 0, JSON.stringify(r.visits));
      assert.match(r.errors[0], /line 2: the hours must be a number/);
    });
  }
  it('refuses the minutes cell "0x5A" and an empty minutes cell', () => {
    assert.equal(parseVisits('reference,date,minutes\nPKG-2026-0001,2026-12-14,0x5A').visits.length, 0);
    assert.equal(parseVisits('reference,date,minutes\nPKG-2026-0001,2026-12-14,').visits.length, 0);
  });
  it('still reads 2.5 and .5', () => {
    assert.deepEqual(parseVisits('reference,date,hours\nPKG-2026-0001,2026-12-14,2.5\nPKG-2026-0001,2026-12-15,.5').visits.map((v) => v.hours), [2.5, 0.5]);
  });
});

describe('app/agreements/returnsCsv: every bad line is named (issue 22, 11)', () => {
  it('in file order, whichever check found it; past five, the others by number, in ranges', () => {
    const problems = [14, 3, 9, 10, 11, 4, 5, 6, 20].map((n) => `line ${n}: bad`);
    assert.equal(describeProblems(problems), 'line 3: bad; line 4: bad; line 5: bad; line 6: bad; line 9: bad; also lines 10–11, 14, 20');
    assert.equal(describeProblems(['PKG-2026-0001, period from 2026-12-28: not ended', 'line 2: bad']), 'line 2: bad; PKG-2026-0001, period from 2026-12-28: not ended');
  });
});
