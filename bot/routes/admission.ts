import { TurnContext } from 'botbuilder';
import type { Application } from '../../src/domain/admission.js';
import type { User } from '../../src/domain/framework.js';
import type { Who } from '../../src/app/actor.js';
import { AppError } from '../../src/app/errors.js';
import { getApplication, myApplication, saveApplication, startApplication, submitApplication } from '../../src/app/admission/applications.js';
import { decideApplication, saveMarks } from '../../src/app/admission/evaluate.js';
import { changeStanding, StandingChange, STANDING_CHANGES } from '../../src/app/admission/standing.js';
import { admissionHomeView, applicantView, councilApplicationView, providerStanding } from '../../src/app/admission/views.js';
import { closeWindow, nameEvaluators, openWindow, pauseApplications, resumeApplications } from '../../src/app/admission/windows.js';
import type { Deps } from '../deps.js';
import { list } from '../forms/form.js';
import type { Action, Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { admissionHomeCard, applicationCard, applicationFormCard, standingCard } from '../views/admissionCards.js';
import { sendCard } from './common.js';

type Turn = { who: Who; user: User; data: Record<string, unknown> };

/** Where this conversation is, as plain data, so the applicant can be told the outcome here. */
function replyToOf(ctx: TurnContext): Record<string, unknown> {
  const ref = TurnContext.getConversationReference(ctx.activity);
  const id = (ref.conversation?.id ?? '').split(';')[0];
  return { ...ref, activityId: undefined, conversation: { ...ref.conversation, id } } as Record<string, unknown>;
}

const ref = (data: Record<string, unknown>) => (typeof data.ref === 'string' ? data.ref : '');
const isCouncil = (user: User) => user.roles.length > 0 && !user.roles.includes('provider');

const pausedText = (reason: string | undefined): string | undefined =>
  reason ? `New applications are paused: ${reason}. You can keep working on your draft; it can be submitted when they reopen.` : undefined;

/** The applicant's view of their application: the form while a draft, read-only after. */
async function applicantCard(deps: Deps, a: Application, o: { errors?: Record<string, string>; notice?: string } = {}): Promise<CardJson> {
  const v = await applicantView(deps.store, a);
  if (a.state === 'draft') return applicationFormCard(a, v.lookups, { ...o, paused: pausedText(v.pausedReason) });
  return applicationCard(a, v.lookups, v.window, { notice: o.notice });
}

/** The council's view; with marking inputs when this person may evaluate it now. */
async function councilCard(deps: Deps, who: Who, a: Application, o: { notice?: string; error?: string; errors?: Record<string, string>; evaluate?: boolean } = {}): Promise<CardJson> {
  const v = await councilApplicationView(deps.store, who, a, !!o.evaluate);
  return applicationCard(a, v.lookups, v.window, {
    notice: o.notice,
    error: o.error ?? v.refusal,
    errors: o.errors,
    evaluating: !!o.evaluate && v.refusal === undefined && a.state === 'submitted',
    council: true,
    gapsFilled: v.gapsFilled,
  });
}

async function homeCard(deps: Deps, o: Parameters<typeof admissionHomeCard>[2] = {}): Promise<CardJson> {
  const v = await admissionHomeView(deps.store);
  return admissionHomeCard(v.status, v.users, o);
}

/** Runs a use case; a refusal comes back as the card it belongs on instead of losing the user's place. */
async function orCard(run: () => Promise<CardJson | string>, onError: (e: AppError) => Promise<CardJson | string>): Promise<CardJson | string> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof AppError) return onError(e);
    throw e;
  }
}

