import type { User } from '../../src/domain/framework.js';
import type { Who } from '../../src/app/actor.js';
import { blindBid, evaluationOverview, lockScores } from '../../src/app/award/evaluation.js';
import { acceptAward, decideAward, declineAward, recordChoice } from '../../src/app/award/decision.js';
import { cascadePreview, decidePlacement, recordOffContract, runCascade } from '../../src/app/award/cascade.js';
import { approvalNote } from '../../src/app/approvals/views.js';
import type { Deps } from '../deps.js';
import type { Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { awardOfferCard, cascadeCard, cascadeForm, evaluationForm, offContractForm, overviewCard, placementApprovalCard } from '../views/awardCards.js';
import { approvalCard, rankingCard, type RankingOptions } from '../views/awardCards.js';
import { approvalView, councilRanking, loadCallOffByRef, providerOffer, type ApprovalData, type CouncilRanking } from '../../src/app/award/views.js';
import { sendCard } from './common.js';
import { shelfOf } from './reports.js';
import { produceChoicePack } from '../../src/app/choice/produce.js';
import { plainPackPdf } from '../../src/app/choice/plainPack.js';
import { easyReadPackPdf } from '../../src/app/choice/easyReadPack.js';
import { guarded, refusalText } from './guard.js';

const ref = (data: Record<string, unknown>) => (typeof data.ref === 'string' ? data.ref.trim().toUpperCase() : '');
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const inputs = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([k]) => !['ref', 'bid', 'n'].includes(k)));

/** The evaluation as the social worker sees it now: the ranking once revealed, else which bids are locked. */
async function evaluationCard(deps: Deps, who: Who, refText: string, extra: { notice?: string; error?: string } = {}): Promise<CardJson> {
  const o = await evaluationOverview(deps.store, who, refText);
  if (o.council) return rankingCardOf(o.council, { canChoose: true, ...extra });
  return overviewCard(o, extra.notice ?? extra.error ?? '');
}

/** The ranking card from the brokerage's ranking view; undefined when there is none to show. */
const rankingCardOf = (c: CouncilRanking, o: RankingOptions) => rankingCard(c.request, c.ranking, c.names, o);
const maybeRankingCard = (c: CouncilRanking | undefined, o: RankingOptions) => (c ? rankingCardOf(c, o) : undefined);
const maybeApprovalCard = (a: ApprovalData | undefined, extra: Pick<Parameters<typeof approvalCard>[0], 'notice' | 'error' | 'values' | 'errors'>) => (a ? approvalCard({ ...a, ...extra }) : undefined);

async function cascadeView(deps: Deps, who: Who, refText: string, extra: { notice?: string; error?: string } = {}): Promise<CardJson> {
  const p = await cascadePreview(deps.store, who, refText);
  return cascadeCard(p.request, p, extra);
}

/** The provider's view of its award notice (its own price only). */
async function offerView(deps: Deps, user: User, refText: string, extra: { notice?: string; error?: string; values?: Record<string, unknown>; errors?: Record<string, string> } = {}): Promise<CardJson | string> {
  const offer = await providerOffer(deps.store, user.providerId!, refText);
  return typeof offer === 'string' ? offer : awardOfferCard(offer, extra);
}

