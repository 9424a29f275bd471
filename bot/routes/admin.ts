import { TurnContext } from 'botbuilder';
import type { Who } from '../../src/app/actor.js';
import { saveEntity, removeEntity, getSettings, saveSettings, setProviderStatus } from '../../src/app/framework/admin.js';
import { channelWarning, registerProviderChannel } from '../../src/app/framework/channels.js';
import { ENTITY_KINDS, EntityKindName } from '../../src/app/framework/entities.js';
import { adminHomeView, entitiesOf, entityOf, frameworkView as frameworkViewOf, pickLists } from '../../src/app/framework/views.js';
import { AppError } from '../../src/app/errors.js';
import type { ProviderStatus } from '../../src/domain/framework.js';
import type { Deps } from '../deps.js';
import { ADMIN_FORMS, Options } from '../forms/adminForms.js';
import { CardAction, renderForm } from '../forms/form.js';
import type { Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { listCard } from '../views/listCard.js';
import { matches, pageLine, pageOf, pagerActions, queryOf } from '../views/paging.js';
import { sendCard } from './common.js';
import { frameworkCard as frameworkView, type FrameworkQuery } from '../views/frameworkCards.js';
import { channelKindOf } from '../teamsChannel.js';

const KINDS = Object.keys(ENTITY_KINDS) as EntityKindName[];
const isKind = (k: unknown): k is EntityKindName => typeof k === 'string' && (KINDS as string[]).includes(k);

async function options(deps: Deps): Promise<Options> {
  const { lots, zones, providers } = await pickLists(deps.store);
  const toChoice = (x: { id: string; name: string }) => ({ title: x.name, value: x.id });
  return { lots: lots.map(toChoice), zones: zones.map(toChoice), providers: providers.map(toChoice) };
}

const back: CardAction = { title: 'Back to administration', verb: 'admin.home', inputs: 'none' };

export async function adminHome(deps: Deps, notice = ''): Promise<CardJson> {
  const { counts, settings } = await adminHomeView(deps.store);
  return listCard({
    title: `Framework administration · ${settings.councilName}`,
    notice,
    rows: [
      ...KINDS.map((k) => ({
        title: ADMIN_FORMS[k].plural,
        subtitle: `${counts[k]} recorded`,
        actions: [{ title: 'Open', verb: 'admin.list', data: { kind: k } }],
      })),
      {
        title: 'Settings',
        subtitle: `Minimum sustainable rate £${settings.minHourlyRate.toFixed(2)} an hour · publish on submit: ${settings.publishOnSubmit ? 'yes' : 'no'}`,
        actions: [{ title: 'Edit', verb: 'admin.settings', data: {} }],
      },
    ],
    actions: [{ title: 'Framework coverage', verb: 'admin.framework', data: {} }],
  });
}

/** Rows a list card shows at once; a council's 250 providers come a page at a time, with a search. */
const ROWS_PER_PAGE = 15;

export async function adminListCard(deps: Deps, kind: EntityKindName, notice = '', noticeColor = 'Good', view: { page?: unknown; q?: unknown; focus?: string } = {}): Promise<CardJson> {
  const form = ADMIN_FORMS[kind] as (typeof ADMIN_FORMS)[EntityKindName];
  const items = await entitiesOf(deps.store, kind);
  const q = queryOf(view.q);
  const all = items.map((item) => ({ ...form.row(item as never), id: item.id })).sort((a, b) => a.title.localeCompare(b.title));
  const found = all.filter((r) => matches(`${r.title} ${r.subtitle} ${r.id}`, q));
  // After a save, the page with the item just saved, so its Edit button is to hand.
  const at = view.focus ? found.findIndex((r) => r.id === view.focus) : -1;
  const page = pageOf(found, at >= 0 ? Math.floor(at / ROWS_PER_PAGE) + 1 : view.page, ROWS_PER_PAGE);
  return listCard({
    title: form.plural,
    notice,
    noticeColor,
    search: all.length > ROWS_PER_PAGE ? { verb: 'admin.list', data: { kind }, label: `Find a ${form.title}`, placeholder: 'part of a name or id', value: q } : undefined,
    pageLine: pageLine(page, `${form.title}s`, all.length, q),
    empty: q ? `No ${form.title} matches "${q}".` : `No ${form.title}s yet.`,
    rows: page.items.map((r) => ({ title: r.title, subtitle: r.subtitle, actions: [{ title: 'Edit', verb: 'admin.edit', data: { kind, id: r.id } }] })),
    actions: [{ title: `Add a ${form.title}`, verb: 'admin.edit', data: { kind }, style: 'positive' }, ...pagerActions(page, 'admin.list', { kind, q }), { title: 'Back', verb: 'admin.home', data: {} }],
  });
}

async function editCard(deps: Deps, kind: EntityKindName, editing: string | undefined, values: Record<string, unknown>, errors: Record<string, string> = {}, formError = ''): Promise<CardJson> {
  const form = ADMIN_FORMS[kind];
  const actions: CardAction[] = [
    { title: 'Save', verb: 'admin.save', data: { kind, editing }, style: 'positive' },
    { title: 'Cancel', verb: 'admin.list', data: { kind }, inputs: 'none' },
  ];
  if (editing) actions.push({ title: 'Remove', verb: 'admin.remove', data: { kind, id: editing }, style: 'destructive', inputs: 'none' });
  return renderForm({
    title: editing ? `Edit ${form.title} "${editing}"` : `Add a ${form.title}`,
    fields: form.fields(await options(deps), !!editing),
    values,
    errors,
    formError,
    actions,
  });
}

async function settingsCard(deps: Deps, values?: Record<string, unknown>, errors: Record<string, string> = {}): Promise<CardJson> {
  return renderForm({
    title: 'Framework settings',
    fields: [
      { id: 'councilName', label: 'Council name', kind: 'text', required: true },
      { id: 'minHourlyRate', label: 'Minimum sustainable hourly rate (£)', kind: 'number', required: true, help: 'Bids below it are flagged "unsustainable price".' },
      { id: 'publishOnSubmit', label: 'Publish call-offs as soon as a request is submitted', kind: 'toggle' },
      { id: 'sequentialRoundHours', label: 'Sequential offers: hours each tier has to accept', kind: 'number', required: true, help: 'Lead providers first, then supplementary, then contingency.' },
      { id: 'postcodeExample', label: 'Example postcode shown on request cards', kind: 'text', maxLength: 10, help: 'One in your area, e.g. the council offices. Empty: no example.' },
      { id: 'caseRefExample', label: 'Example case reference shown on request cards', kind: 'text', maxLength: 30, help: 'In the format of your case-management system. Empty: no example.' },
    ],
    values: values ?? { ...(await getSettings(deps.store)) },
    errors,
    actions: [
      { title: 'Save', verb: 'admin.settings.save', style: 'positive' },
      { ...back, title: 'Cancel' },
    ],
  });
}

/** Card inputs are everything in data except the routing keys the card itself put there. */
function inputsOf(data: Record<string, unknown>): Record<string, unknown> {
  const { kind: _k, editing: _e, ...rest } = data;
  return rest;
}

export function adminRoutes(): Routes {
  return {
    title: 'Framework',
    commands: [
      {
        usage: 'admin',
        summary: 'Manage lots, zones, providers, users and roles, the specialist-need checklist and settings.',
        pattern: /^admin(istration)?$/i,
        permission: 'framework.manage',
        run: async (ctx, deps) => {
          await sendCard(ctx, await adminHome(deps));
        },
      },
      {
        usage: 'framework',
        summary: 'Providers by lot and zone, with gaps where nobody is admitted.',
        pattern: /^framework$/i,
        permission: 'framework.view',
        run: async (ctx, deps) => {
          await sendCard(ctx, await frameworkCard(deps));
        },
      },
      {
        usage: 'register provider ‹provider id›',
        summary: "In a provider's shared channel (add the bot to that channel first: installing it in the team does not add it to shared channels): make it the channel where that provider receives call-offs.",
        pattern: /^register\s+provider\s+(\S+)$/i,
        permission: 'channel.register',
        where: ['channel'],
        run: async (ctx, deps, { who, match }) => {
          const channel = channelOf(ctx);
          const p = await registerProviderChannel(deps.store, who, match[1].toLowerCase(), channel, deps.now().toISOString());
          const warning = channelWarning(channel);
          // Registered all the same (a council may test in a standard channel first), but never silently.
          if (warning) await ctx.sendActivity(`This channel is now ${p.name}'s channel, but ${warning}`);
          else await ctx.sendActivity(`This channel is now ${p.name}'s channel: call-offs for ${p.name} will be posted here.${channel.kind === 'shared' ? '' : ` If it is not a shared channel with ${p.name}, their staff will not see them.`}`);
        },
      },
      ...(['admit', 'suspend', 'reinstate'] as const).map((verb) => ({
        usage: `${verb} ‹provider id›${verb === 'admit' ? '' : ' ‹reason›'}`,
        summary: verb === 'admit' ? 'Admit a provider to the framework.' : verb === 'suspend' ? 'Stop a provider receiving new call-offs, with a reason.' : 'Reinstate a suspended provider, with a reason.',
        pattern: new RegExp(`^${verb}\\s+(\\S+)(?:\\s+(.+))?$`, 'i'),
        permission: 'framework.manage' as const,
        run: async (ctx: TurnContext, deps: Deps, { who, match }: { who: Who; match: RegExpMatchArray }) => {
          const status: ProviderStatus = verb === 'suspend' ? 'suspended' : 'admitted';
          const reason = match[2];
          if (verb === 'reinstate' && !reason) return void (await ctx.sendActivity('Say why, e.g. `reinstate caring-hands improvement plan completed`.'));
          const p = await setProviderStatus(deps.store, who, match[1].toLowerCase(), status, reason);
          await ctx.sendActivity(`${p.name} is now ${p.status}${p.statusReason ? ` (${p.statusReason})` : ''}.`);
        },
      })),
    ],
    actions: [
      { verb: 'admin.home', permission: 'framework.manage', run: (_c, deps) => adminHome(deps) },
      {
        verb: 'admin.framework',
        permission: 'framework.view',
        run: (_c, deps, { data }) => frameworkCard(deps, { lot: typeof data.lot === 'string' ? data.lot : undefined, view: data.view === 'unreachable' ? 'unreachable' : undefined, page: data.page, q: data.q }),
      },
      {
        verb: 'admin.list',
        permission: 'framework.manage',
        run: async (_c, deps, { data }) => (isKind(data.kind) ? adminListCard(deps, data.kind, '', 'Good', { page: data.page, q: data.q }) : adminHome(deps)),
      },
      {
        verb: 'admin.edit',
        permission: 'framework.manage',
        run: async (_c, deps, { data }) => {
          if (!isKind(data.kind)) return adminHome(deps);
          const id = typeof data.id === 'string' ? data.id : undefined;
          if (!id) return editCard(deps, data.kind, undefined, {});
          const item = await entityOf(deps.store, data.kind, id);
          if (!item) return adminListCard(deps, data.kind, `"${id}" no longer exists.`, 'Attention');
          return editCard(deps, data.kind, id, ADMIN_FORMS[data.kind].values(item as never));
        },
      },
      {
        verb: 'admin.save',
        permission: 'framework.manage',
        once: true,
        run: async (_c, deps, { who, data }) => {
          if (!isKind(data.kind)) return adminHome(deps);
          const editing = typeof data.editing === 'string' ? data.editing : undefined;
          const inputs = inputsOf(data);
          if (editing) inputs.id = editing; // the id field is shown, but the stored id is the one edited
          try {
            const saved = await saveEntity(deps.store, who, data.kind, ADMIN_FORMS[data.kind].parse(inputs), { editing });
            return adminListCard(deps, data.kind, `Saved ${ADMIN_FORMS[data.kind].title} "${saved.id}".`, 'Good', { focus: saved.id });
          } catch (e) {
            if (e instanceof AppError) return editCard(deps, data.kind, editing, inputs, e.fields, e.message);
            throw e;
          }
        },
      },
      {
        verb: 'admin.remove',
        permission: 'framework.manage',
        once: true,
        run: async (_c, deps, { who, data }) => {
          if (!isKind(data.kind) || typeof data.id !== 'string') return adminHome(deps);
          try {
            await removeEntity(deps.store, who, data.kind, data.id);
            return adminListCard(deps, data.kind, `Removed "${data.id}".`);
          } catch (e) {
            if (e instanceof AppError) return adminListCard(deps, data.kind, e.message, 'Attention');
            throw e;
          }
        },
      },
      { verb: 'admin.settings', permission: 'framework.manage', run: (_c, deps) => settingsCard(deps) },
      {
        verb: 'admin.settings.save',
        permission: 'framework.manage',
        once: true,
        run: async (_c, deps, { who, data }) => {
          const inputs = { ...data, publishOnSubmit: data.publishOnSubmit === 'true' || data.publishOnSubmit === true };
          try {
            await saveSettings(deps.store, who, inputs);
            return adminHome(deps, 'Settings saved.');
          } catch (e) {
            if (e instanceof AppError) return settingsCard(deps, inputs, e.fields);
            throw e;
          }
        },
      },
    ],
  };
}

export async function frameworkCard(deps: Deps, query: FrameworkQuery = {}): Promise<CardJson> {
  const v = await frameworkViewOf(deps.store);
  return frameworkView(v.summary, v.councilName, v.minHourlyRate, query);
}

/** The channel the message came from, as plain data for src/. */
function channelOf(ctx: TurnContext) {
  const a = ctx.activity;
  const data = a.channelData as { team?: { id?: string }; channel?: { name?: string }; tenant?: { id?: string } } | undefined;
  // A channel message's conversation id ends in ";messageid=…" (its thread); posts go to the channel.
  const conversationId = a.conversation.id.split(';')[0];
  const ref = TurnContext.getConversationReference(a);
  return {
    conversationId,
    teamId: data?.team?.id,
    tenantId: data?.tenant?.id ?? a.conversation.tenantId,
    serviceUrl: a.serviceUrl,
    channelName: data?.channel?.name,
    kind: channelKindOf(a),
    // Posts go to the channel, not to whoever registered it.
    reference: { ...ref, activityId: undefined, user: undefined, conversation: { ...ref.conversation, id: conversationId } } as Record<string, unknown>,
  };
}
