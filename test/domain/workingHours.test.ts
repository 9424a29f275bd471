import assert from 'node:assert/strict';
import { addWorkingHours, englandAndWalesBankHolidays, isWorkingDay, workingAge, workingHoursBetween, type WorkingCalendar } from '../../src/domain/workingHours.js';

const cal: WorkingCalendar = { opens: '09:00', closes: '17:00', bankHolidays: 'england-and-wales', closedDays: [] };

describe('domain/workingHours: the hours a council office keeps', () => {
  it('knows England and Wales bank holidays by rule, with weekdays in lieu (checked against the published lists)', () => {
    assert.deepEqual(englandAndWalesBankHolidays(2026), ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28']);
    assert.deepEqual(englandAndWalesBankHolidays(2027), ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28']);
    // 2022: Christmas on a Sunday (Boxing Day Monday, Christmas in lieu Tuesday); New Year on a Saturday (Monday 3rd).
    const y2022 = englandAndWalesBankHolidays(2022);
    assert.ok(['2022-01-03', '2022-04-15', '2022-04-18', '2022-12-26', '2022-12-27'].every((d) => y2022.includes(d)), y2022.join());
  });

  it('skips weekends, bank holidays and the council’s closed days', () => {
    assert.equal(isWorkingDay(cal, '2026-12-04'), true); // Friday
    assert.equal(isWorkingDay(cal, '2026-12-05'), false); // Saturday
    assert.equal(isWorkingDay(cal, '2026-12-25'), false);
    assert.equal(isWorkingDay({ ...cal, closedDays: ['2026-12-24'] }, '2026-12-24'), false);
    assert.equal(isWorkingDay({ ...cal, bankHolidays: 'none' }, '2026-12-28'), true);
  });

  it('16 working hours from Friday 15:00 is Tuesday 15:00 (Monday counts 8); from Saturday it starts on Monday morning', () => {
    assert.equal(addWorkingHours(cal, new Date('2026-12-04T15:00:00Z'), 16).toISOString(), '2026-12-08T15:00:00.000Z');
    assert.equal(addWorkingHours(cal, new Date('2026-12-05T11:00:00Z'), 2).toISOString(), '2026-12-07T11:00:00.000Z');
    // Over Christmas: Thu 24th 16:00 + 2 h → the 24th's last hour, then Tuesday 29th (25th, 28th bank holidays).
    assert.equal(addWorkingHours(cal, new Date('2026-12-24T16:00:00Z'), 2).toISOString(), '2026-12-29T10:00:00.000Z');
  });

  it('works in UK wall-clock time across the clock change (09:00 BST is 08:00 UTC)', () => {
    // Good Friday and Easter Monday are closed; Tuesday opens at 09:00 BST (08:00 UTC), and an hour on is 09:00 UTC.
    assert.equal(addWorkingHours(cal, new Date('2027-03-26T16:00:00Z'), 1).toISOString(), '2027-03-30T09:00:00.000Z');
  });

  it('counts the working hours between two moments, and says them as a person would', () => {
    assert.equal(workingHoursBetween(cal, new Date('2026-12-04T15:00:00Z'), new Date('2026-12-07T10:00:00Z')), 3);
    assert.equal(workingHoursBetween(cal, new Date('2026-12-07T10:00:00Z'), new Date('2026-12-04T15:00:00Z')), 0);
    assert.equal(workingAge(cal, 0.2), 'under a working hour');
    assert.equal(workingAge(cal, 3), '3 working hours');
    assert.equal(workingAge(cal, 20), '2 working days 4 h');
  });
});
