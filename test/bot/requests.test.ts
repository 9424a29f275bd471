import assert from 'node:assert/strict';
import { cardOf, cardText, startTurns, Turns } from './turns.js';

const NOW = new Date('2026-11-22T10:00:00Z');

const person = { name: 'Margaret Ellis', caseRef: 'LAS-400123', dateOfBirth: '1961-04-09', address: '12 Rowan Close, Bury', postcode: 'bl9 0ej', zone: 'bury-east', gender: 'female', disabilityCategory: 'learning disability' };
const pkg = {
  lots: 'learning-disability,autism',
  needsSummary: 'Lives alone with a learning disability and epilepsy; needs rescue medication given by trained staff.',
  outcomes: 'To keep her own home and go to the day centre three times a week.',
  hoursPerWeek: '21',
  visitPattern: '3 hours each morning',
  startDate: '2026-12-14',
  durationWeeks: '',
  carerGender: 'female',
  languageNeeds: '',
  budgetWeekly: '650',
  showBudget: 'false',
  mode: 'competition',
  costWeight: '40',
  qualityWeight: '60',
  q1Text: 'How will you support her to achieve her outcomes?',
  q1Weight: '50',
  q2Text: 'How will you keep a consistent, trained team?',
  q2Weight: '50',
  deadlineDate: '2026-12-01',
  deadlineTime: '17:00',
};

