import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Activity, ActivityTypes, TestAdapter } from 'botbuilder';
import YAML from 'yaml';
import { readFile } from 'node:fs/promises';
import { createBot, type Bot } from '../../bot/app.js';
import { startRuntime, type Runtime } from '../../bot/runtime.js';
import { renderMessage } from '../../bot/messages.js';
import { conversationOf, type OutboxItem } from '../../src/outbox/outbox.js';
import type { Deps } from '../../bot/deps.js';
import { RefusalAudit } from '../../src/app/refusals.js';
import { importFramework } from '../../src/app/framework/importFile.js';
import { silentLogger } from '../../src/log.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../src/store/collections.js';

/** The demo users, by first name. */
export const PEOPLE = {
  alex: { id: 'user-alex', aadObjectId: 'a1e0f3b2-0001-4000-8000-000000000001', name: 'Alex Morgan' },
  sam: { id: 'user-sam', aadObjectId: 'a1e0f3b2-0002-4000-8000-000000000002', name: 'Sam Patel' },
  morgan: { id: 'user-morgan', aadObjectId: 'a1e0f3b2-0003-4000-8000-000000000003', name: 'Morgan Lee' },
  priya: { id: 'user-priya', aadObjectId: 'a1e0f3b2-0004-4000-8000-000000000004', name: 'Priya Shah' },
  tom: { id: 'user-tom', aadObjectId: 'a1e0f3b2-0005-4000-8000-000000000005', name: 'Tom Okafor' },
  jo: { id: 'user-jo', aadObjectId: 'a1e0f3b2-0006-4000-8000-000000000006', name: 'Jo Visitor' },
} as const;
export type Person = keyof typeof PEOPLE;

/** What the bot posted proactively (provider channels, people's 1:1 chats), as rendered. */
export interface Posted {
  item: OutboxItem;
  to: string;
  activity: Partial<Activity>;
  replaced?: string;
}

export interface Turns {
  bot: Bot;
  runtime: Runtime;
  posted: Posted[];
  /** Waits until every queued post has gone out. */
  drained(): Promise<void>;
  store: BrokerageStore;
  deps: Deps;
  /** Sends a message as a person in their 1:1 chat and returns the bot's replies. */
  say(as: Person, text: string, conversation?: Partial<Activity['conversation']> & { channelData?: unknown }): Promise<Partial<Activity>[]>;
  /** Sends any activity (conversation updates, installs) from a person; returns the bot's replies. */
  send(as: Person, activity: Partial<Activity>): Promise<Partial<Activity>[]>;
  /** Clicks an Action.Execute button as a person; resolves with the invoke response body. */
  click(as: Person, verb: string, data?: Record<string, unknown>): Promise<{ statusCode: number; type: string; value: unknown }>;
  close(): Promise<void>;
}

/** A bot on a fresh store with the demo framework, driven through botbuilder's TestAdapter. */
export async function startTurns(options: { now?: () => Date } = {}): Promise<Turns> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-turns-'));
  const store = await openBrokerageLowdb(dir);
  await importFramework(store, 'test', YAML.parse(await readFile('demo/framework.yaml', 'utf8')));
  const deps: Deps = { store, logger: silentLogger, config: { anonymous: true }, now: options.now ?? (() => new Date()), refusals: new RefusalAudit(store) };
  const bot = createBot(deps);
  const posted: Posted[] = [];
  let counter = 0;
  const runtime = startRuntime(deps, {
    async deliver(item, replace) {
      const activity = await renderMessage(deps, item);
      if (activity === 'skip') return 'skip';
      const to = conversationOf(item);
      posted.push({ item, to, activity, replaced: replace });
      return { activityId: replace ?? `activity-${++counter}` };
    },
  });
  const adapter = new TestAdapter(async (ctx) => {
    await bot.app.run(ctx);
  });
  const base = (as: Person) => ({
    channelId: 'msteams',
    serviceUrl: 'https://test.example/',
    from: { id: PEOPLE[as].id, aadObjectId: PEOPLE[as].aadObjectId, name: PEOPLE[as].name },
    recipient: { id: '28:bot', name: 'Brokerage Bot' },
    conversation: { id: `personal-${as}`, conversationType: 'personal', isGroup: false, name: '' },
  });
  const collect = async (activity: Partial<Activity>) => {
    const replies: Partial<Activity>[] = [];
    await adapter.processActivity(activity, async (ctx) => {
      ctx.onSendActivities(async (_c, acts, next) => {
        replies.push(...acts);
        return next();
      });
      await bot.app.run(ctx);
    });
    return replies;
  };
  return {
    bot,
    runtime,
    posted,
    drained: () => runtime.outbox.idle(),
    store,
    deps,
    say: (as, text, conversation) => {
      const b = base(as);
      const { channelData, ...conv } = conversation ?? {};
      return collect({ ...b, type: ActivityTypes.Message, text, conversation: { ...b.conversation, ...conv } as Activity['conversation'], channelData });
    },
    send: (as, activity) => collect({ ...base(as), ...activity }),
    click: async (as, verb, data = {}) => {
      const replies = await collect({ ...base(as), type: ActivityTypes.Invoke, name: 'adaptiveCard/action', replyToId: `card-${verb}`, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });
      const response = replies.find((r) => r.type === 'invokeResponse');
      if (!response) throw new Error(`no invoke response for ${verb}`);
      return (response.value as { body: { statusCode: number; type: string; value: unknown } }).body;
    },
    close: async () => {
      runtime.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** All the text a card shows (TextBlocks, facts, input labels and values), for assertions. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    for (const k of ['text', 'title', 'value', 'label']) if (typeof o[k] === 'string' || typeof o[k] === 'number') out.push(String(o[k]));
    for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
  };
  walk(card);
  return out.join('\n');
}

export function cardOf(reply: Partial<Activity> | undefined): Record<string, unknown> {
  const a = reply?.attachments?.[0];
  if (!a) throw new Error(`expected a card, got: ${reply?.text}`);
  return a.content as Record<string, unknown>;
}
