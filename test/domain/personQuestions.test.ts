import assert from 'node:assert/strict';
import { providerProfile } from '../../src/domain/anonymise.js';
import { criterionLine, packageLeaks, questionHeading } from '../../src/domain/personQuestions.js';
import { PackageStep, QualityQuestion, type PackageRequest, type PersonStep } from '../../src/domain/request.js';

const person: PersonStep = { name: 'Dev Anand Kapoor', caseRef: 'LAS-771200', dateOfBirth: '1988-02-29', address: '3 Larch Walk, Radcliffe', postcode: 'M26 2QP', zone: 'radcliffe', gender: 'male', disabilityCategory: 'autism' };
const councils = { id: 'q1', text: 'How will you keep a consistent team?', weight: 60 };
const his = { id: 'q2', text: 'Will my carers come with me to the football on Saturdays?', weight: 40, byPerson: true, criterion: 'Names who would go and how often; not just "we will try".' };

describe("the person's own questions", () => {
  it('needs what a good answer looks like for a question marked as the person’s, and not for the council’s', () => {
    const missing = QualityQuestion.safeParse({ ...his, criterion: '' });
    assert.equal(missing.success, false);
    assert.deepEqual(missing.error!.issues.map((i) => i.path), [['criterion']]);
    assert.equal(QualityQuestion.safeParse({ ...councils }).success, true);
    assert.equal(QualityQuestion.safeParse(his).success, true);
  });

  it('reads as the person’s question, with their criterion; the council’s questions read as before', () => {
    assert.equal(questionHeading(his, 1), '2. The person asks: “Will my carers come with me to the football on Saturdays?”');
    assert.equal(questionHeading(councils, 0), '1. How will you keep a consistent team?');
    assert.match(criterionLine(his), /^What a good answer looks like to them: Names who would go/);
    assert.equal(criterionLine(councils), '');
  });

  it('puts the mark and the criterion in the provider profile, and nothing from the person’s private details', () => {
    const pkg = PackageStep.parse({
      lots: ['autism'],
      needsSummary: 'Autistic man who needs a predictable routine and support in crowds.',
      outcomes: 'To go to football matches and keep his allotment.',
      hoursPerWeek: 12,
      visitPattern: 'Two afternoons and Saturday',
      startDate: '2027-01-04',
      carerGender: 'male',
      languageNeeds: '',
      budgetWeekly: 400,
      mode: 'competition',
      costWeight: 40,
      qualityWeight: 60,
      questions: [councils, his],
      deadlineDate: '2026-12-10',
      deadlineTime: '12:00',
    });
    const r = { id: 'PKG-2026-0009', person, package: { ...pkg, deadline: '2026-12-10T12:00:00.000Z' } } as PackageRequest & { package: NonNullable<PackageRequest['package']>; person: PersonStep };
    const profile = providerProfile(r, '35–44');
    assert.deepEqual(profile.questions, [
      { id: 'q1', text: councils.text, weight: 60, fromPerson: false },
      { id: 'q2', text: his.text, weight: 40, fromPerson: true, criterion: his.criterion },
    ]);
    const json = JSON.stringify(profile);
    for (const secret of ['Kapoor', 'LAS-771200', '1988', 'Larch', 'M26']) assert.ok(!json.includes(secret), secret);
  });

  it('checks the person’s question texts and criteria against their details, however spelled', () => {
    const base = { needsSummary: '', outcomes: '', visitPattern: '', languageNeeds: '' };
    assert.deepEqual(packageLeaks(person, { ...base, questions: [councils, his] }), []);
    const inText = packageLeaks(person, { ...base, questions: [{ ...his, text: 'Will you take DEV to the football?' }] });
    assert.deepEqual(inText.map((l) => [l.field, l.label]), [['questions', 'quality question 1']]);
    const inCriterion = packageLeaks(person, { ...base, questions: [councils, { ...his, criterion: 'Someone who knows Mr Kapoor already, from M26 2QP.' }] });
    assert.deepEqual(inCriterion.map((l) => l.label), ['"what a good answer looks like" of question 2']);
    assert.match(inCriterion[0].what, /Kapoor/);
    // The council's question has no criterion that leaves the council, so nothing to check there.
    assert.deepEqual(packageLeaks(person, { ...base, questions: [{ ...councils, criterion: 'Kapoor' }] }), []);
  });
});
