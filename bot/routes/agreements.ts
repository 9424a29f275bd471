import type { TurnContext } from 'botbuilder';
import { addDays } from '../../src/domain/agreementRules.js';
import { ukDate } from '../../src/domain/dates.js';
import type { User } from '../../src/domain/framework.js';
import type { Who } from '../../src/app/actor.js';
import { AppError } from '../../src/app/errors.js';
import { rulesOf } from '../../src/app/agreements/load.js';
import { confirmStart, setTerms } from '../../src/app/agreements/start.js';
import { submitReturn } from '../../src/app/agreements/returns.js';
import { submitReturnsCsv } from '../../src/app/agreements/returnsCsv.js';
import { answerProviderChange, decideVariation, proposeVariation } from '../../src/app/agreements/variations.js';
import { approvalNote } from '../../src/app/approvals/views.js';
import { endAgreement, recordSuspension } from '../../src/app/agreements/suspensions.js';
import { handBack, rebroker } from '../../src/app/agreements/handBack.js';
import { getRules, setRules } from '../../src/app/agreements/rules.js';
import { agreementOf, agreementView, returnChoices, type AgreementView } from '../../src/app/agreements/views.js';
import { providerAgreement, providerAgreementView, termsOf } from '../../src/app/agreements/providerView.js';
import { shelfOf } from './reports.js';
import { parsePeriod, PeriodError, type Period } from '../../src/reports/period.js';
import { contractsReportFor, paymentsExport } from '../../src/reports/agreementReports.js';
import type { Deps } from '../deps.js';
import type { Action, Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { agreementCard, providerChangeCard, variationApprovalCard, variationNotice } from '../views/agreementCards.js';
import { csvForm, endForm, returnForm, rulesForm, startForm, suspendForm, termsForm, varyForm } from '../views/agreementForms.js';
import { contractsCard, paymentsCard } from '../views/contractCards.js';
import { placeOf, sendCard } from './common.js';
import { guarded, refusalText, type Turn } from './guard.js';

/**
 * Service agreements after the award (issue 16): the provider in its channel (start, returns,
 * variations, hand-back), the social worker and brokers in their chats (terms, variations,
 * suspensions, endings, re-brokering), managers (variation approvals), commissioners (contract
 * rules, payments export, contracts report). Roles come from the store; cards carry ids only.
 */

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const refIn = (data: Record<string, unknown>) => str(data.ref).trim().toUpperCase();
const inputs = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([k]) => !['ref', 'n'].includes(k)));

async function view(deps: Deps, who: Who, ref: string, extra: { notice?: string; error?: string } = {}): Promise<CardJson> {
  return agreementCard(await agreementView(deps.store, who, ref, deps.now()), extra);
}

/** The council's agreement, for a council-only form its verb's permission guards; provider-bound forms come from providerOf. */
const loadAgreement = (deps: Deps, ref: string) => agreementOf(deps.store, ref);
/** The acting provider user's view of its own agreement (any other is refused): everything provider-bound is drawn from it. */
const providerOf = async (deps: Deps, t: Pick<Turn, 'who' | 'data'>) => (await providerAgreementView(deps.store, t.who, refIn(t.data), deps.now())).agreement;
/** The hand-back form, from the provider's own view: its reference and the contract's notice. */
async function handBackForm(deps: Deps, t: Pick<Turn, 'who' | 'data'>, f: Parameters<typeof endForm>[2] = {}): Promise<CardJson> {
  const v = await providerAgreementView(deps.store, t.who, refIn(t.data), deps.now());
  return endForm(v.agreement, 'handback', f, v.rules.handBackNoticeDays);
}
/** What a variation form shows of the agreement, from the acting person's own view. */
const termsIn = (v: AgreementView) => (v.audience === 'provider' ? v.agreement : { ref: v.agreement.ref, terms: termsOf(v.agreement) });

/**
 * A form action: on success the agreement card with a notice (written from the card's own view,
 * when it depends on the audience); a field refusal redraws the form with the errors next to the fields.
 */
function formAction(verb: string, permission: Action['permission'], run: (deps: Deps, t: Turn) => Promise<string | ((v: AgreementView) => string)>, redraw: (deps: Deps, t: Turn, errors: Record<string, string>) => Promise<CardJson>): Action {
  return guarded(
    verb,
    permission,
    async (deps, t) => {
      const notice = await run(deps, t);
      const v = await agreementView(deps.store, t.who, refIn(t.data), deps.now());
      return agreementCard(v, { notice: typeof notice === 'string' ? notice : notice(v) });
    },
    async (deps, t, e) => (Object.keys(e.fields).length ? redraw(deps, t, e.fields) : view(deps, t.who, refIn(t.data), { error: refusalText(e) })),
    { once: true },
  );
}

