import { bidId } from '../../src/domain/calloff.js';
import { DEFAULT_RULES } from '../../src/domain/agreement.js';
import { lockScores } from '../../src/app/award/evaluation.js';
import { acceptAward, decideAward, recordChoice } from '../../src/app/award/decision.js';
import { setRules } from '../../src/app/agreements/rules.js';
import { PEOPLE, type Turns } from './turns.js';
import * as fx from './fixtures.js';

const who = (p: keyof typeof PEOPLE) => ({ aadObjectId: PEOPLE[p].aadObjectId });

/**
 * Up to a service agreement waiting for its start, through the bot where a user would click and
 * the use cases where another scenario already clicks: Sam's request (`pkg` with `over`) is
 * published by Alex, Caring Hands bids £525 a week (21 h at £25), the deadline passes, Sam scores
 * and records the choice, Morgan approves and Priya accepts. Weekly returns. Moves the test's
 * clock through `setNow` (to just after the deadline, 1 Dec 2026 at the usual clock) and returns
 * the package reference.
 */
export async function acceptedAgreement(t: Turns, setNow: (d: Date) => void, over: Record<string, string> = {}): Promise<string> {
  let now = fx.TEST_CLOCK;
  setNow(now);
  await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath');
  await setRules(t.store, who('alex'), { ...DEFAULT_RULES, period: 'weekly' });
  const ref = await fx.submitted(t.store, now, over);
  await t.say('alex', `publish ${ref}`);
  await t.click('priya', 'bid.submit', { ref, ...fx.goodBid() });
  now = new Date('2026-12-01T17:00:01Z');
  setNow(now);
  await t.runtime.scheduler.runDue();
  const label = (await t.store.get('requests', ref))!.evaluation!.bids[0].label;
  await lockScores(t.store, who('sam'), ref, label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, now);
  await recordChoice(t.store, who('sam'), ref, { bidId: bidId(ref, 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, now);
  await decideAward(t.store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
  await acceptAward(t.store, who('priya'), ref, now);
  t.runtime.changed();
  await t.drained();
  return ref;
}