describe('a social worker raises a package request in a chat', () => {
  let t: Turns;
  beforeEach(async () => (t = await startTurns({ now: () => NOW })));
  afterEach(() => t.close());

  async function draftToPackage(): Promise<string> {
    const [reply] = await t.say('sam', 'new request');
    const ref = cardText(cardOf(reply)).match(/PKG-2026-\d{4}/)![0];
    await t.click('sam', 'request.person.save', { ref, ...person });
    await t.click('sam', 'request.checklist.save', { ref, 'c_specialist-skill': 'true', c_behaviours: 'false' });
    return ref;
  }

  it('walks from "new request" to a submitted request, keeping what was typed when a step is wrong', async () => {
    const [first] = await t.say('sam', 'new request');
    const text = cardText(cardOf(first));
    assert.match(text, /PKG-2026-0001 · step 1 of 4: the person/);

    const bad = await t.click('sam', 'request.person.save', { ref: 'PKG-2026-0001', ...person, dateOfBirth: '2030-01-01', postcode: 'nowhere' });
    const badText = cardText(bad.value);
    assert.match(badText, /date of birth must be in the past/);
    assert.match(badText, /postcode must be a full UK postcode/);
    assert.match(badText, /Margaret Ellis/, 'the typed name is kept');
    assert.match(badText, /step 1 of 4/);

    const checklist = await t.click('sam', 'request.person.save', { ref: 'PKG-2026-0001', ...person });
    assert.match(cardText(checklist.value), /step 2 of 4: specialist need/);
    assert.match(cardText(checklist.value), /epilepsy rescue medication/);

    const packageCard = await t.click('sam', 'request.checklist.save', { ref: 'PKG-2026-0001', 'c_specialist-skill': 'true' });
    assert.match(cardText(packageCard.value), /step 3 of 4: the package/);
    assert.match(cardText(packageCard.value), /The checklist suggests Complex physical disability, Learning disability: tick the lots that fit this person/);
    const lots = JSON.stringify(packageCard.value).match(/"id":"lots"[^}]*?"value":"([^"]*)"/);
    assert.equal(lots?.[1], '', 'suggested lots are suggestions: none is ticked until the social worker ticks it');
    assert.ok(cardText(packageCard.value).indexOf('Complex physical disability (suggested)') < cardText(packageCard.value).indexOf('Acquired brain injury'), 'suggested lots come first');

    const review = await t.click('sam', 'request.package.save', { ref: 'PKG-2026-0001', ...pkg });
    const reviewText = cardText(review.value);
    assert.match(reviewText, /step 4 of 4: review and submit/);
    assert.match(reviewText, /Private to council staff/);
    assert.match(reviewText, /What providers will see/);
    assert.match(reviewText, /65–74/, 'age band from the date of birth (65 on the day)');

    const submitted = await t.click('sam', 'request.submit', { ref: 'PKG-2026-0001' });
    assert.match(cardText(submitted.value), /Submitted PKG-2026-0001\. A broker will publish it to the 3 eligible providers/);
    const stored = await t.store.get('requests', 'PKG-2026-0001');
    assert.equal(stored?.state, 'submitted');
    assert.equal(stored?.person?.postcode, 'BL9 0EJ');
    assert.equal(stored?.package?.deadline, '2026-12-01T17:00:00.000Z');
  });

  it('shows each package error next to its field and keeps the values', async () => {
    const ref = await draftToPackage();
    const r = await t.click('sam', 'request.package.save', { ref, ...pkg, hoursPerWeek: '200', q1Weight: '30', costWeight: '50', deadlineDate: '2026-12-20', budgetWeekly: '0' });
    const text = cardText(r.value);
    assert.match(text, /hours per week must be at most 168/);
    assert.match(text, /weekly budget must be more than £0/);
    const again = await t.click('sam', 'request.package.save', { ref, ...pkg, q1Weight: '30', costWeight: '50', deadlineDate: '2026-12-20' });
    const againText = cardText(again.value);
    assert.match(againText, /question weights must add up to 100 \(now 80\)/);
    assert.match(againText, /cost and quality weights must add up to 100/);
    assert.match(againText, /deadline must be before the start date/);
    assert.match(againText, /How will you keep a consistent, trained team\?/, 'typed text kept');
  });

  it('refuses to submit while the text for providers names the person, and says where', async () => {
    const ref = await draftToPackage();
    await t.click('sam', 'request.package.save', { ref, ...pkg, outcomes: 'Margaret wants to keep her flat.' });
    const r = await t.click('sam', 'request.submit', { ref });
    assert.match(cardText(r.value), /the outcomes contain part of the person's name \("Margaret"\)/, 'the verb agrees with "outcomes"');
    assert.equal((await t.store.get('requests', ref))?.state, 'draft');
  });

  it('a review whose text identifies the person offers Edit the package, not Submit', async () => {
    const ref = await draftToPackage();
    const review = await t.click('sam', 'request.package.save', { ref, ...pkg, needsSummary: 'Margaret lives alone and needs rescue medication.' });
    const buttons = JSON.stringify(review.value);
    assert.match(cardText(review.value), /identifies the person/);
    assert.doesNotMatch(buttons, /"verb":"request.submit"/);
    assert.match(buttons, /"title":"Edit the package","verb":"request.edit","data":\{"ref":"[^"]+","step":"package"\}/);
    assert.equal(buttons.match(/"step":"package"/g)?.length, 1, 'one way to edit the package, the main button');
    assert.match(cardText(review.value), /⚠ contains part of the person's name/);

    const clean = await t.click('sam', 'request.package.save', { ref, ...pkg });
    assert.match(JSON.stringify(clean.value), /"title":"Submit request","verb":"request.submit"/, 'once the text is clean, Submit is back');
  });

  it("the person card's examples come from the council's settings, not built-in Bury ones", async () => {
    const example = async () => {
      const [first] = await t.say('sam', 'new request');
      return JSON.stringify(cardOf(first));
    };
    const demo = await example();
    assert.match(demo, /"placeholder":"e\.g\. BL9 0EJ"/, 'the demo council (Bury) set its own');
    assert.match(demo, /"placeholder":"e\.g\. LAS-123456"/);
    await t.click('alex', 'admin.settings.save', { councilName: 'Leeds City Council', minHourlyRate: '22', sequentialRoundHours: '24', publishOnSubmit: 'false', postcodeExample: 'LS1 1UR', caseRefExample: 'LCC/000123' });
    const leeds = await example();
    assert.match(leeds, /"placeholder":"e\.g\. LS1 1UR"/);
    assert.match(leeds, /"placeholder":"e\.g\. LCC\/000123"/);
    assert.doesNotMatch(leeds, /BL9|LAS-/);
    await t.click('alex', 'admin.settings.save', { councilName: 'Leeds City Council', minHourlyRate: '22', sequentialRoundHours: '24', publishOnSubmit: 'false', postcodeExample: '', caseRefExample: '' });
    const none = await example();
    assert.match(none, /"placeholder":"the full UK postcode"/, 'no example at all rather than another council\'s');
  });

  it('points someone who is not specialist to the generic route; only a broker can override, with a reason', async () => {
    const [reply] = await t.say('sam', 'new request');
    const ref = cardText(cardOf(reply)).match(/PKG-2026-\d{4}/)![0];
    await t.click('sam', 'request.person.save', { ref, ...person });
    const none = await t.click('sam', 'request.checklist.save', { ref });
    assert.match(cardText(none.value), /generic home-care route/);
    assert.doesNotMatch(cardText(none.value), /Broker override/);
    const refused = await t.click('sam', 'request.checklist.override', { ref, overrideReason: 'because I say so really' });
    assert.match(cardText(refused.value) + String(refused.value), /only a broker/i);

    const [alexReply] = await t.say('alex', 'new request');
    const alexRef = cardText(cardOf(alexReply)).match(/PKG-2026-\d{4}/)![0];
    await t.click('alex', 'request.person.save', { ref: alexRef, ...person });
    const alexNone = await t.click('alex', 'request.checklist.save', { ref: alexRef });
    assert.match(cardText(alexNone.value), /Broker override/);
    const short = await t.click('alex', 'request.checklist.override', { ref: alexRef, overrideReason: 'no' });
    assert.match(cardText(short.value), /override reason needs at least 10 characters/);
    const ok = await t.click('alex', 'request.checklist.override', { ref: alexRef, overrideReason: 'Hospital discharge needs a provider with complex-care skills' });
    assert.match(cardText(ok.value), /step 3 of 4/);
  });

  it('refuses another user’s edits and actions from people without the role, changing nothing', async () => {
    const ref = await draftToPackage();
    const before = await t.store.get('requests', ref);
    const alex = await t.click('alex', 'request.person.save', { ref, ...person, name: 'Someone Else' });
    assert.match(cardText(alex.value) + String(alex.value), /only they can change it/);
    const priya = await t.click('priya', 'request.person.save', { ref, ...person, name: 'Someone Else' });
    assert.match(String(priya.value), /role doesn't allow/);
    const jo = await t.click('jo', 'request.submit', { ref });
    assert.match(String(jo.value), /don't have a role/);
    assert.deepEqual(await t.store.get('requests', ref), before);
  });

  it('lists my requests, shows one, and cancels with a reason', async () => {
    const ref = await draftToPackage();
    const [list] = await t.say('sam', 'my requests');
    assert.match(cardText(cardOf(list)), new RegExp(`${ref} · draft`));
    const [show] = await t.say('sam', `show ${ref.toLowerCase()}`);
    assert.match(cardText(cardOf(show)), /Margaret Ellis/);
    const [noReason] = await t.say('sam', `cancel ${ref}`);
    assert.match(noReason.text!, /Please say why/);
    const [cancelled] = await t.say('sam', `cancel ${ref} the person moved to another council`);
    assert.match(cancelled.text!, /is cancelled \(the person moved to another council\)/);
    assert.equal((await t.store.get('requests', ref))?.state, 'cancelled');
  });

  it('resumes a draft after a restart with what was typed', async () => {
    const ref = await draftToPackage();
    await t.click('sam', 'request.package.save', { ref, ...pkg, hoursPerWeek: '999' });
    const resumed = await t.click('sam', 'request.edit', { ref, step: 'package' });
    assert.match(cardText(resumed.value), /999/);
  });
});

describe("the package step: the person's own questions and as many slots as are used (issues 15 and 17)", () => {
  let t: Turns;
  beforeEach(async () => (t = await startTurns({ now: () => NOW })));
  afterEach(() => t.close());

  const inputIds = (card: unknown) => {
    const ids: string[] = [];
    const walk = (n: unknown) => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (n && typeof n === 'object') {
        const o = n as Record<string, unknown>;
        if (typeof o.type === 'string' && o.type.startsWith('Input.') && typeof o.id === 'string') ids.push(o.id);
        Object.values(o).forEach(walk);
      }
    };
    walk(card);
    return ids;
  };

  async function toPackage(): Promise<{ ref: string; card: unknown }> {
    const [reply] = await t.say('sam', 'new request');
    const ref = cardText(cardOf(reply)).match(/PKG-2026-\d{4}/)![0];
    await t.click('sam', 'request.person.save', { ref, ...person });
    const c = await t.click('sam', 'request.checklist.save', { ref, 'c_specialist-skill': 'true' });
    return { ref, card: c.value };
  }

  it('shows the three suggested questions, not five empty slots, and "Add a question" adds one keeping everything typed', async () => {
    const { ref, card } = await toPackage();
    const ids = inputIds(card);
    assert.ok(ids.includes('q3Text') && !ids.includes('q4Text'), `slots shown: ${ids.filter((i) => /^q\dText$/.test(i))}`);
    const typed = { ...pkg, q3Text: 'How will you manage risks?', q3Weight: '', needsSummary: 'Typed but not saved yet: epilepsy and rescue medication.' };
    const more = await t.click('sam', 'request.package.addQuestion', { ref, ...typed });
    const moreIds = inputIds(more.value);
    assert.ok(moreIds.includes('q4Text') && moreIds.includes('q4Person') && moreIds.includes('q4Criterion') && !moreIds.includes('q5Text'));
    const text = JSON.stringify(more.value);
    assert.match(text, /Typed but not saved yet/);
    assert.match(text, /How will you manage risks\?/);
    assert.doesNotMatch(cardText(more.value), /must be|is required|Please correct/, 'adding a slot checks nothing yet');
    const r = await t.store.get('requests', ref);
    assert.equal(r?.step, 'package', 'the draft did not move on');
  });

  it('stops adding at eight questions, and eight full-length questions with criteria stay within the card budget', async () => {
    const { ref } = await toPackage();
    const full: Record<string, string> = { ...pkg };
    for (let i = 1; i <= 8; i++) Object.assign(full, { [`q${i}Text`]: `${i} ${'q'.repeat(296)}?`, [`q${i}Weight`]: '12', [`q${i}Person`]: 'true', [`q${i}Criterion`]: 'c'.repeat(500) });
    const card = await t.click('sam', 'request.package.addQuestion', { ref, ...full });
    assert.match(cardText(card.value), /at most 8 questions/);
    assert.ok(inputIds(card.value).includes('q8Criterion'));
    assert.ok(!JSON.stringify(card.value).includes('request.package.addQuestion'), 'no "Add a question" when full');
    assert.ok(Buffer.byteLength(JSON.stringify(card.value)) < 28 * 1024);
  });

  it("refuses the person's question without a criterion next to that field, then sends it to providers as the person's", async () => {
    const { ref } = await toPackage();
    const q3 = { q1Weight: '40', q2Weight: '30', q3Text: 'Will my carers know how to help me when I have a seizure?', q3Weight: '30', q3Person: 'true', q3Criterion: '' };
    const bad = await t.click('sam', 'request.package.save', { ref, ...pkg, ...q3 });
    const field = JSON.stringify(bad.value);
    assert.match(field, /say what a good answer to the person's question looks like/);
    assert.match(field, /Will my carers know how to help me/, 'typed text kept');
    const ok = await t.click('sam', 'request.package.save', { ref, ...pkg, ...q3, q3Criterion: 'Every carer trained in rescue medication before the first visit.' });
    assert.match(cardText(ok.value), /step 4 of 4/);
    assert.match(cardText(ok.value), /3\. The person asks: “Will my carers know how to help me when I have a seizure\?” \(30\)/);
    const stored = await t.store.get('requests', ref);
    assert.deepEqual(stored?.package?.questions[2], { id: 'q3', text: q3.q3Text, weight: 30, byPerson: true, criterion: 'Every carer trained in rescue medication before the first visit.' });
    assert.equal(stored?.package?.questions[0].byPerson, false);
  });

  it("refuses to submit while a criterion of the person's question names them", async () => {
    const { ref } = await toPackage();
    await t.click('sam', 'request.package.save', { ref, ...pkg, q2Weight: '20', q3Text: 'Can I choose who comes?', q3Weight: '30', q3Person: 'true', q3Criterion: 'Margaret meets the carers first' });
    const r = await t.click('sam', 'request.submit', { ref });
    assert.match(cardText(r.value), /what a good answer looks like" of question 3 contains part of the person's name \("Margaret"\)/);
    assert.equal((await t.store.get('requests', ref))?.state, 'draft');
  });
});
