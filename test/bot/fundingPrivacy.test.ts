/**
 * A funding partner's typed words reach the council's people as plain text (issue 24, review item
 * 5), through the real teams-ai app: the partner's approver refuses its share of the award from
 * its own tenant with a planted link; the social worker's notice, the ranking card and the
 * manager's approval card show the words with the link defanged, never a live link.
 */
import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { cardText, PEOPLE, startTurns, type Turns } from './turns.js';
import * as fx from './fixtures.js';
import { savePartner, savePartnerPerson } from '../../src/app/funding/partners.js';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { submitBid } from '../../src/app/calloffs/bids.js';
import { closeAtDeadline } from '../../src/app/calloffs/deadline.js';
import { lockScores } from '../../src/app/award/evaluation.js';
import { recordChoice } from '../../src/app/award/decision.js';
import { splitView } from '../../src/app/funding/split.js';
import { bidId } from '../../src/domain/calloff.js';
import { approvalId } from '../../src/domain/approvals.js';
import type { Who } from '../../src/app/actor.js';
import { scan } from '../helpers/scan.js';
import { renderMessage } from '../../bot/messages.js';
import { splitCard } from '../../bot/views/fundingCards.js';

const COUNCIL_TENANT = 'a0000000-0000-4000-8000-00000000c0c0';
const ICB_TENANT = 'b2c3d4e5-0000-4000-8000-0000000000b1';
const RAO = { id: 'user-rao', aadObjectId: 'b2c3d4e5-0001-4000-8000-0000000000b1', name: 'Dr Asha Rao' };
const who = (p: keyof typeof PEOPLE): Who => ({ aadObjectId: PEOPLE[p].aadObjectId });
const PLANTED = 'Please [re-verify your NHS account](https://evil.example/login) first';
const LIVE_LINK = /\]\(https?:|https:\/\/evil|evil\.example/;
/** The link's words kept, its address defanged and markdown-escaped (evil\\[.\\]example; doubled again inside card JSON). */
const DEFANGED = /re-verify your NHS account \(link removed: evil\\+\[\.\\+\]example\/login\) first/;

describe("bot: a funding partner's words reach the council as plain text", () => {
  let t: Turns;
  let now: Date;
  let ref: string;

  /** An Action.Execute click in a 1:1 chat in the given tenant. */
  async function clickAs(from: { id: string; aadObjectId: string; name: string }, tenantId: string, verb: string, data: Record<string, unknown>) {
    const replies = await t.send('jo', {
      type: 'invoke',
      name: 'adaptiveCard/action',
      from,
      conversation: { id: `personal-${from.id}-${tenantId}`, conversationType: 'personal', isGroup: false, name: '', tenantId } as Activity['conversation'],
      replyToId: `card-${verb}`,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
    const r = replies.find((x) => x.type === 'invokeResponse');
    return (r!.value as { body: { statusCode: number; value: unknown } }).body;
  }

  beforeEach(async () => {
    now = new Date('2026-11-22T10:00:00Z');
    t = await startTurns({ now: () => now });
    t.deps.config.councilTenants = [COUNCIL_TENANT];
    await fx.registerChannels(t.store, now, 'caring-hands', 'brightpath');
    await savePartner(t.store, who('alex'), { id: 'nhs-example-icb', name: 'NHS Example ICB', kind: 'icb', tenantId: ICB_TENANT, weeklyLimit: '200' }, now);
    await savePartnerPerson(t.store, who('alex'), { partnerId: 'nhs-example-icb', id: RAO.aadObjectId, name: RAO.name, role: 'funding_approver', level: 'senior-funding-approver' });
    ref = await fx.submitted(t.store, now);
    const saved = await clickAs(PEOPLE.sam, COUNCIL_TENANT, 'funding.split.save', { ref, partnerId: 'nhs-example-icb', shareKind: 'percent', percent: 40, basis: 'chc', lawfulBasis: 'false', reason: 'CHC eligibility confirmed at the joint panel' });
    assert.match(cardText(saved.value), /Saved\. When the person/);
    await publishCallOff(t.store, who('alex'), ref, now);
    await submitBid(t.store, who('priya'), ref, fx.goodBid({}, now), now);
    await closeAtDeadline(t.store, ref, new Date('2026-12-01T17:00:01Z'));
    const r = (await t.store.get('requests', ref))!;
    await lockScores(t.store, who('sam'), ref, r.evaluation!.bids[0].label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, now);
    await recordChoice(t.store, who('sam'), ref, { bidId: bidId(ref, 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, now);
  });
  afterEach(() => t.close());

  it("the ICB refuses its share with a planted link: the social worker's notice, the ranking card and the manager's approval card show it defanged", async () => {
    const res = await clickAs(RAO, ICB_TENANT, 'funding.refuse', { id: approvalId('award', ref, 1, 'nhs-example-icb'), refuseReason: PLANTED });
    assert.match(cardText(res.value), /Refused\. The choice goes back/);

    // The notice to the social worker and brokers, drawn as the outbox draws it.
    const items = (await scan(t.store, 'outbox')).filter((i) => i.id.startsWith(`rejected:${ref}:1`));
    assert.ok(items.length > 0, 'the social worker is told');
    for (const item of items) {
      const a = await renderMessage(t.deps, item as never);
      assert.notEqual(a, 'skip');
      const said = String((a as Partial<Activity>).text);
      assert.match(said, /^Dr Asha Rao \(NHS Example ICB\) rejected the choice for PKG-\d{4}-\d{4}: NHS Example ICB does not agree to fund its share: Please /);
      assert.match(said, DEFANGED);
      assert.doesNotMatch(said, LIVE_LINK);
    }

    // The manager's approval card, redrawn from the outbox now that it is decided.
    const approvalCards = (await scan(t.store, 'outbox')).filter((i) => i.message.kind === 'award.approval' && i.message.ref === ref);
    assert.ok(approvalCards.length > 0);
    for (const item of approvalCards) {
      const drawn = JSON.stringify(await renderMessage(t.deps, item as never));
      assert.match(drawn, /Reason: NHS Example ICB does not agree to fund its share: Please re-verify/);
      assert.doesNotMatch(drawn, LIVE_LINK);
    }

    // The ranking card the social worker opens to record the choice again.
    const ranking = await clickAs(PEOPLE.sam, COUNCIL_TENANT, 'evaluation.show', { ref });
    const text = cardText(ranking.value);
    assert.match(text, /The manager rejected the last choice: NHS Example ICB does not agree to fund its share: Please/);
    assert.match(text, DEFANGED);
    assert.doesNotMatch(JSON.stringify(ranking.value), LIVE_LINK);
  });

  it("the split form shows a partner's refusal of a change of split as plain text", async () => {
    const v = await splitView(t.store, who('sam'), ref, now);
    const refused = { shares: [], reason: 'Move to 50%', by: 'x', byName: 'Sam Patel', at: now.toISOString(), from: '2026-12-21', n: 1, status: 'refused' as const, refusal: { by: RAO.aadObjectId, byName: RAO.name, partnerName: 'NHS Example ICB', reason: PLANTED, at: now.toISOString() } };
    const drawn = JSON.stringify(splitCard({ ...v, agreement: { funding: [refused], status: 'active', versions: [{ elements: [] }] } as never, locked: 'x' }));
    assert.match(drawn, DEFANGED);
    assert.doesNotMatch(drawn, LIVE_LINK);
  });
});
