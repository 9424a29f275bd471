import { scan } from '../../helpers/scan.js';
import assert from 'node:assert/strict';
import { AppError } from '../../../src/app/errors.js';
import { saveEntity } from '../../../src/app/framework/admin.js';
import { myApplication, saveApplication, startApplication, submitApplication } from '../../../src/app/admission/applications.js';
import { decideApplication, saveMarks } from '../../../src/app/admission/evaluate.js';
import { closeWindow, openWindow, pauseApplications, resumeApplications } from '../../../src/app/admission/windows.js';
import { changeStanding } from '../../../src/app/admission/standing.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { BROKER, COMMISSIONER, freshStore } from '../helpers.js';

const NOW = new Date('2026-11-22T10:00:00Z');
const APPLICANT = { aadObjectId: 'd0000000-0000-4000-8000-00000000000d', name: 'Dee Applicant', tenantId: 'provider-tenant' };
const INPUTS = {
  orgName: 'Dee Care Ltd',
  cqcNumber: '1-123456789',
  address: '1 High Street, Bury',
  contactName: 'Dee Applicant',
  contactEmail: 'dee@care.example',
  contactPhone: '0161 000 0000',
  lots: 'autism',
  zones: 'bury-east',
  'a_dd-insurance': 'Yes, all policies in force.',
  'a_q-plans': 'Plans written with the person and reviewed monthly.',
  d_true: 'true',
  d_terms: 'true',
  d_safeguarding: 'true',
};

