import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import YAML from 'yaml';
import { createBot, type Bot } from '../../bot/app.js';
import { teamsDelivery } from '../../bot/delivery.js';
import type { Deps } from '../../bot/deps.js';
import { startRuntime, type Runtime } from '../../bot/runtime.js';
import { importFramework } from '../../src/app/framework/importFile.js';
import { silentLogger } from '../../src/log.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../src/store/collections.js';
import { MockConnector, type MockOptions } from '../../bench/mockConnector.js';
import { RefusalAudit } from '../../src/app/refusals.js';
import type { RateLedger } from '../../src/outbox/rateLedger.js';
import { PEOPLE } from './turns.js';
import { graphChannelMessages } from '../../bot/channelMessages.js';

/** The providers eligible for the fixtures' package (learning disability in Bury East), by id. */
export const ELIGIBLE = ['caring-hands', 'brightpath', 'signing-hands'];

export const channelOf = (providerId: string) => `19:chan-${providerId}@thread.tacv2`;

export interface ConnectorWorld {
  mock: MockConnector;
  store: BrokerageStore;
  deps: Deps;
  bot: Bot;
  runtime: Runtime;
  /** Every eligible provider, the demo's three and the added ones. */
  providers: string[];
  /**
   * Clicks an Action.Execute button as a person (the invoke goes through the same teams-ai app); resolves with the reply card or text.
   * By default from the person's 1:1 chat; `where` puts it in a channel, on a given post, as Teams' automatic refresh.
   */
  click(as: keyof typeof PEOPLE, verb: string, data?: Record<string, unknown>, where?: { conversationId: string; replyToId: string; trigger?: 'manual' | 'automatic' }): Promise<unknown>;
  /**
   * Any activity through the real TeamsAdapter, as `/api/messages` hands it over (anonymous auth):
   * the turn gets a connector client for the activity's serviceUrl (the local connector unless the
   * activity names another), so Teams calls in the turn reach it. Resolves with the HTTP status the
   * adapter answered and its body (the invoke response, for an invoke).
   */
  send(activity: Partial<Activity>): Promise<{ status: number; body?: unknown }>;
  close(): Promise<void>;
}

/**
 * The demo framework plus `count` eligible providers (the demo's three and copies of Caring
 * Hands), each with a channel on the connector at `url`, and Alex's and Sam's 1:1 chats there.
 */
export async function seedChannels(store: BrokerageStore, url: string, count = ELIGIBLE.length): Promise<string[]> {
  await importFramework(store, 'test', YAML.parse(await readFile('demo/framework.yaml', 'utf8')));
  const providers = [...ELIGIBLE];
  await store.transact({ actor: 'test', action: 'test.world' }, async (tx) => {
    const model = (await tx.get('providers', 'caring-hands'))!;
    for (let i = ELIGIBLE.length; i < count; i++) {
      const id = `extra-${i}`;
      tx.put('providers', { ...model, id, name: `Extra Care ${i}`, cqcNumber: undefined });
      providers.push(id);
    }
    for (const id of providers) {
      const conversationId = channelOf(id);
      const reference = { channelId: 'msteams', serviceUrl: url, bot: { id: '28:bot', name: 'Brokerage Bot' }, conversation: { id: conversationId, conversationType: 'channel', isGroup: true } };
      tx.put('providers', { ...(await tx.get('providers', id))!, channel: { conversationId, teamId: 'team-1', serviceUrl: url, reference, registeredBy: 'test', registeredAt: new Date().toISOString() } });
    }
    for (const who of [PEOPLE.alex, PEOPLE.sam]) {
      const conversation = { id: `a:personal-${who.id}`, conversationType: 'personal' };
      tx.put('installations', { id: conversation.id, kind: 'personal', serviceUrl: url, userId: who.aadObjectId, installedAt: new Date().toISOString(), reference: { channelId: 'msteams', serviceUrl: url, bot: { id: '28:bot' }, conversation, user: { id: who.id } } });
    }
  });
  return providers;
}