export function admissionRoutes(): Routes {
  const evaluationActions: Action[] = [
    {
      verb: 'admission.marks.save',
      run: async (_c, deps, { who, data }: Turn) =>
        orCard(
          async () => {
            const r = await saveMarks(deps.store, who, ref(data), data, deps.now());
            return councilCard(deps, who, r.application, r.ok ? { notice: r.message, evaluate: true } : { errors: r.errors, evaluate: true });
          },
          async (e) => orCard(async () => councilCard(deps, who, await getApplication(deps.store, who, ref(data)), { error: e.message }), async () => e.message),
        ),
    },
    ...(['admit', 'reject'] as const).map(
      (verb): Action => ({
        verb: `admission.${verb}`,
        run: async (ctx, deps, { who, data }) =>
          orCard(
            async () => {
              const r = await decideApplication(deps.store, who, ref(data), verb === 'admit' ? 'admitted' : 'rejected', data, deps.now());
              if (!r.ok) return councilCard(deps, who, r.application, { errors: r.errors, evaluate: true });
              return councilCard(deps, who, r.application, { notice: r.message });
            },
            async (e) => orCard(async () => councilCard(deps, who, await getApplication(deps.store, who, ref(data)), { error: e.message }), async () => e.message),
          ),
      }),
    ),
  ];

  const windowAction = (verb: string, run: (ctx: TurnContext, deps: Deps, turn: Turn) => Promise<string>): Action => ({
    verb,
    permission: 'admission.manage',
    run: async (ctx, deps, turn) => {
      const values = { closesOn: turn.data.closesOn, evaluators: list(turn.data.evaluators), reason: turn.data.reason };
      try {
        return await homeCard(deps, { notice: await run(ctx, deps, turn) });
      } catch (e) {
        if (e instanceof AppError) return homeCard(deps, { error: e.message, errors: e.fields, values });
        throw e;
      }
    },
  });

  return {
    title: 'Framework admission',
    commands: [
      {
        usage: 'apply',
        summary: 'Apply to join the framework as a care provider: your organisation, lots and zones, the admission questions and declarations. Drafts are kept.',
        pattern: /^apply$/i,
        open: true,
        where: ['personal', 'channel'],
        run: async (ctx, deps, { who }) => {
          const { application, resumed } = await startApplication(deps.store, who, deps.now(), replyToOf(ctx));
          await sendCard(ctx, await applicantCard(deps, application, { notice: resumed ? (application.state === 'draft' ? 'Here is your draft, as you left it.' : 'You have already applied: here is your application.') : '' }));
        },
      },
      {
        usage: 'my application',
        summary: 'Your application to the framework: your draft, or where a submitted one is, and its outcome.',
        pattern: /^my\s+application$/i,
        open: true,
        run: async (ctx, deps, { who }) => {
          const a = await myApplication(deps.store, who);
          if (!a) return void (await ctx.sendActivity('You have no application to the framework. Type `apply` to start one.'));
          await sendCard(ctx, await applicantCard(deps, a));
        },
      },
      {
        usage: 'applications',
        summary: 'Framework admission: evaluation windows, pausing applications, and the applications to evaluate.',
        pattern: /^(applications|admission)$/i,
        run: async (ctx, deps, { user }) => {
          if (!isCouncil(user)) return void (await ctx.sendActivity('`applications` is for council staff. Type `my application` to see yours.'));
          await sendCard(ctx, await homeCard(deps));
        },
      },
      {
        usage: 'evaluate APP-2026-0001',
        summary: 'Mark an application and admit or reject it (commissioner, or an evaluator named for the window).',
        pattern: /^evaluate\s+(APP-\S+)$/i,
        run: async (ctx, deps, { who, user, match }) => {
          if (!isCouncil(user)) return void (await ctx.sendActivity('Only the commissioner, or an evaluator named for the window, can evaluate applications.'));
          await sendCard(ctx, await councilCard(deps, who, await getApplication(deps.store, who, match[1]), { evaluate: true }));
        },
      },
      {
        usage: 'standing ‹provider id›',
        summary: 'Suspend, reinstate or record that a provider left, with a reason; keep or withdraw its open bids.',
        pattern: /^standing\s+(\S+)$/i,
        permission: 'framework.manage',
        run: async (ctx, deps, { match }) => {
          const p = await providerStanding(deps.store, match[1].toLowerCase());
          if (!p) return void (await ctx.sendActivity(`There is no provider "${match[1]}". \`framework\` lists them.`));
          await sendCard(ctx, standingCard(p));
        },
      },
    ],
    actions: [
      {
        verb: 'admission.save',
        open: true,
        run: async (_c, deps, { who, data }) =>
          orCard(
            async () => {
              const r = await saveApplication(deps.store, who, ref(data), data, deps.now());
              return applicantCard(deps, r.application, r.ok ? { notice: r.notice } : { errors: r.errors });
            },
            async (e) => e.message,
          ),
      },
      {
        verb: 'admission.submit',
        open: true,
        run: async (ctx, deps, { who, data }) =>
          orCard(
            async () => {
              const r = await submitApplication(deps.store, who, ref(data), data, deps.now(), replyToOf(ctx));
              return applicantCard(deps, r.application, r.ok ? { notice: r.notice } : { errors: r.errors });
            },
            async (e) => orCard(async () => applicantCard(deps, await getApplication(deps.store, who, ref(data)), { errors: { _form: e.message } }), async () => e.message),
          ),
      },
      {
        verb: 'admission.show',
        open: true,
        run: async (_c, deps, { who, user, data }) =>
          orCard(
            async () => {
              const a = await getApplication(deps.store, who, ref(data));
              return isCouncil(user) ? councilCard(deps, who, a) : applicantCard(deps, a);
            },
            async (e) => e.message,
          ),
      },
      {
        verb: 'admission.evaluate',
        run: async (_c, deps, { who, user, data }) => {
          if (!isCouncil(user)) return 'Only the commissioner, or an evaluator named for the window, can evaluate applications.';
          return orCard(async () => councilCard(deps, who, await getApplication(deps.store, who, ref(data)), { evaluate: true }), async (e) => e.message);
        },
      },
      {
        verb: 'admission.home',
        run: async (_c, deps, { user }) => (isCouncil(user) ? homeCard(deps) : '`applications` is for council staff.'),
      },
      ...evaluationActions,
      windowAction('admission.window.open', async (_c, deps, { who, data }) => {
        const { window, joined } = await openWindow(deps.store, who, { closesOn: typeof data.closesOn === 'string' ? data.closesOn : undefined, evaluators: list(data.evaluators) }, deps.now());
        return `Opened evaluation window ${window.id}.${joined.length ? ` ${joined.length} waiting application${joined.length === 1 ? '' : 's'} joined it.` : ''}`;
      }),
      windowAction('admission.window.evaluators', async (_c, deps, { who, data }) => {
        const w = await nameEvaluators(deps.store, who, list(data.evaluators));
        return `Evaluators of window ${w.id} saved.`;
      }),
      windowAction('admission.window.close', async (_c, deps, { who }) => {
        const { window, carried, decided } = await closeWindow(deps.store, who, deps.now());
        return `Closed window ${window.id}: ${decided} decided${carried.length ? `; ${carried.length} not decided, waiting for the next window` : ''}.`;
      }),
      windowAction('admission.pause', async (ctx, deps, { who, data }) => {
        const { notices } = await pauseApplications(deps.store, who, typeof data.reason === 'string' ? data.reason : '', deps.now());
        return `New applications are paused.${notices.length ? ` ${notices.length} applicant${notices.length === 1 ? ' with a draft is' : 's with drafts are'} being told.` : ''}`;
      }),
      windowAction('admission.resume', async (ctx, deps, { who }) => {
        await resumeApplications(deps.store, who, deps.now());
        return 'New applications are open again.';
      }),
      ...STANDING_CHANGES.map(
        (change: StandingChange): Action => ({
          verb: `admission.standing.${change}`,
          permission: 'framework.manage',
          run: async (ctx, deps, { who, data }) => {
            const providerId = typeof data.providerId === 'string' ? data.providerId : '';
            const values = { reason: data.reason, openBids: data.openBids };
            try {
              const r = await changeStanding(deps.store, who, providerId, change, String(data.reason ?? ''), String(data.openBids ?? ''), deps.now());
              return standingCard(r.provider, { notice: r.message });
            } catch (e) {
              if (!(e instanceof AppError)) throw e;
              const p = await providerStanding(deps.store, providerId);
              return p ? standingCard(p, { error: e.fields.reason || e.fields.openBids ? '' : e.message, errors: e.fields, values }) : e.message;
            }
          },
        }),
      ),
    ],
  };
}

