import assert from 'node:assert/strict';
import { startRequest, saveStep, submitRequest } from '../../src/app/requests/requests.js';
import { addDays } from '../../src/domain/agreementRules.js';
import { ukDate } from '../../src/domain/dates.js';
import type { BrokerageStore } from '../../src/store/collections.js';
import { PEOPLE } from './turns.js';

/** Shared call-off fixtures: a person, a package, a good bid, channels, a submitted request. */

export const person = { name: 'Margaret Ellis', caseRef: 'LAS-400123', dateOfBirth: '1961-04-09', address: '12 Rowan Close, Bury', postcode: 'BL9 0EJ', zone: 'bury-east', gender: 'female', disabilityCategory: 'learning disability' };

/** Every string that identifies the person: none may ever reach a provider that has not accepted the award. */
export const PERSON_SECRETS = ['Margaret', 'Ellis', 'LAS-400123', '1961', 'Rowan', 'BL9'];

/**
 * The clock most tests set (`now`), and the fixtures' dates as UK days after a clock: bids close 9
 * days on at 17:00 and care starts 22 days on. At TEST_CLOCK that is 1 and 14 December 2026, which
 * the tests on it name; a test on the real clock passes its own `now`, so the dates are always ahead.
 */
export const TEST_CLOCK = new Date('2026-11-22T10:00:00Z');
export const fixtureDays = (now: Date = TEST_CLOCK) => ({ deadlineDate: addDays(ukDate(now), 9), startDate: addDays(ukDate(now), 22) });

export const pkg = (over: Record<string, string> = {}, now: Date = TEST_CLOCK) => ({
  lots: 'learning-disability',
  needsSummary: 'Lives alone with a learning disability and epilepsy; needs rescue medication given by trained staff.',
  outcomes: 'To keep her own home and go to the day centre three times a week.',
  hoursPerWeek: '21',
  visitPattern: '3 hours each morning',
  startDate: fixtureDays(now).startDate,
  carerGender: 'female',
  languageNeeds: '',
  budgetWeekly: '650',
  mode: 'competition',
  costWeight: '40',
  qualityWeight: '60',
  q1Text: 'How will you support her to achieve her outcomes?',
  q1Weight: '60',
  q2Text: 'How will you keep a consistent, trained team?',
  q2Weight: '40',
  deadlineDate: fixtureDays(now).deadlineDate,
  deadlineTime: '17:00',
  ...over,
});

/** A bid that meets the package `pkg(…, now)` makes with the same clock. */
export const goodBid = (over: Record<string, string> = {}, now: Date = TEST_CLOCK) => ({
  weeklyPrice: '525',
  hourlyRate: '25',
  hoursPerWeek: '21',
  earliestStart: fixtureDays(now).startDate,
  supportPlan: 'A team of four trained in epilepsy rescue medication, with a named lead and weekly reviews.',
  a_q1: 'Person-centred plan built with her and her sister; day-centre escorts.',
  a_q2: 'Guaranteed hours contracts; 3 named staff; cover from the same small team.',
  meetsCarerGender: 'yes',
  meetsLanguage: 'yes',
  ...over,
});

/** Gives providers a Teams channel, so call-offs can be posted to them. */
export async function registerChannels(store: BrokerageStore, now: Date, ...providerIds: string[]): Promise<void> {
  await store.transact({ actor: 'test', action: 'test.channels' }, async (tx) => {
    for (const id of providerIds) {
      const p = (await tx.get('providers', id))!;
      tx.put('providers', { ...p, channel: { conversationId: `channel-${id}`, teamId: 'team', serviceUrl: 'https://test.example/', reference: { conversation: { id: `channel-${id}` } }, registeredBy: 'test', registeredAt: now.toISOString() } });
    }
  });
}

/** A request Sam raised and submitted (ready for a broker to publish); returns its reference. `submit: false` stops at review. */
export async function submitted(store: BrokerageStore, now: Date, over: Record<string, string> = {}, personOver: Record<string, string> = {}, options: { submit?: boolean } = {}): Promise<string> {
  const who = { aadObjectId: PEOPLE.sam.aadObjectId };
  const r = await startRequest(store, who, now);
  await saveStep(store, who, r.id, 'person', { ...person, ...personOver }, now);
  await saveStep(store, who, r.id, 'checklist', { 'c_specialist-skill': 'true' }, now);
  const saved = await saveStep(store, who, r.id, 'package', pkg(over, now), now);
  assert.ok(saved.ok, JSON.stringify(!saved.ok && saved.errors));
  if (options.submit !== false) await submitRequest(store, who, r.id, now);
  return r.id;
}

/** A complete application to join the framework, as its card's inputs. */
export const GOOD_APPLICATION = {
  orgName: 'Riverside Support CIC',
  cqcNumber: '1-199887766',
  address: '4 Mill Lane, Radcliffe, M26 1AA',
  contactName: 'Jo Visitor',
  contactEmail: 'jo@riverside.example',
  contactPhone: '0161 555 0101',
  lots: 'autism,deaf-services',
  zones: 'prestwich,radcliffe',
  'a_dd-registration': 'Registered for personal care since 2019; rated Good.',
  'a_dd-insurance': 'Yes, all three, certificates available.',
  'a_q-outcomes': 'Person-centred plans written with the person and reviewed monthly.',
  'a_q-workforce': 'Specialist training in BSL and autism; staff retention above 85%.',
  'a_q-safeguarding': 'Safeguarding lead, monthly incident reviews, learning shared with staff.',
  d_true: 'true',
  d_terms: 'true',
  d_safeguarding: 'true',
};

/** What the choice form needs besides the offer: who took part and the person's reasons in their words. */
export const said = { tookPart: 'person,carer', personWords: 'I liked them when they came to see me.' };