/**
 * The real bot's proactive path: teams-ai's Application (so app.error installs a turn-error
 * handler, as in production), botbuilder's TeamsAdapter and connector client, posting over HTTP
 * to a local Bot Connector whose answers a test scripts. Only the HTTP edge is fake.
 */
export async function connectorWorld(
  options: {
    providers?: number;
    now?: () => Date;
    timeoutMs?: number;
    mock?: MockOptions;
    ledger?: RateLedger;
    /** Another world's connector, shared (another instance of the bot). */
    connector?: MockConnector;
    /** Claims on posts and jobs (default 60 s). */
    leaseMs?: number;
    /** The council granted ChannelMessage.Read.Group: the bot reads channels (Graph, answered by the mock). */
    readChannels?: boolean;
  } = {},
): Promise<ConnectorWorld> {
  const mock = options.connector ?? new MockConnector(options.mock);
  const url = options.connector ? mock.url : await mock.start();
  const dir = await mkdtemp(join(tmpdir(), 'bb-connector-'));
  const store = await openBrokerageLowdb(dir);
  const providers = await seedChannels(store, url, options.providers);
  const deps: Deps = { store, logger: silentLogger, config: { anonymous: true }, now: options.now ?? (() => new Date()), refusals: new RefusalAudit(store) };
  const adapter = new TeamsAdapter({});
  const bot = createBot(deps, adapter);
  const channelMessages = options.readChannels ? graphChannelMessages({ graphUrl: url, appId: '', token: async () => undefined }) : undefined;
  const runtime = startRuntime(deps, teamsDelivery(adapter, '', deps, { channelMessages }), { timeoutMs: options.timeoutMs, ledger: options.ledger, leaseMs: options.leaseMs });
  const invokes = new TestAdapter(async (ctx) => void (await bot.app.run(ctx)));
  const click: ConnectorWorld['click'] = async (as, verb, data = {}, where) => {
    const p = PEOPLE[as];
    const replies: Partial<Activity>[] = [];
    const conversation = where ? { id: `${where.conversationId};messageid=${where.replyToId}`, conversationType: 'channel', isGroup: true } : { id: `a:personal-${p.id}`, conversationType: 'personal' };
    const activity = { type: ActivityTypes.Invoke, name: 'adaptiveCard/action', channelId: 'msteams', serviceUrl: url, replyToId: where?.replyToId ?? `card-${verb}`, from: { id: p.id, aadObjectId: p.aadObjectId, name: p.name }, recipient: { id: '28:bot' }, conversation, value: { action: { type: 'Action.Execute', verb, data }, trigger: where?.trigger ?? 'manual' } };
    await invokes.processActivity(activity as Partial<Activity>, async (ctx) => {
      ctx.onSendActivities(async (_c, acts, next) => {
        replies.push(...acts);
        return next();
      });
      await bot.app.run(ctx);
    });
    const body = (replies.find((r) => r.type === 'invokeResponse')?.value as { body?: { value?: unknown } } | undefined)?.body;
    return body?.value;
  };
  const send: ConnectorWorld['send'] = async (activity) => {
    let answer: { status: number; body?: unknown } | undefined;
    const res = {
      status: (status: number) => void (answer = { status }),
      send: (body: unknown) => void (answer!.body = body),
      end: () => undefined,
      header: () => undefined,
    };
    const req = { method: 'POST', headers: {}, body: { serviceUrl: url, channelId: 'msteams', ...activity } };
    await adapter.process(req as never, res as never, async (ctx) => void (await bot.app.run(ctx)));
    if (!answer) throw new Error('the adapter did not answer');
    return answer;
  };
  return {
    click,
    send,
    mock,
    store,
    deps,
    bot,
    runtime,
    providers,
    close: async () => {
      runtime.stop();
      if (!options.connector) await mock.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
