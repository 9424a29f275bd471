import type { User } from '../../src/domain/framework.js';
import type { PackageRequest, Step } from '../../src/domain/request.js';
import { STEPS } from '../../src/domain/request.js';
import { AppError } from '../../src/app/errors.js';
import type { Who } from '../../src/app/actor.js';
import { addQuestionSlot, cancelRequest, getRequest, myRequests, overrideChecklist, saveStep, startRequest, submitRequest } from '../../src/app/requests/requests.js';
import type { Deps } from '../deps.js';
import type { Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { checklistCard, myRequestsCard, packageCard, personCard, reviewCard } from '../views/requestCards.js';
import { sendCard } from './common.js';
import { lookupsOf } from '../../src/app/framework/lookups.js';
import { requestView, type RequestView } from '../../src/app/requests/views.js';

const ref = (data: Record<string, unknown>) => (typeof data.ref === 'string' ? data.ref : '');

/** The card for a draft's step (or the read-only detail once submitted). */
async function cardFor(deps: Deps, user: User, r: PackageRequest, step: Step, extra: { errors?: Record<string, string>; notice?: string; error?: string } = {}): Promise<CardJson> {
  const v = await requestView(deps.store, user, r);
  if (r.state !== 'draft' || step === 'review') return reviewOf(deps, v, extra);
  if (step === 'person') return personCard(r, v.lookups, extra.errors);
  if (step === 'checklist') return checklistCard(r, v.lookups, { canOverride: v.canOverride, errors: extra.errors });
  return packageCard(r, v.lookups, extra.errors);
}

/** The request's review card, from the brokerage's view of it for this user. */
function reviewOf(deps: Deps, v: RequestView, extra: { errors?: Record<string, string>; notice?: string; error?: string; cancelError?: string } = {}): CardJson {
  return reviewCard(v.request, v.lookups, {
    now: deps.now(),
    editable: v.editable,
    cancellable: v.cancellable,
    notice: extra.notice,
    error: extra.error,
    fieldErrors: extra.errors,
    cancelError: extra.cancelError,
  });
}

async function detailCard(deps: Deps, user: User, r: PackageRequest, extra: Parameters<typeof reviewOf>[2] = {}): Promise<CardJson> {
  return reviewOf(deps, await requestView(deps.store, user, r), extra);
}

/** A refusal on a card: the message in place of the card would lose the user's place, so show it on a card. */
async function refusal(deps: Deps, user: User, who: Who, refText: string, e: AppError): Promise<CardJson | string> {
  try {
    const r = await getRequest(deps.store, who, refText);
    return await detailCard(deps, user, r, { error: e.message });
  } catch {
    return e.message;
  }
}

export function requestRoutes(): Routes {
  return {
    title: 'Package requests',
    commands: [
      {
        usage: 'new request',
        summary: 'Raise a package request: the person, the specialist-need checklist, the package, then review and submit.',
        pattern: /^new\s+request$/i,
        permission: 'request.raise',
        where: ['personal'],
        run: async (ctx, deps, { who }) => {
          const r = await startRequest(deps.store, who, deps.now());
          await sendCard(ctx, personCard(r, await lookupsOf(deps.store)));
        },
      },
      {
        usage: 'my requests',
        summary: 'Your requests and drafts, with where each is and what comes next.',
        pattern: /^my\s+requests?$/i,
        permission: 'request.raise',
        run: async (ctx, deps, { who }) => {
          await sendCard(ctx, myRequestsCard(await myRequests(deps.store, who), await lookupsOf(deps.store)));
        },
      },
      {
        usage: 'show PKG-2026-0001',
        summary: 'One request in full: what stays private and what providers see.',
        pattern: /^show\s+(PKG-\S+)$/i,
        permission: 'request.view',
        run: async (ctx, deps, { who, user, match }) => {
          const r = await getRequest(deps.store, who, match[1]);
          await sendCard(ctx, await detailCard(deps, user, r));
        },
      },
      {
        usage: 'cancel PKG-2026-0001 ‹reason›',
        summary: 'Cancel a request, saying why.',
        pattern: /^cancel\s+(PKG-\S+)(?:\s+(.*))?$/i,
        permission: 'request.raise',
        run: async (ctx, deps, { who, match }) => {
          try {
            const r = await cancelRequest(deps.store, who, match[1], match[2] ?? '', deps.now());
            await ctx.sendActivity(`${r.id} is cancelled (${r.cancelled?.reason}).`);
          } catch (e) {
            if (e instanceof AppError) return void (await ctx.sendActivity(e.fields.reason ? `Please say why, e.g. \`cancel ${match[1].toUpperCase()} the person moved out of area\`.` : e.message));
            throw e;
          }
        },
      },
    ],
    actions: [
      {
        verb: 'request.new',
        permission: 'request.raise',
        once: true,
        run: async (_c, deps, { who }) => personCard(await startRequest(deps.store, who, deps.now()), await lookupsOf(deps.store)),
      },
      {
        verb: 'request.edit',
        permission: 'request.raise',
        run: async (_c, deps, { who, user, data }) => {
          const step = STEPS.includes(data.step as Step) ? (data.step as Step) : 'review';
          try {
            const r = await getRequest(deps.store, who, ref(data));
            if (r.owner !== user.id && r.state === 'draft') return `${r.id} is ${r.ownerName}'s draft; only they can change it.`;
            return cardFor(deps, user, r, step);
          } catch (e) {
            if (e instanceof AppError) return e.message;
            throw e;
          }
        },
      },
      {
        verb: 'request.show',
        permission: 'request.view',
        run: async (_c, deps, { who, user, data }) => {
          try {
            return await detailCard(deps, user, await getRequest(deps.store, who, ref(data)));
          } catch (e) {
            if (e instanceof AppError) return e.message;
            throw e;
          }
        },
      },
      ...(['person', 'checklist', 'package'] as const).map((step) => ({
        verb: `request.${step}.save`,
        permission: 'request.raise' as const,
        run: async (_c: unknown, deps: Deps, { who, user, data }: { who: Who; user: User; data: Record<string, unknown> }) => {
          const { ref: refText, ...inputs } = data;
          try {
            const result = await saveStep(deps.store, who, String(refText ?? ''), step, inputs, deps.now());
            if (!result.ok) return cardFor(deps, user, result.request, step, { errors: result.errors });
            return cardFor(deps, user, result.request, result.request.step);
          } catch (e) {
            if (e instanceof AppError) return refusal(deps, user, who, String(refText ?? ''), e);
            throw e;
          }
        },
      })),
      {
        verb: 'request.package.addQuestion',
        permission: 'request.raise',
        run: async (_c, deps, { who, user, data }) => {
          const { ref: refText, ...inputs } = data;
          try {
            const result = await addQuestionSlot(deps.store, who, String(refText ?? ''), inputs, deps.now());
            return cardFor(deps, user, result.request, 'package', result.ok ? {} : { errors: result.errors });
          } catch (e) {
            if (e instanceof AppError) return refusal(deps, user, who, String(refText ?? ''), e);
            throw e;
          }
        },
      },
      {
        verb: 'request.checklist.override',
        permission: 'request.raise',
        run: async (_c, deps, { who, user, data }) => {
          try {
            // Keep the toggles as they were typed, then record the override.
            const { ref: _r, overrideReason, ...toggles } = data;
            await saveStep(deps.store, who, ref(data), 'checklist', { ...toggles, overrideReason }, deps.now());
            const result = await overrideChecklist(deps.store, who, ref(data), String(overrideReason ?? ''), deps.now());
            if (!result.ok) return cardFor(deps, user, result.request, 'checklist', { errors: result.errors });
            return cardFor(deps, user, result.request, result.request.step);
          } catch (e) {
            if (e instanceof AppError) return refusal(deps, user, who, ref(data), e);
            throw e;
          }
        },
      },
      {
        verb: 'request.submit',
        permission: 'request.raise',
        once: true,
        run: async (_c, deps, { who, user, data }) => {
          try {
            const { request, eligible, published } = await submitRequest(deps.store, who, ref(data), deps.now());
            const reach = published
              ? `It has been published to ${published.offered.length} provider${published.offered.length === 1 ? '' : 's'}.`
              : eligible === 0
                ? 'No admitted provider covers this lot and zone yet: a broker will look at the cascade.'
                : `A broker will publish it to the ${eligible} eligible provider${eligible === 1 ? '' : 's'}.`;
            return await detailCard(deps, user, request, { notice: `Submitted ${request.id}. ${reach}` });
          } catch (e) {
            if (e instanceof AppError) {
              try {
                const r = await getRequest(deps.store, who, ref(data));
                return await detailCard(deps, user, r, { error: e.message, errors: e.fields });
              } catch {
                return e.message;
              }
            }
            throw e;
          }
        },
      },
      {
        verb: 'request.cancel',
        permission: 'request.raise',
        once: true,
        run: async (_c, deps, { who, user, data }) => {
          try {
            const r = await cancelRequest(deps.store, who, ref(data), String(data.reason ?? ''), deps.now());
            return await detailCard(deps, user, r, { notice: `${r.id} is cancelled.` });
          } catch (e) {
            if (e instanceof AppError && e.fields.reason) {
              const r = await getRequest(deps.store, who, ref(data));
              return await detailCard(deps, user, r, { cancelError: e.fields.reason });
            }
            if (e instanceof AppError) return refusal(deps, user, who, ref(data), e);
            throw e;
          }
        },
      },
    ],
  };
}
