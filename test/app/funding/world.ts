/**
 * The joint-funding tests' council: the demo framework, Caring Hands' and BrightPath's channels,
 * two ICBs in their own tenants with Dr Rao (NHS Example ICB's senior funding approver) and the
 * people each test adds, and Sam's request; and the call-off run to the person's choice and to a
 * started agreement, as the use cases do it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { importFramework } from '../../../src/app/framework/importFile.js';
import { openBrokerageLowdb } from '../../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { publishCallOff } from '../../../src/app/calloffs/publish.js';
import { submitBid } from '../../../src/app/calloffs/bids.js';
import { closeAtDeadline } from '../../../src/app/calloffs/deadline.js';
import { lockScores } from '../../../src/app/award/evaluation.js';
import { acceptAward, decideAward, recordChoice } from '../../../src/app/award/decision.js';
import { confirmStart } from '../../../src/app/agreements/start.js';
import type { Who } from '../../../src/app/actor.js';
import { savePartner, savePartnerPerson } from '../../../src/app/funding/partners.js';
import { decideShare } from '../../../src/app/funding/decide.js';
import { bidId } from '../../../src/domain/calloff.js';
import { approvalId } from '../../../src/domain/approvals.js';
import { agreementId } from '../../../src/domain/agreement.js';
import { PEOPLE } from '../../bot/turns.js';
import * as fx from '../../bot/fixtures.js';

export const ICB_TENANT = 'b2c3d4e5-0000-4000-8000-0000000000b1';
export const OTHER_ICB_TENANT = 'c3d4e5f6-0000-4000-8000-0000000000c1';
export const DR_RAO = 'b2c3d4e5-0001-4000-8000-0000000000b1';
export const LEE = 'b2c3d4e5-0002-4000-8000-0000000000b1';
export const OLU = 'c3d4e5f6-0001-4000-8000-0000000000c1';

export const who = (p: keyof typeof PEOPLE): Who => ({ aadObjectId: PEOPLE[p].aadObjectId });
export const fromIcb = (id: string): Who => ({ aadObjectId: id, tenantId: ICB_TENANT, councilTenant: false });
export const fromOther = (id: string): Who => ({ aadObjectId: id, tenantId: OTHER_ICB_TENANT, councilTenant: false });

/** Sam's split form: `percent` to NHS Example ICB for CHC, no lawful basis for the partner to see the person. */
export const share = (percent: string, extra: Record<string, string> = {}) => ({ partnerId: 'nhs-example-icb', shareKind: 'percent', percent, basis: 'chc', lawfulBasis: 'false', reason: 'CHC eligibility confirmed at the joint panel', ...extra });

type PartnerRole = 'funding_approver' | 'funding_viewer';

export interface FundingCouncil {
  store: BrokerageStore;
  ref: string;
  close(): Promise<void>;
}

/** The council at `now`; Lee (NHS Example ICB) and Olu (NHS Other ICB) are added with the roles given. */
export async function fundingCouncil(now: Date, roles: { lee?: PartnerRole; olu?: PartnerRole } = {}): Promise<FundingCouncil> {
  const dir = await mkdtemp(join(tmpdir(), 'funding-test-'));
  const store = await openBrokerageLowdb(dir);
  await importFramework(store, 'test', YAML.parse(await readFile('demo/framework.yaml', 'utf8')));
  await fx.registerChannels(store, now, 'caring-hands', 'brightpath');
  // Alex (commissioner) registers the ICB with a £200 a week limit for its funding approvers, and its people.
  await savePartner(store, who('alex'), { id: 'nhs-example-icb', name: 'NHS Example ICB', kind: 'icb', tenantId: ICB_TENANT, weeklyLimit: '200' }, now);
  await savePartner(store, who('alex'), { id: 'other-icb', name: 'NHS Other ICB', kind: 'icb', tenantId: OTHER_ICB_TENANT }, now);
  await savePartnerPerson(store, who('alex'), { partnerId: 'nhs-example-icb', id: DR_RAO, name: 'Dr Asha Rao', role: 'funding_approver', level: 'senior-funding-approver' });
  if (roles.lee) await savePartnerPerson(store, who('alex'), { partnerId: 'nhs-example-icb', id: LEE, name: 'Lee Grant', role: roles.lee });
  if (roles.olu) await savePartnerPerson(store, who('alex'), { partnerId: 'other-icb', id: OLU, name: 'Olu Other', role: roles.olu });
  const ref = await fx.submitted(store, now);
  return {
    store,
    ref,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The call-off runs: Caring Hands bids £525 a week (21 h at £25), Sam scores it, and the person chooses it. */
export async function runToChoice(store: BrokerageStore, ref: string, now: Date): Promise<void> {
  await publishCallOff(store, who('alex'), ref, now);
  await submitBid(store, who('priya'), ref, fx.goodBid({}, now), now);
  await closeAtDeadline(store, ref, new Date('2026-12-01T17:00:01Z'));
  const r = (await store.get('requests', ref))!;
  await lockScores(store, who('sam'), ref, r.evaluation!.bids[0].label, { s_q1: '4', s_q2: '4', meetsNeeds: 'yes' }, now);
  await recordChoice(store, who('sam'), ref, { bidId: bidId(ref, 'caring-hands'), tookPart: 'person', personWords: 'Caring Hands, please.', reason: '' }, now);
}

/** From the choice: Morgan and Dr Rao approve, Priya accepts and confirms the proposed start; returns the first day. */
export async function runToStart(store: BrokerageStore, ref: string, now: Date): Promise<string> {
  await decideAward(store, who('morgan'), ref, { n: 1, outcome: 'approved' }, now);
  await decideShare(store, fromIcb(DR_RAO), approvalId('award', ref, 1, 'nhs-example-icb'), 'approved', '', now);
  await acceptAward(store, who('priya'), ref, now);
  const start = (await store.get('agreements', agreementId(ref)))!.proposedStart;
  await confirmStart(store, who('priya'), ref, { startDate: start }, now);
  return start;
}