export function awardRoutes(): Routes {
  return {
    title: 'Evaluation and award',
    commands: [
      {
        usage: 'evaluate PKG-2026-0001',
        summary: 'Score a closed call-off’s bids blind, see the ranking once all are locked, and record the person’s choice.',
        pattern: /^evaluat(?:e|ion)\s+(PKG-\S+)$/i,
        permission: 'evaluation.score',
        run: async (ctx, deps, { who, match }) => {
          await sendCard(ctx, await evaluationCard(deps, who, match[1].toUpperCase()));
        },
      },
      {
        usage: 'cascade PKG-2026-0001',
        summary: 'For a call-off with no compliant bid: offer it to neighbouring zones, then record an off-contract placement.',
        pattern: /^cascade\s+(PKG-\S+)$/i,
        permission: 'calloff.manage',
        run: async (ctx, deps, { who, match }) => {
          await sendCard(ctx, await cascadeView(deps, who, match[1].toUpperCase()));
        },
      },
    ],
    actions: [
      // ── blind evaluation (the social worker who owns the request, or a broker)
      guarded('evaluation.show', 'evaluation.score', (deps, { who, data }) => evaluationCard(deps, who, ref(data))),
      guarded('evaluation.form', 'evaluation.score', async (deps, { who, data }) => {
        const v = await blindBid(deps.store, who, ref(data), str(data.bid));
        return evaluationForm(v.request, v.bid, v.evaluation);
      }),
      guarded(
        'evaluation.lock',
        'evaluation.score',
        async (deps, { who, data }) => {
          const result = await lockScores(deps.store, who, ref(data), str(data.bid), inputs(data), deps.now());
          const v = result.view;
          if (!result.ok) return evaluationForm(v.request, v.bid, v.evaluation, inputs(data), result.errors);
          const notice = result.unchanged
            ? 'Those scores were already locked; nothing changed.'
            : result.revealed
              ? `Bid ${v.bid.label} locked. Every bid is now locked: prices are revealed and the ranking is in this chat.`
              : `Bid ${v.bid.label} locked.`;
          return evaluationForm(v.request, v.bid, v.evaluation, {}, {}, notice);
        },
        async (deps, { who, data }, e) => {
          const v = await blindBid(deps.store, who, ref(data), str(data.bid));
          return evaluationForm(v.request, v.bid, v.evaluation, inputs(data), Object.keys(e.fields).length ? e.fields : { _form: e.message });
        },
      ),
      guarded(
        'award.choose',
        'evaluation.score',
        async (deps, { who, data }) => {
          const raw = { bidId: str(data.choice), tookPart: data.tookPart, personWords: data.personWords, reasonCategory: data.choiceReasonCategory, reason: data.choiceReason };
          const { choice, unchanged, ranking } = await recordChoice(deps.store, who, ref(data), raw, deps.now());
          const c = maybeRankingCard(ranking, { canChoose: true, notice: unchanged ? 'That choice was already sent for approval; nothing changed.' : `Choice recorded (${choice.n > 1 ? `choice ${choice.n}` : 'first choice'}) with the person's words, and sent to the managers for approval.` });
          return c ?? 'Choice recorded and sent to the managers for approval.';
        },
        async (deps, { who, data }, e) => {
          const o = await evaluationOverview(deps.store, who, ref(data));
          const values = { choice: data.choice, tookPart: data.tookPart, personWords: data.personWords, choiceReasonCategory: data.choiceReasonCategory, choiceReason: data.choiceReason };
          const c = maybeRankingCard(o.council, { canChoose: true, error: refusalText(e), values, errors: e.fields });
          return c ?? e.message;
        },
      ),
      guarded(
        'choice.pack',
        'evaluation.score',
        async (deps, { who, data }) => {
          const { request, pack } = await produceChoicePack(deps.store, who, ref(data), deps.now());
          // Links in the reply to the social worker who asked only: the pack names the person.
          const shelf = shelfOf(deps);
          const file = (body: Buffer, version: string) => shelf.put({ body, contentType: 'application/pdf', filename: `choice-pack-${pack.ref}-${version}.pdf` });
          const plain = await file(await plainPackPdf(pack), 'plain-english');
          const easy = await file(await easyReadPackPdf(pack), 'easy-read');
          const links = [
            { title: 'Choice pack (plain English, PDF)', url: plain.url },
            { title: 'Choice pack (easy read, PDF)', url: easy.url },
          ];
          const n = pack.offers.length;
          return maybeRankingCard(await councilRanking(deps.store, request), { canChoose: true, notice: `Choice pack made: ${n} offer${n === 1 ? '' : 's'} that meet${n === 1 ? 's' : ''} the person's needs, one page each, in plain English and easy read. Print it on A4 or share it with the person and their carers; it names the person, so it is not for providers.`, pack: { links, expiresAt: plain.expiresAt } }) ?? 'Choice pack made.';
        },
        async (deps, { who, data }, e) => evaluationCard(deps, who, ref(data), { error: refusalText(e) }),
      ),
      // ── the managers' decision
      ...(['approved', 'rejected'] as const).map((outcome) =>
        guarded(
          outcome === 'approved' ? 'award.approve' : 'award.reject',
          'award.decide',
          async (deps, { who, data }) => {
            const n = Number(data.n);
            const { approval, waitingFor } = await decideAward(deps.store, who, ref(data), { n, outcome, reason: str(outcome === 'approved' ? data.approveNote : data.rejectReason), justification: str(data.justification) }, deps.now());
            const notice = waitingFor?.length
              ? `Approved for the council. The award is made once ${waitingFor.join(' and ')} ${waitingFor.length > 1 ? 'approve their shares' : 'approves its share'} (joint funding).`
              : outcome === 'approved' ? 'Approved. The provider is being asked to accept; the social worker and brokers are told.' : 'Rejected. The social worker and brokers are told; the choice is open again.';
            return maybeApprovalCard(approval, { notice }) ?? `Award ${outcome}.`;
          },
          async (deps, { data }, e) => {
            const r = await loadCallOffByRef(deps.store, ref(data));
            return maybeApprovalCard(await approvalView(deps.store, r, Number(data.n), deps.now()), { error: refusalText(e), values: { justification: data.justification, rejectReason: data.rejectReason }, errors: e.fields }) ?? e.message;
          },
        ),
      ),
      // ── the winning provider
      guarded(
        'award.accept',
        'bid.submit',
        async (deps, { who, user, data }) => {
          await acceptAward(deps.store, who, ref(data), deps.now());
          return offerView(deps, user, ref(data), { notice: "Thank you. The person's referral details are being posted in this channel." });
        },
        (deps, { user, data }, e) => offerView(deps, user, ref(data), { error: refusalText(e) }),
      ),
      guarded(
        'award.decline',
        'bid.submit',
        async (deps, { who, user, data }) => {
          await declineAward(deps.store, who, ref(data), str(data.declineReason), deps.now());
          return offerView(deps, user, ref(data), { notice: 'Thank you; the council will choose again without your bid.' });
        },
        (deps, { user, data }, e) => offerView(deps, user, ref(data), { error: refusalText(e), values: { declineReason: data.declineReason }, errors: e.fields }),
      ),
      // ── the cascade (brokers)
      guarded('cascade.show', 'calloff.manage', (deps, { who, data }) => cascadeView(deps, who, ref(data))),
      guarded('cascade.form', 'calloff.manage', async (deps, { who, data }) => cascadeForm(await cascadePreview(deps.store, who, ref(data)))),
      guarded(
        'cascade.round',
        'calloff.manage',
        async (deps, { who, data }) => {
          const { request, reach, already } = await runCascade(deps.store, who, ref(data), { date: str(data.cascadeDate), time: str(data.cascadeTime) }, deps.now());
          return cascadeCard(request, undefined, {
            notice: already ? 'The cascade round was already opened; nothing changed.' : `Offered to ${reach.offered.map((p) => p.name).join(', ')}.${reach.unreachable.length ? ` Could not reach: ${reach.unreachable.map((u) => `${u.name} (${u.why})`).join('; ')}.` : ''}`,
          });
        },
        async (deps, { who, data }, e) => (Object.keys(e.fields).length ? cascadeForm(await cascadePreview(deps.store, who, ref(data)), { cascadeDate: data.cascadeDate, cascadeTime: data.cascadeTime }, e.fields) : cascadeView(deps, who, ref(data), { error: e.message })),
      ),
      guarded('offcontract.form', 'calloff.manage', async (deps, { data }) => offContractForm(await loadCallOffByRef(deps.store, ref(data)))),
      guarded(
        'offcontract.record',
        'calloff.manage',
        async (deps, { who, data }) => {
          const r = await recordOffContract(deps.store, who, ref(data), { providerName: str(data.providerName), weeklyPrice: str(data.weeklyPrice), reason: str(data.reason) }, deps.now());
          return cascadeCard(r, undefined, { notice: 'Off-contract placement recorded and sent for approval under the scheme of delegation; it becomes the award once approved.' });
        },
        async (deps, { who, data }, e) => (Object.keys(e.fields).length ? offContractForm(await loadCallOffByRef(deps.store, ref(data)), inputs(data), e.fields) : cascadeView(deps, who, ref(data), { error: e.message })),
      ),
      // ── an approver decides the placement (who may: src/app/approvals/)
      ...(['approved', 'rejected'] as const).map((outcome) =>
        guarded(
          outcome === 'approved' ? 'offcontract.approve' : 'offcontract.reject',
          'award.decide',
          async (deps, { who, data }) => {
            const { request, placement, unchanged } = await decidePlacement(deps.store, who, ref(data), Number(data.n), outcome, str(data.decisionNote), deps.now());
            const note = await approvalNote(deps.store, 'off-contract', request.id, placement.n, deps.now());
            return placementApprovalCard(request, placement, { note, notice: unchanged ? 'You already decided this; nothing changed.' : outcome === 'approved' ? 'Approved: it is the award now, off-contract; the social worker, brokers and managers are told.' : 'Rejected. The brokers are told and may record another placement.' });
          },
          async (deps, { data }, e) => {
            const r = await loadCallOffByRef(deps.store, ref(data));
            const p = r.placements?.find((x) => x.n === Number(data.n));
            if (!p) return refusalText(e);
            return placementApprovalCard(r, p, { note: await approvalNote(deps.store, 'off-contract', r.id, p.n, deps.now()), error: refusalText(e), values: { decisionNote: data.decisionNote }, errors: e.fields });
          },
          { once: true },
        ),
      ),
    ],
  };
}