const side = (user: User) => (user.providerId ? ('provider' as const) : ('council' as const));

async function periodCommand(ctx: TurnContext, deps: Deps, text: string, draw: (p: Period) => Promise<CardJson>): Promise<void> {
  let p: Period;
  try {
    p = parsePeriod(text, deps.now());
  } catch (e) {
    if (e instanceof PeriodError) return void (await ctx.sendActivity(e.message));
    throw e;
  }
  // Agreement money is worked out period by period up to the last day asked for: "to 9999-12-31"
  // would work out every week for eight thousand years (and ran the bot out of memory).
  const latest = addDays(ukDate(deps.now()), 366);
  if (p.to > latest) return void (await ctx.sendActivity(`A payments export or contracts report cannot end more than a year from today (${latest}); ask for a shorter period.`));
  await sendCard(ctx, await draw(p));
}

export function agreementRoutes(): Routes {
  return {
    title: 'Service agreements',
    commands: [
      {
        usage: 'agreement PKG-2026-0001',
        summary: 'A package’s service agreement: terms, periods and returns, variations, suspensions, history.',
        pattern: /^agreement\s+(\S+)$/i,
        run: async (ctx, deps, { who, user, match }) => {
          // The council's view carries the budget and finance codes: never into a channel a provider can read.
          if (!user.providerId && placeOf(ctx) !== 'personal') return void (await ctx.sendActivity('The council’s view of an agreement opens only in your 1:1 chat with the bot.'));
          try {
            await sendCard(ctx, await view(deps, who, match[1]));
          } catch (e) {
            if (e instanceof AppError) return void (await ctx.sendActivity(refusalText(e)));
            throw e;
          }
        },
      },
      {
        usage: 'contract rules',
        summary: 'The council’s rules for agreements: return period, tolerance, banking, approvals, retainer, reviews.',
        pattern: /^contract\s+rules$/i,
        permission: 'contract.rules',
        where: ['personal'],
        run: async (ctx, deps, { who }) => void (await sendCard(ctx, rulesForm(await getRules(deps.store, who)))),
      },
      {
        usage: 'payments ‹period›',
        summary: 'What is payable to providers for a period: planned and delivered hours, suspensions, variations, finance codes; CSV per provider and in total.',
        pattern: /^payments?(?:\s+(.+))?$/i,
        permission: 'report.view',
        where: ['personal'],
        run: (ctx, deps, { match }) => periodCommand(ctx, deps, match[1] ?? '', async (p) => paymentsCard(p, await paymentsExport(deps.store, shelfOf(deps), p))),
      },
      {
        usage: 'contracts report ‹period›',
        summary: 'Committed against delivered spend by provider, lot and zone; agreements needing review; framework spend against its limits; off-contract weeks.',
        pattern: /^contracts?\s+report(?:\s+(.+))?$/i,
        permission: 'report.view',
        where: ['personal'],
        run: (ctx, deps, { match }) => periodCommand(ctx, deps, match[1] ?? '', async (p) => contractsCard(p, await contractsReportFor(deps.store, p))),
      },
    ],
    actions: [
      guarded('agreement.show', undefined, (deps, { who, data }) => view(deps, who, refIn(data))),
      // ── the provider, in its channel
      guarded('agreement.start.form', 'bid.submit', async (deps, t) => startForm(await providerOf(deps, t))),
      guarded(
        'agreement.start',
        'bid.submit',
        async (deps, { who, data }) => {
          const { agreement, unchanged, returnsPeriod } = await confirmStart(deps.store, who, refIn(data), inputs(data), deps.now());
          return startForm(providerAgreement(agreement), { notice: unchanged ? 'The start was already confirmed; nothing changed.' : `Start confirmed: the council is told, and returns are asked for ${returnsPeriod}.` });
        },
        async (deps, t, e) => startForm(await providerOf(deps, t), { values: inputs(t.data), errors: Object.keys(e.fields).length ? e.fields : { _form: e.message } }),
        { once: true },
      ),
      guarded('agreement.return.form', 'bid.submit', async (deps, { who, data }) => {
        const v = await providerAgreementView(deps.store, who, refIn(data), deps.now());
        return returnForm(v.agreement, returnChoices(v), { periodStart: str(data.periodStart) || undefined });
      }),
      formAction(
        'agreement.return',
        'bid.submit',
        async (deps, { who, data }) => {
          const { period, unchanged } = await submitReturn(deps.store, who, refIn(data), inputs(data), deps.now());
          if (unchanged) return 'That return was already in; nothing changed.';
          const va = period.variance!;
          return `Return recorded: ${va.delivered} of ${va.planned} planned hours${va.beyond ? ', beyond the council’s tolerance: the social worker will review it' : ''}.${period.bank.excess ? ` ${period.bank.excess} hours above the plan are not covered by banked hours: ask for a variation to be paid for them.` : ''}`;
        },
        async (deps, { who, data }, errors) => {
          const v = await providerAgreementView(deps.store, who, refIn(data), deps.now());
          return returnForm(v.agreement, returnChoices(v), { periodStart: str(data.periodStart), values: inputs(data), errors });
        },
      ),
      guarded('agreement.csv.form', 'bid.submit', async (_deps, { data }) => csvForm({ ref: refIn(data) })),
      guarded(
        'agreement.csv',
        'bid.submit',
        async (deps, { who, data }) => {
          const results = await submitReturnsCsv(deps.store, who, str(data.csv), deps.now());
          const lines = results.map((r) => `${r.agreement.ref} from ${r.period.start}: ${r.period.delivered} h${r.unchanged ? ' (already in)' : ''}${r.period.variance?.beyond ? ' (beyond tolerance)' : ''}`);
          return csvForm({ ref: refIn(data) }, { notice: `Recorded ${results.length} return(s): ${lines.join('; ')}.` });
        },
        async (_deps, { data }, e) => csvForm({ ref: refIn(data) }, { values: { csv: data.csv }, errors: Object.keys(e.fields).length ? e.fields : { csv: e.message } }),
        { once: true },
      ),
      guarded('agreement.handback.form', 'bid.submit', async (deps, t) => handBackForm(deps, t)),
      formAction(
        'agreement.handback',
        'bid.submit',
        async (deps, { who, data }) => {
          const r = await handBack(deps.store, who, refIn(data), inputs(data), deps.now());
          // The last day as the provider's own view holds it.
          return r.unchanged ? 'The package was already handed back.' : (v) => `Handed back: you support the person until ${v.agreement.ending?.on ?? 'the last day'}. The council's brokers are told now and will find another provider; thank you for the notice.`;
        },
        async (deps, t, errors) => handBackForm(deps, t, { values: inputs(t.data), errors }),
      ),
      // ── variations: the provider asks, the social worker or a broker proposes
      guarded('agreement.vary.form', undefined, async (deps, { who, user, data }) => varyForm(termsIn(await agreementView(deps.store, who, refIn(data), deps.now())), side(user), await rulesOf(deps.store))),
      formAction(
        'agreement.vary',
        undefined,
        async (deps, { who, data }) => {
          const { variation, unchanged } = await proposeVariation(deps.store, who, refIn(data), inputs(data), deps.now());
          // Why it waits, in the words of the card's own view: the provider's leave out the budget and the council's levels.
          return (v) => variationNotice(variation, v.audience === 'council' ? variation.approvalReasons : (v.agreement.variations.find((x) => x.n === variation.n)?.reasons ?? []), unchanged);
        },
        async (deps, { who, user, data }, errors) => varyForm(termsIn(await agreementView(deps.store, who, refIn(data), deps.now())), side(user), await rulesOf(deps.store), { values: inputs(data), errors }),
      ),
      ...(['approved', 'rejected'] as const).map((outcome) =>
        guarded(
          outcome === 'approved' ? 'agreement.variation.approve' : 'agreement.variation.reject',
          'award.decide',
          async (deps, { who, data }) => {
            const { agreement, variation, unchanged, waitingFor } = await decideVariation(deps.store, who, refIn(data), Number(data.n), outcome, str(data.decisionNote), deps.now());
            const note = await approvalNote(deps.store, 'variation', agreement.ref, variation.n, deps.now());
            const notice = unchanged ? 'You already decided this; nothing changed.' : waitingFor?.length ? `Approved for the council. It applies once ${waitingFor.join(' and ')} ${waitingFor.length > 1 ? 'approve' : 'approves'} its share (joint funding).` : `${outcome === 'approved' ? 'Approved: the new terms apply' : 'Rejected'}. The provider and the social worker are told.`;
            return variationApprovalCard(agreement, variation, { note, notice });
          },
          async (deps, { data }, e) => {
            const a = await loadAgreement(deps, refIn(data));
            const x = a.variations.find((v) => v.n === Number(data.n));
            const note = await approvalNote(deps.store, 'variation', a.ref, Number(data.n), deps.now());
            return x ? variationApprovalCard(a, x, { error: refusalText(e), values: { decisionNote: data.decisionNote }, errors: e.fields, note }) : refusalText(e);
          },
          { once: true },
        ),
      ),
      // ── a provider's cut: the social worker or a broker agrees first (src/app/approvals/providerChanges.ts)
      ...(['agreed', 'declined'] as const).map((outcome) =>
        guarded(
          outcome === 'agreed' ? 'agreement.variation.agree' : 'agreement.variation.decline',
          'agreement.manage',
          async (deps, { who, data }) => {
            const { agreement, variation, unchanged } = await answerProviderChange(deps.store, who, refIn(data), Number(data.n), outcome, str(data.agreementNote), deps.now());
            // The provider is told now only of an outcome; a change still waiting for an approver is told when decided.
            const next = variation.status === 'awaiting_approval' ? 'It now needs an approver (they have been sent it); the provider is told the outcome.' : `${variation.status === 'applied' ? `It applies from ${variation.effectiveFrom}.` : 'The current terms stand.'} The provider is told.`;
            return providerChangeCard(agreement, variation, { notice: unchanged ? 'You already answered this; nothing changed.' : `${outcome === 'agreed' ? 'Agreed' : 'Not agreed'}. ${next}` });
          },
          async (deps, { data }, e) => {
            const a = await loadAgreement(deps, refIn(data));
            const x = a.variations.find((v) => v.n === Number(data.n));
            return x ? providerChangeCard(a, x, { error: refusalText(e), values: { agreementNote: data.agreementNote }, errors: e.fields }) : refusalText(e);
          },
          { once: true },
        ),
      ),
      // ── the council: terms, suspensions, endings, re-brokering
      guarded('agreement.terms.form', 'agreement.manage', async (deps, { data }) => termsForm(await loadAgreement(deps, refIn(data)))),
      formAction(
        'agreement.terms',
        'agreement.manage',
        async (deps, { who, data }) => ((await setTerms(deps.store, who, refIn(data), inputs(data), deps.now())).unchanged ? 'Nothing changed.' : 'Saved as a new version.'),
        async (deps, { data }, errors) => termsForm(await loadAgreement(deps, refIn(data)), { values: inputs(data), errors }),
      ),
      guarded('agreement.suspend.form', 'agreement.manage', async (deps, { data }) => suspendForm(await loadAgreement(deps, refIn(data)), await rulesOf(deps.store))),
      formAction(
        'agreement.suspend',
        'agreement.manage',
        async (deps, { who, data }) => {
          const { suspension: s, unchanged } = await recordSuspension(deps.store, who, refIn(data), inputs(data), deps.now());
          return unchanged ? 'That suspension was already recorded.' : `Suspension recorded, ${s.from} to ${s.to}; the provider is told.`;
        },
        async (deps, { data }, errors) => suspendForm(await loadAgreement(deps, refIn(data)), await rulesOf(deps.store), { values: inputs(data), errors }),
      ),
      guarded('agreement.end.form', 'agreement.manage', async (deps, { data }) => endForm(await loadAgreement(deps, refIn(data)), 'end')),
      formAction(
        'agreement.end',
        'agreement.manage',
        async (deps, { who, data }) => ((await endAgreement(deps.store, who, refIn(data), inputs(data), deps.now())).unchanged ? 'It had already ended.' : 'Ended; the provider is told.'),
        async (deps, { data }, errors) => endForm(await loadAgreement(deps, refIn(data)), 'end', { values: inputs(data), errors }),
      ),
      guarded('agreement.rebroker.form', 'calloff.manage', async (deps, { data }) => endForm(await loadAgreement(deps, refIn(data)), 'rebroker')),
      formAction(
        'agreement.rebroker',
        'calloff.manage',
        async (deps, { who, data }) => {
          const r = await rebroker(deps.store, who, refIn(data), inputs(data), deps.now());
          return `${r.unchanged ? 'Already re-brokered' : 'Re-brokered'}: new request ${r.nextRef}, pre-filled; set its start and deadline, then submit and publish it.`;
        },
        async (deps, { data }, errors) => endForm(await loadAgreement(deps, refIn(data)), 'rebroker', { values: inputs(data), errors }),
      ),
      // ── the commissioner
      guarded(
        'contract.rules.save',
        'contract.rules',
        async (deps, { who, data }) => {
          const { rules, unchanged } = await setRules(deps.store, who, data);
          return rulesForm(rules, { notice: unchanged ? 'Nothing changed.' : 'Saved. Reminders and approval thresholds apply at once; period, tolerance, banking and retainer apply to agreements created from now on.' });
        },
        async (deps, { who, data }, e) => rulesForm(await getRules(deps.store, who), { values: data, errors: Object.keys(e.fields).length ? e.fields : { _form: e.message } }),
        { once: true },
      ),
    ],
  };
}
