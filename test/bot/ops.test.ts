/**
 * The operations view (`ops`, issue 27 part 3) through the real teams-ai app, with posts failing at
 * the HTTP edge (the local Bot Connector answers 400 to one channel and 403 to another): an admin
 * (commissioner) sees the store, this instance, the outbox, the failed posts with Send again, the
 * unreachable channel and an overdue job; Send again re-queues a post that then goes out, and is
 * refused while its channel is unreachable; people without the role are refused and audited.
 */
import assert from 'node:assert/strict';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { lowdbProbe } from '../../src/store/open.js';
import { submitted } from './fixtures.js';
import { cardText, PEOPLE } from './turns.js';
import { channelOf, connectorWorld, type ConnectorWorld } from './connectorWorld.js';

const alex = { aadObjectId: PEOPLE.alex.aadObjectId };
/** Rows of the list card: each row's title and its buttons. */
const rows = (card: unknown) =>
  ((card as { body: { type: string; columns?: { items: { type: string; text?: string; actions?: { title: string; data: { id?: string } }[] }[] }[] }[] }).body ?? [])
    .filter((b) => b.type === 'ColumnSet' && b.columns?.[0].items[0].type === 'TextBlock')
    .map((b) => ({ title: b.columns![0].items[0].text!, actions: b.columns![1]?.items[0].actions ?? [] }));

describe('ops: the operations view for admins', function () {
  this.timeout(60_000);
  let w: ConnectorWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  async function world(answer: Record<string, { status: number; code?: string }>) {
    const fixed = { ...answer };
    w = await connectorWorld({ mock: { script: ({ conversationId }) => fixed[conversationId] } });
    const probe = lowdbProbe(w.store);
    await probe.announce({ id: 'test-host:1:abc', build: '0.1.0 (test)', startedAt: new Date(Date.now() - 3_600_000).toISOString(), seenAt: '' }, () => {});
    w.deps.ops = { probe, kind: 'lowdb', where: '/srv/brokerage/data', instanceId: 'test-host:1:abc' };
    return { world: w, fixed };
  }

  it('shows health, failed posts with Send again, the unreachable channel and an overdue job; Send again delivers once the channel answers', async () => {
    const { world: w, fixed } = await world({ [channelOf('brightpath')]: { status: 400, code: 'BadArgument' }, [channelOf('signing-hands')]: { status: 403, code: 'BotNotInConversationRoster' } });
    const quiet = cardText(await w.click('alex', 'ops.refresh'));
    assert.match(quiet, /All well: the store answers and nothing needs attention\./);
    assert.match(quiet, /embedded \(one process\) · \/srv\/brokerage\/data/);
    assert.match(quiet, /Instances alive\n1\n/);
    assert.match(quiet, /Instance test-host:1:abc \(this one\)/);
    assert.match(quiet, /build 0\.1\.0 \(test\) · up 1 h/);
    assert.match(quiet, /Outbox\nnothing waiting/);

    const ref = await submitted(w.store, new Date());
    await publishCallOff(w.store, alex, ref, new Date());
    w.runtime.changed();
    await w.runtime.outbox.idle(20_000);
    // A deadline job two hours late (its instance went down), and Caring Hands' card delivered.
    await w.store.transact({ actor: 'test', action: 'test.late-job' }, (tx) => tx.put('jobs', { id: `close:${ref}:late`, kind: 'calloff.close', ref, at: new Date(Date.now() - 7_200_000).toISOString() }));
    w.runtime.scheduler.stop();

    const card = await w.click('alex', 'ops.refresh');
    const text = cardText(card);
    assert.match(text, /Needs attention: 2 failed posts, 1 unreachable channel, 1 overdue job\./);
    assert.match(text, /Failed posts \(7 days\)\n2\n/);
    assert.match(text, /Unreachable channels\n1\n/);
    assert.match(text, /Jobs overdue\n1, the oldest 2 h late/);
    const failed = rows(card).filter((r) => r.title.startsWith('Failed:'));
    assert.deepEqual(failed.map((r) => r.title).sort(), [`Failed: calloff.card for ${ref} to BrightPath Support`, `Failed: calloff.card for ${ref} to Signing Hands Homecare`].sort());
    assert.match(text, /400 BadArgument: scripted 400 · last tried .* · 1 attempt\n/);
    assert.match(text, /its channel must be reachable again before sending again/);
    assert.match(text, /Unreachable: Signing Hands Homecare's channel/);
    assert.match(text, new RegExp(`Overdue: calloff.close for ${ref}`));
    const sendAgain = (name: string) => failed.find((r) => r.title.endsWith(name))!.actions.find((a) => a.title === 'Send again')!.data;

    // The unreachable channel: refused, with what to do, and nothing queued.
    const refused = cardText(await w.click('alex', 'ops.resend', sendAgain('Signing Hands Homecare')));
    assert.match(refused, /Not sent again: Signing Hands Homecare's channel is still unreachable \(.*\)\. Register it again with `register provider signing-hands` in the channel, then send again\./);

    // The connector now takes BrightPath's card: Send again queues it, and it is delivered.
    delete fixed[channelOf('brightpath')];
    const queued = cardText(await w.click('alex', 'ops.resend', sendAgain('BrightPath Support')));
    assert.match(queued, new RegExp(`Queued again: calloff.card for ${ref}\\. It goes out in a moment; Refresh shows how it went\\.`));
    await w.runtime.outbox.idle(20_000);
    assert.equal(w.mock.shown(channelOf('brightpath')).length, 1, 'BrightPath has its card');
    const after = await w.click('alex', 'ops.refresh');
    assert.deepEqual(rows(after).filter((r) => r.title.startsWith('Failed:')).map((r) => r.title), [`Failed: calloff.card for ${ref} to Signing Hands Homecare`]);
    // Clicked again once delivered: true to what happened since.
    assert.match(cardText(await w.click('alex', 'ops.resend', { id: sendAgain('BrightPath Support').id, again: 1 })), /Not sent again: That post has been delivered since\./);
    const audit = await w.store.audit({ action: 'ops.send-again' });
    assert.deepEqual(audit.map((a) => [a.actor, a.id]), [[PEOPLE.alex.aadObjectId, sendAgain('BrightPath Support').id]]);
  });

  it('is refused to people who are not admins, and audited', async () => {
    await world({});
    assert.equal(await w!.click('sam', 'ops.refresh'), "Your role doesn't allow that action.");
    assert.equal(await w!.click('morgan', 'ops.resend', { id: 'post:PKG-2026-0001:brightpath' }), "Your role doesn't allow that action.");
    const refusals = await w!.store.audit({ action: 'refused' });
    assert.deepEqual(refusals.map((r) => (r.after as { what: string }).what), ['action ops.refresh', 'action ops.resend']);
  });
});