describe('framework admission rules', () => {
  let store: BrokerageStore;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, done } = await freshStore());
    await saveEntity(store, COMMISSIONER, 'lots', { id: 'autism', name: 'Autism' });
    await saveEntity(store, COMMISSIONER, 'zones', { id: 'bury-east', name: 'Bury East' });
    await saveEntity(store, COMMISSIONER, 'admissionQuestions', { id: 'dd-insurance', section: 'due-diligence', text: 'Do you hold the required insurance?', kind: 'pass-fail' });
    await saveEntity(store, COMMISSIONER, 'admissionQuestions', { id: 'q-plans', section: 'quality', text: 'How do you write support plans?', kind: 'scored', passMark: '3' });
  });
  afterEach(() => done());

  const submitted = async () => {
    const { application } = await startApplication(store, APPLICANT, NOW);
    const r = await submitApplication(store, APPLICANT, application.id, INPUTS, NOW, { conversation: { id: 'chat-dee' } });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    return r.application;
  };

  it('refuses a scored question without a pass mark and a pass/fail one with', async () => {
    await assert.rejects(saveEntity(store, COMMISSIONER, 'admissionQuestions', { id: 'q-x', section: 'quality', text: 'A scored question here', kind: 'scored' }), (e: AppError) => /needs a pass mark/.test(e.fields.passMark));
    await assert.rejects(saveEntity(store, COMMISSIONER, 'admissionQuestions', { id: 'q-y', section: 'quality', text: 'A pass/fail question here', kind: 'pass-fail', passMark: 3 }), (e: AppError) => /no pass mark/.test(e.fields.passMark));
  });

  it('keeps a draft with what was typed and flags only what is wrong so far', async () => {
    const { application } = await startApplication(store, APPLICANT, NOW);
    const r = await saveApplication(store, APPLICANT, application.id, { orgName: 'Dee Care', cqcNumber: 'CQC-1', zones: 'nowhere' }, NOW);
    assert.equal(r.ok, false);
    assert.deepEqual(Object.keys(!r.ok ? r.errors : {}).sort(), ['cqcNumber', 'zones']);
    assert.equal((await myApplication(store, APPLICANT))!.inputs.cqcNumber, 'CQC-1');
    const again = await startApplication(store, APPLICANT, NOW);
    assert.deepEqual([again.resumed, again.application.id], [true, application.id], '`apply` resumes the open draft');
  });

  it('refuses a CQC number already registered to another provider', async () => {
    await saveEntity(store, COMMISSIONER, 'providers', { id: 'other', name: 'Other Care', cqcNumber: '1-123456789', status: 'admitted', lots: [], zones: [] });
    const { application } = await startApplication(store, APPLICANT, NOW);
    const r = await submitApplication(store, APPLICANT, application.id, INPUTS, NOW);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.errors.cqcNumber : '', /already registered to Other Care/);
  });

  it('binds the applicant to the new provider by object id and tenant', async () => {
    const a = await submitted();
    assert.equal(a.providerId, 'dee-care');
    const u = await store.get('users', APPLICANT.aadObjectId);
    assert.deepEqual([u?.roles, u?.providerId, u?.tenantId], [['provider'], 'dee-care', 'provider-tenant']);
    assert.equal((await store.get('providers', 'dee-care'))?.status, 'applied');
  });

  it('puts applications submitted outside a window into the next one, and carries undecided ones over', async () => {
    const a = await submitted();
    assert.equal(a.windowId, undefined);
    const { window, joined } = await openWindow(store, COMMISSIONER, { evaluators: [BROKER.aadObjectId] }, NOW);
    assert.deepEqual(joined.map((x) => x.id), [a.id]);
    const { carried } = await closeWindow(store, COMMISSIONER, NOW);
    assert.deepEqual(carried.map((x) => x.id), [a.id]);
    assert.equal((await store.get('applications', a.id))!.windowId, undefined);
    await assert.rejects(saveMarks(store, COMMISSIONER, a.id, { 'm_dd-insurance': 'pass' }, NOW), /waiting for the next evaluation window/);
    const second = await openWindow(store, COMMISSIONER, {}, NOW);
    assert.notEqual(second.window.id, window.id);
    assert.equal((await store.get('applications', a.id))!.windowId, second.window.id);
    await assert.rejects(saveMarks(store, BROKER, a.id, { 'm_dd-insurance': 'pass' }, NOW), /Only the commissioner, or an evaluator/, 'the broker was named for the first window only');
  });

  it('lets a named evaluator mark and decide; admission needs every question passed', async () => {
    const a = await submitted();
    await openWindow(store, COMMISSIONER, { evaluators: [BROKER.aadObjectId] }, NOW);
    const wrong = await saveMarks(store, BROKER, a.id, { 'm_dd-insurance': 'maybe', 'm_q-plans': '7' }, NOW);
    assert.deepEqual(!wrong.ok && wrong.errors, { 'm_dd-insurance': 'choose pass or fail', 'm_q-plans': 'score 0 to 5' });
    const failing = await decideApplication(store, BROKER, a.id, 'admitted', { 'm_dd-insurance': 'pass', 'm_q-plans': '2', admitLots: 'autism', admitZones: 'bury-east' }, NOW);
    assert.match(!failing.ok ? failing.errors['m_q-plans'] : '', /below the pass mark/);
    const noReason = await decideApplication(store, BROKER, a.id, 'rejected', { 'm_dd-insurance': 'pass', 'm_q-plans': '2', reasons: 'weak' }, NOW);
    assert.match(!noReason.ok ? noReason.errors.reasons : '', /give the reasons/);
    const rejected = await decideApplication(store, BROKER, a.id, 'rejected', { 'm_dd-insurance': 'pass', 'm_q-plans': '2', reasons: 'Support planning answer scored below the pass mark' }, NOW);
    assert.ok(rejected.ok);
    assert.match(rejected.ok ? rejected.notices[0].text : '', /not successful\. Reasons: Support planning.*2\/5 \(pass mark 3\)/s);
    assert.deepEqual(rejected.ok && rejected.notices[0].to, { conversation: { id: 'chat-dee' } });
    // Queued by the use case, in the transaction that decided it: no second step can lose it.
    const queued = (await scan(store, 'outbox')).filter((i) => i.message.kind === 'notice.text');
    assert.deepEqual(queued.map((i) => [i.target, i.message.kind === 'notice.text' && i.message.text]), [[{ reference: { conversation: { id: 'chat-dee' } } }, rejected.ok && rejected.notices[0].text]]);
    assert.equal((await store.get('providers', 'dee-care'))?.status, 'applied');
    await assert.rejects(decideApplication(store, COMMISSIONER, a.id, 'admitted', {}, NOW), /already been decided/);
  });

  it('pauses new applications with a reason the applicant is told, and resumes', async () => {
    await assert.rejects(pauseApplications(store, COMMISSIONER, '', NOW), (e: AppError) => !!e.fields.reason);
    await pauseApplications(store, COMMISSIONER, 'too many applications to process', NOW);
    await assert.rejects(startApplication(store, APPLICANT, NOW), /paused: too many applications to process/);
    await resumeApplications(store, COMMISSIONER);
    assert.ok((await startApplication(store, APPLICANT, NOW)).application.id);
    await assert.rejects(pauseApplications(store, BROKER, 'no', NOW), /role doesn't allow/);
  });

  it('suspends only an admitted provider, records left from suspended, with reasons', async () => {
    await saveEntity(store, COMMISSIONER, 'providers', { id: 'p1', name: 'P One', status: 'applied', lots: [], zones: [] });
    await assert.rejects(changeStanding(store, COMMISSIONER, 'p1', 'suspend', 'poor care found', 'keep', NOW), /is applied, so it cannot be suspended/);
    await assert.rejects(changeStanding(store, COMMISSIONER, 'p1', 'leave', '', 'keep', NOW), (e: AppError) => !!e.fields.reason);
    const left = await changeStanding(store, COMMISSIONER, 'p1', 'leave', 'withdrew its application', 'withdraw', NOW);
    assert.equal(left.provider.status, 'left');
    assert.deepEqual(left.notices, [], 'no conversation to tell');
    assert.match(left.message, /The provider has no conversation with the bot to tell\./);
    const [note] = await store.audit({ action: 'providers.open-bids' });
    assert.deepEqual([note.actor, (note.after as { choice: string }).choice], [COMMISSIONER.aadObjectId, 'withdraw'], 'the open-bids choice is audited');
  });
});
