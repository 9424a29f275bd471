import { AppError } from '../../src/app/errors.js';
import type { Who } from '../../src/app/actor.js';
import { publishCallOff } from '../../src/app/calloffs/publish.js';
import { declineOffer, submitBid, withdrawBid } from '../../src/app/calloffs/bids.js';
import { answerQuestion, askQuestion } from '../../src/app/calloffs/clarify.js';
import { extendDeadline } from '../../src/app/calloffs/deadline.js';
import { sealedStatus, type SealedStatus } from '../../src/app/calloffs/status.js';
import { ownCallOff, type OwnCallOff } from '../../src/app/calloffs/views.js';
import { resendCallOff } from '../../src/app/calloffs/resend.js';
import type { Deps } from '../deps.js';
import type { Action, Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { answerForm, bidForm, bidValues, councilCard, providerCard } from '../views/calloffCards.js';
import { sendCard } from './common.js';
import { renderMessage } from '../messages.js';
import { channelCardPost, copySeen } from '../../src/app/calloffs/channelCard.js';
import { guarded, refusalText } from './guard.js';
import { turnOutcome } from '../../src/metrics.js';

const ref = (data: Record<string, unknown>) => (typeof data.ref === 'string' ? data.ref : '');
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The council's sealed status, as the brokerage reports it (counts, deliveries, lookups, what this user may do). */
const councilView = (deps: Deps, s: SealedStatus, extra: { notice?: string; error?: string } = {}): CardJson =>
  councilCard(s.request, s.lookups, { offered: s.offered, bids: s.bids, declined: s.declined, deliveries: s.deliveries, capacity: s.capacity }, { ...extra, canManage: s.canManage, now: deps.now() });

async function statusCard(deps: Deps, who: Who, refText: string, extra: { notice?: string; error?: string } = {}): Promise<CardJson> {
  return councilView(deps, await sealedStatus(deps.store, who, refText, deps.now()), extra);
}

/** The provider's own view of the call-off (its own bid, price included, since only the clicker sees it). */
const ownCard = (deps: Deps, own: OwnCallOff, extra: { notice?: string; error?: string } = {}): CardJson =>
  providerCard(own.view, own.lookups, { bid: own.bid, now: deps.now(), showOwnPrice: true, ...extra });

async function ownView(deps: Deps, who: Who, refText: string, extra: { notice?: string; error?: string } = {}): Promise<CardJson> {
  return ownCard(deps, await ownCallOff(deps.store, who, refText, deps.now()), extra);
}

/** A refused provider action: show why on their call-off card if they may see it, else just say why. */
async function providerRefusal(deps: Deps, who: Who, refText: string, e: AppError): Promise<CardJson | string> {
  try {
    return await ownView(deps, who, refText, { error: refusalText(e) });
  } catch {
    return e.message;
  }
}

function reachText(r: { request: { id: string }; offered: { name: string }[]; unreachable: { name: string; why: string }[]; already: boolean }): string {
  if (r.already) return `${r.request.id} is already published, to ${r.offered.length} provider(s).`;
  const lines = [`Published ${r.request.id}: the call-off card is going to ${r.offered.length} provider channel${r.offered.length === 1 ? '' : 's'} (${r.offered.map((o) => o.name).join(', ')}). I'll tell you when every post is delivered.`];
  if (r.unreachable.length) lines.push(`Could not reach ${r.unreachable.length}: ${r.unreachable.map((u) => `${u.name} (${u.why})`).join('; ')}.`);
  return lines.join(' ');
}

/** Verbs that change something: a repeated click gets the first answer (see Action.once). */
const CHANGES = new Set(['calloff.publish', 'calloff.resend', 'calloff.answer', 'calloff.extend', 'bid.submit', 'bid.withdraw', 'calloff.decline', 'calloff.ask']);

/** The shared guard, deduplicating the verbs in CHANGES. */
const guardedOnce = (verb: string, permission: Action['permission'], run: Parameters<typeof guarded>[2], onError: Parameters<typeof guarded>[3]) => guarded(verb, permission, run, onError, { once: CHANGES.has(verb) });

const asProvider = (verb: string, run: Parameters<typeof guarded>[2]) => guardedOnce(verb, 'bid.submit', run, (deps, { who, data }, e) => providerRefusal(deps, who, ref(data), e));
const asCouncil = (verb: string, permission: Action['permission'], run: Parameters<typeof guarded>[2]) =>
  guardedOnce(verb, permission, run, async (deps, { who, data }, e) => {
    try {
      return await statusCard(deps, who, ref(data), { error: refusalText(e) });
    } catch {
      return e.message;
    }
  });

/**
 * Universal Actions refresh of a channel's call-off card (any copy of it): the card as the outbox
 * would post it now, for whoever asked. A copy the store did not know (posted by an instance that
 * stopped before saving Teams' answer) is recorded then, and the outbox edits it for everyone, once
 * (copySeen). Answered as any invoke (replyPrivately): the bot never edits the card from inside
 * a refresh, so teams-ai does not switch to replacing it for everyone, and no edit triggers another
 * refresh of its own.
 */
const refreshChannelCard: Action = {
  verb: 'calloff.refresh',
  // Anyone in the channel: the card is what the channel shows them (channelCardPost).
  open: true,
  run: async (ctx, deps, { who, data }) => {
    let post;
    try {
      post = await channelCardPost(deps.store, str(data.postId), ctx.activity.conversation?.id ?? '');
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      turnOutcome('rejected');
      if (e.kind === 'forbidden') await deps.refusals.record(who, 'action calloff.refresh', e.message);
      return e.message;
    }
    const activity = await renderMessage(deps, post);
    if (activity === 'skip') return 'This call-off is no longer available.';
    const copy = ctx.activity.replyToId;
    if (copy && (await copySeen(deps.store, post, copy, deps.now()))) deps.logger.info('calloff: a copy of a call-off card the store did not know was opened; it is being brought up to date', { postId: post.id, activityId: copy });
    return activity.attachments![0].content as CardJson;
  },
};

export function calloffRoutes(): Routes {
  return {
    title: 'Call-offs and bids',
    commands: [
      {
        usage: 'publish PKG-2026-0001',
        summary: 'Send a submitted request’s anonymised call-off to every eligible provider’s channel.',
        pattern: /^publish\s+(PKG-\S+)$/i,
        permission: 'calloff.publish',
        run: async (ctx, deps, { who, match }) => {
          await ctx.sendActivity(reachText(await publishCallOff(deps.store, who, match[1], deps.now())));
        },
      },
      {
        usage: 'calloff PKG-2026-0001',
        summary: 'A call-off’s sealed status: who it went to, how many bids, questions to answer.',
        pattern: /^call-?off\s+(PKG-\S+)$/i,
        permission: 'request.view',
        run: async (ctx, deps, { who, match }) => {
          await sendCard(ctx, await statusCard(deps, who, match[1]));
        },
      },
    ],
    actions: [
      asCouncil('calloff.publish', 'calloff.publish', async (deps, { who, data }) => {
        const published = await publishCallOff(deps.store, who, ref(data), deps.now());
        return statusCard(deps, who, ref(data), { notice: reachText(published) });
      }),
      asCouncil('calloff.resend', 'calloff.publish', async (deps, { who, data }) => {
        const { name } = await resendCallOff(deps.store, who, ref(data), str(data.providerId), deps.now());
        return statusCard(deps, who, ref(data), { notice: `The call-off card is going to ${name} again. I'll tell you when it is delivered.` });
      }),
      asCouncil('calloff.status', 'request.view', (deps, { who, data }) => statusCard(deps, who, ref(data))),
      asCouncil('calloff.answer.form', 'calloff.manage', async (deps, { who, data }) => {
        const s = await sealedStatus(deps.store, who, ref(data), deps.now());
        const c = s.request.calloff!.clarifications.find((x) => x.id === data.questionId);
        if (!c) return `${s.request.id} has no question ${str(data.questionId)}.`;
        if (c.answer) return councilView(deps, s, { notice: `${c.id} was answered ${c.answer.by === who.aadObjectId ? 'by you' : 'by another broker'}.` });
        return answerForm(s.request, c.id, {});
      }),
      guardedOnce(
        'calloff.answer',
        'calloff.manage',
        async (deps, { who, data }) => {
          const c = await answerQuestion(deps.store, who, ref(data), str(data.questionId), str(data.answer), str(data.questionAsShown), deps.now());
          return statusCard(deps, who, ref(data), { notice: `Answer to ${c.id} is going to every provider offered ${ref(data).toUpperCase()}.` });
        },
        async (deps, { who, data }, e) => {
          if (!Object.keys(e.fields).length) return e.message;
          const s = await sealedStatus(deps.store, who, ref(data), deps.now());
          return answerForm(s.request, str(data.questionId), { answer: data.answer, questionAsShown: data.questionAsShown }, e.fields);
        },
      ),
      asCouncil('calloff.extend', 'calloff.manage', async (deps, { who, data }) => {
        const r = await extendDeadline(deps.store, who, ref(data), { date: str(data.newDeadlineDate), time: str(data.newDeadlineTime), reason: str(data.extendReason) }, deps.now());
        return statusCard(deps, who, r.id, { notice: 'Deadline extended; every provider is being told.' });
      }),
      refreshChannelCard,
      asProvider('calloff.view', (deps, { who, data }) => ownView(deps, who, ref(data))),
      asProvider('bid.form', async (deps, { who, data }) => {
        const own = await ownCallOff(deps.store, who, ref(data), deps.now());
        if (own.view.state !== 'open') return ownCard(deps, own);
        return bidForm(own.view, own.lookups, bidValues(own.view, own.bid));
      }),
      guardedOnce(
        'bid.submit',
        'bid.submit',
        async (deps, { who, data }) => {
          const { ref: _r, ...inputs } = data;
          const result = await submitBid(deps.store, who, ref(data), inputs, deps.now());
          if (!result.ok) return bidForm(result.own.view, result.own.lookups, inputs, result.errors);
          const v = result.bid.versions.at(-1)!;
          return ownCard(deps, result.own, { notice: result.unchanged ? 'That bid was already received; nothing changed.' : `Bid received (version ${v.version}).` });
        },
        (deps, { who, data }, e) => providerRefusal(deps, who, ref(data), e),
      ),
      asProvider('bid.withdraw', async (deps, { who, data }) => {
        await withdrawBid(deps.store, who, ref(data), deps.now());
        return ownView(deps, who, ref(data), { notice: 'Your bid is withdrawn. You can bid again until the deadline.' });
      }),
      asProvider('calloff.decline', async (deps, { who, data }) => {
        await declineOffer(deps.store, who, ref(data), str(data.reason), str(data.detail), deps.now());
        return ownView(deps, who, ref(data), { notice: 'Thank you; the council has your reason.' });
      }),
      asProvider('calloff.ask', async (deps, { who, data }) => {
        await askQuestion(deps.store, who, ref(data), str(data.question), deps.now());
        return ownView(deps, who, ref(data), { notice: 'Question sent to the Brokerage Team. The answer will be posted here for every provider, without saying who asked.' });
      }),
    ],
  };
}
