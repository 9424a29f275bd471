/**
 * End-to-end harness: the real bot (in-process, on a fresh data folder) behind a real Microsoft 365
 * Agents Playground (the local Teams emulator), driven through the playground's HTTP API and
 * observed through both of its websockets. See /work/shared/PLAYGROUND.md for the API.
 *
 *   const h = await startHarness();
 *   await h.install(h.chats.personal);
 *   const welcome = await h.nextReply(h.chats.personal);
 *   const reply = await h.ask(h.chats.personal, 'whoami');
 *   const result = await h.invoke({ conversationId: h.chats.group, as: 'user-sam', verb: 'admin.home', message: card });
 *   await h.stop();
 *
 * How replies are found: every bot message (to any conversation, including 1:1 chats with users
 * other than the playground's current user) is read from the log websocket and appended to
 * `h.messages`; card updates come from the conversation websocket. Each conversation has a read
 * cursor: an action (install, say, invoke) moves it to the end of `h.messages` *before* it is sent,
 * and `nextReply` returns the first matching message after the cursor and moves the cursor past it.
 * So replies that arrive before the HTTP call returns are never missed, and old ones never match.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startServer, type Server } from '../../index.js';
import { freshDatabase } from '../support/postgres.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { importFile } from '../../scripts/import.js';
import { startPlayground, type Playground } from '../../scripts/playground.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ───────────────────────────── types ─────────────────────────────

export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard' };

export interface Account {
  id: string;
  name: string;
  aadObjectId?: string;
}

/** One message the bot sent (or one update it made to a message), as the playground received it. */
export interface BotMessage {
  /** Position in `h.messages`. */
  seq: number;
  kind: 'create' | 'update';
  /** The conversation the bot addressed; channel replies carry ";messageid=<thread>". */
  conversationId: string;
  /** The id the playground gave the message (use it as replyToId when clicking its card). */
  messageId: string;
  /** For creates: the playground's HTTP status (201 = delivered; 404 = unknown conversation). */
  status: number;
  text: string;
  cards: AdaptiveCard[];
  /** The first Adaptive Card attachment, if any. */
  card?: AdaptiveCard;
  recipient?: Account;
  replyToId?: string;
  activity: Record<string, unknown>;
}

/** Anything showing a card that can be clicked: a bot message, or the card an invoke replaced it with. */
export interface CardHolder {
  conversationId: string;
  messageId: string;
  card?: AdaptiveCard;
}

export interface InvokeResult extends CardHolder {
  /** HTTP status of the playground's invoke call. */
  httpStatus: number;
  /** e.g. application/vnd.microsoft.card.adaptive or application/vnd.microsoft.activity.message */
  type: string;
  /** The replacement card, when the bot answered with one. */
  card?: AdaptiveCard;
  /** The message, when the bot answered with text. */
  text?: string;
  body: unknown;
}

export type Match = string | RegExp | ((m: BotMessage) => boolean);

export interface HarnessOptions {
  /** The bot's clock; a test moves it on to pass a deadline, then calls `h.server.runtime.scheduler.runDue()`. */
  now?: () => Date;
  /** Framework YAML/JSON imported into the fresh data folder (relative to the repo); null for none. */
  framework?: string | null;
  /** The playground's mock Teams data (relative to the repo). */
  playgroundConfig?: string;
  /** Extra bot configuration (the same variables as the environment). */
  env?: Record<string, string>;
  /** Print the bot's log lines (also E2E_VERBOSE=1). */
  verbose?: boolean;
  /** Default timeout for waits, ms. */
  timeoutMs?: number;
}

interface TestConfig {
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: Account;
  users: Account[];
  personalChat: { id: string };
  groupChats: { id: string; name?: string; members?: string[] }[];
  /** Each team's channels include its General channel (id = team id). */
  teams: { id: string; name: string; aadGroupId?: string; channels: { id: string; name: string }[]; members?: string[] }[];
}

interface Waiter {
  check(): boolean;
  fail(e: Error): void;
}

// ───────────────────────────── card helpers ─────────────────────────────

type Node = Record<string, unknown>;
const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Visits every element of a card (body, containers, columns, actions…) depth first, in order. */
export function walkCard(card: unknown, visit: (node: Node, parent?: Node) => void): void {
  const go = (x: unknown, parent?: Node) => {
    if (Array.isArray(x)) return x.forEach((y) => go(y, parent));
    if (!isNode(x)) return;
    visit(x, parent);
    for (const key of ['body', 'items', 'columns', 'actions', 'inlines', 'card']) if (key in x) go(x[key], x);
  };
  go(card);
}

/**
 * The readable text of a card, one line per TextBlock / RichTextBlock / fact ("title: value"), in
 * order. Inputs and buttons are not included: use cardInputs and cardActions for those.
 */
export function cardText(card: unknown): string {
  const lines: string[] = [];
  walkCard(card, (n) => {
    if (n.type === 'TextBlock' && typeof n.text === 'string') lines.push(n.text);
    if (n.type === 'RichTextBlock' && Array.isArray(n.inlines)) {
      lines.push(n.inlines.map((i) => (typeof i === 'string' ? i : isNode(i) ? String(i.text ?? '') : '')).join(''));
    }
    if (n.type === 'FactSet' && Array.isArray(n.facts)) for (const f of n.facts as Node[]) lines.push(`${f.title}: ${f.value}`);
  });
  return lines.join('\n');
}

export interface CardInput {
  id: string;
  type: string;
  label?: string;
  value?: unknown;
  /** The text of Attention-coloured TextBlocks in the same container as the input (a field error). */
  errors: string[];
  node: Node;
}

/** Every input on a card by id, with the error text shown next to it. */
export function cardInputs(card: unknown): Record<string, CardInput> {
  const out: Record<string, CardInput> = {};
  walkCard(card, (n) => {
    if (!Array.isArray(n.items) && !Array.isArray(n.body)) return;
    const items = ((n.items ?? n.body) as unknown[]).filter(isNode);
    const errors = items.filter((i) => i.type === 'TextBlock' && i.color === 'Attention').map((i) => String(i.text));
    for (const i of items) {
      if (typeof i.type === 'string' && i.type.startsWith('Input.') && typeof i.id === 'string') {
        out[i.id] = { id: i.id, type: i.type, label: i.label as string | undefined, value: i.value, errors: n.type === 'AdaptiveCard' ? [] : errors, node: i };
      }
    }
  });
  return out;
}

export interface CardActionInfo {
  title: string;
  type: string;
  verb?: string;
  data?: Record<string, unknown>;
}

/** Every button on a card (card-level actions and ActionSets), in order. */
export function cardActions(card: unknown): CardActionInfo[] {
  const out: CardActionInfo[] = [];
  walkCard(card, (n) => {
    if (typeof n.type === 'string' && n.type.startsWith('Action.')) {
      out.push({ title: String(n.title ?? ''), type: n.type, verb: n.verb as string | undefined, data: n.data as Record<string, unknown> | undefined });
    }
  });
  return out;
}

/** Leftover template expressions (`${...}`) anywhere in a card: a templating bug when non-empty. */
export function templateLeftovers(card: unknown): string[] {
  return [...JSON.stringify(card).matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]);
}

/**
 * What Teams' renderer would silently drop or reject, which a look at the JSON does not show: a
 * TextBlock or fact whose text is not a string (shown empty), an Input.Number whose value is not a
 * number (shown empty: the typed value is lost), choices without a title or value, inputs without
 * an id or with a duplicate id, and template leftovers. Empty for a sound card.
 */
export function cardProblems(card: unknown): string[] {
  const problems = templateLeftovers(card).map((t) => `template leftover ${t}`);
  const ids = new Set<string>();
  walkCard(card, (n) => {
    const where = `${n.type}${typeof n.id === 'string' ? ` "${n.id}"` : ''}`;
    if (n.type === 'TextBlock' && typeof n.text !== 'string') problems.push(`TextBlock text ${JSON.stringify(n.text)} is not a string`);
    if (n.type === 'FactSet' && Array.isArray(n.facts)) {
      for (const f of n.facts as Node[]) if (typeof f.title !== 'string' || typeof f.value !== 'string') problems.push(`fact ${JSON.stringify(f)} has a non-string title or value`);
    }
    if (typeof n.type === 'string' && n.type.startsWith('Input.')) {
      if (typeof n.id !== 'string' || !n.id) problems.push(`${n.type} without an id`);
      else if (ids.has(n.id)) problems.push(`duplicate input id "${n.id}"`);
      else ids.add(n.id);
      if (n.type === 'Input.Number' && n.value !== undefined && typeof n.value !== 'number') problems.push(`${where} value ${JSON.stringify(n.value)} is not a number (it would show empty)`);
      if ((n.type === 'Input.Text' || n.type === 'Input.Date' || n.type === 'Input.ChoiceSet') && n.value !== undefined && typeof n.value !== 'string') problems.push(`${where} value ${JSON.stringify(n.value)} is not a string`);
      if (n.type === 'Input.ChoiceSet' && Array.isArray(n.choices)) {
        for (const c of n.choices as Node[]) if (typeof c.title !== 'string' || !c.title || typeof c.value !== 'string' || !c.value) problems.push(`${where} choice ${JSON.stringify(c)} needs a non-empty title and value`);
      }
    }
  });
  return problems;
}

/** The text and card text of a message, for matching. */
export function messageText(m: BotMessage): string {
  return [m.text, ...m.cards.map(cardText)].filter(Boolean).join('\n');
}

const baseId = (conversationId: string) => conversationId.split(';')[0];

function toPredicate(match?: Match): (m: BotMessage) => boolean {
  if (!match) return () => true;
  if (typeof match === 'function') return match;
  if (typeof match === 'string') return (m) => messageText(m).includes(match);
  return (m) => match.test(messageText(m));
}

function describe(m: BotMessage): string {
  const body = messageText(m).replace(/\s+/g, ' ').slice(0, 160);
  return `  #${m.seq} ${m.kind} in ${m.conversationId} (status ${m.status}): ${body}`;
}

// ───────────────────────────── harness ─────────────────────────────

export class Harness {
  /** Every bot message and update, in arrival order. */
  readonly messages: BotMessage[] = [];
  /** Every card click (invoke) and what the bot answered, in order. */
  readonly invokes: { verb: string; as: string; data: Record<string, unknown>; result: InvokeResult }[] = [];
  /** Raw entries of the log websocket (all traffic both ways). */
  readonly log: Record<string, unknown>[] = [];
  /** Raw events of the conversation websocket (what the Teams page would show). */
  readonly conversationEvents: Record<string, unknown>[] = [];
  private readonly cursors = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private readonly sockets: WebSocket[] = [];
  private stopped = false;

  constructor(
    readonly dataDir: string,
    readonly server: Server,
    readonly playground: Playground,
    readonly config: TestConfig,
    /** The bot's own log lines (JSON), warn and above unless verbose. */
    readonly botLog: string[],
    private readonly defaultTimeout: number,
  ) {}

  get botUrl(): string {
    return this.server.url;
  }

  get playgroundUrl(): string {
    return this.playground.url;
  }

  /** The user the playground's page acts as (messages through the normal endpoint come from them). */
  get currentUser(): Account {
    return this.config.currentUser;
  }

  get bot(): Account {
    return this.config.bot;
  }

  /** The mock conversations from the playground config. */
  get chats() {
    const c = this.config;
    return {
      personal: c.personalChat.id,
      group: c.groupChats[0]?.id,
      team: c.teams[0]?.id,
      /** The first team's General channel (its id is the team id). */
      general: c.teams[0]?.id,
      /** Channel id → name, every team. */
      channels: Object.fromEntries(c.teams.flatMap((t) => t.channels.map((ch) => [ch.id, ch.name]))) as Record<string, string>,
    };
  }

  /** A configured user by id ("user-sam"), name ("Sam Patel") or first name ("Sam"). */
  user(ref: string): Account {
    const all = [this.config.currentUser, ...this.config.users];
    const u = all.find((x) => x.id === ref || x.name === ref || x.name.split(' ')[0] === ref);
    if (!u) throw new Error(`no user "${ref}" in the playground config (have: ${all.map((x) => x.id).join(', ')})`);
    return u;
  }

  /** The team a channel belongs to, if the conversation is a channel. */
  teamOf(conversationId: string) {
    const id = baseId(conversationId);
    return this.config.teams.find((t) => t.id === id || t.channels.some((c) => c.id === id));
  }

  isChannel(conversationId: string): boolean {
    return !!this.teamOf(conversationId);
  }

  isGroupChat(conversationId: string): boolean {
    return this.config.groupChats.some((g) => g.id === baseId(conversationId));
  }

  /** Bot log lines at error level: a test can assert there were none. */
  botErrors(): string[] {
    return this.botLog.filter((l) => l.includes('"level":"error"'));
  }

  // ── actions ──

  /** Moves a conversation's read cursor to "now": only messages after this count as replies. */
  mark(conversationId: string): number {
    const at = this.messages.length;
    this.cursors.set(baseId(conversationId), at);
    return at;
  }

  /** Installs the bot in a mock conversation (what opening the chat in the page does). */
  async install(conversationId: string): Promise<void> {
    this.mark(conversationId);
    await this.http('POST', `/_debug/conversation/${encodeURIComponent(conversationId)}/installation`);
  }

  /**
   * Sends a message to the bot. As the playground's current user it goes through the page's own
   * endpoint (in group chats and channels with an @mention of the bot, unless mention: false);
   * as anyone else it is sent as a raw activity.
   */
  async say(conversationId: string, text: string, opts: { as?: string; mention?: boolean } = {}): Promise<{ messageId?: string; since: number }> {
    const from = opts.as ? this.user(opts.as) : this.currentUser;
    const personal = !this.isChannel(conversationId) && !this.isGroupChat(conversationId);
    const mention = opts.mention ?? !personal;
    const at = `<at>${this.bot.name}</at>`;
    const fullText = mention && !text.includes(at) ? `${at} ${text}` : text;
    const mentions = mention ? [{ mentioned: { id: this.bot.id, name: this.bot.name }, text: at }] : [];
    const since = this.mark(conversationId);
    if (from.id === this.currentUser.id && this.isKnownConversation(conversationId)) {
      const r = (await this.http('POST', `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
        from: { id: from.id },
        text: fullText,
        textFormat: 'plain',
        ...(mentions.length ? { mentions } : {}),
      })) as { messageId?: string };
      return { messageId: r.messageId, since };
    }
    await this.sendActivity(conversationId, from, {
      type: 'message',
      text: fullText,
      textFormat: 'plain',
      entities: mentions.map((m) => ({ type: 'mention', ...m })),
    });
    return { since };
  }

  /** say + nextReply. */
  async ask(conversationId: string, text: string, opts: { as?: string; mention?: boolean; match?: Match; timeoutMs?: number } = {}): Promise<BotMessage> {
    await this.say(conversationId, text, opts);
    return this.nextReply(conversationId, opts);
  }

  /**
   * Sends any activity to the bot through the playground (its customActivities endpoint), from a
   * configured user, with the conversation and Teams channelData filled in. `extra` wins.
   */
  async sendActivity(conversationId: string, from: Account, extra: Record<string, unknown>, opts: { tenantId?: string } = {}): Promise<void> {
    const known = this.isKnownConversation(conversationId);
    const template = (await this.http('GET', `/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(known ? baseId(conversationId) : this.config.personalChat.id)}`)) as Record<string, unknown>;
    // `tenantId`: the activity comes from another tenant than the playground's (the same object id elsewhere).
    const conversation = { ...(template.conversation as Node), id: conversationId, ...(opts.tenantId ? { tenantId: opts.tenantId } : {}) };
    const tenant = { id: opts.tenantId ?? this.config.tenantId };
    const channelData: Node = { tenant };
    const team = this.teamOf(conversationId);
    if (team) {
      const channelId = baseId(conversationId);
      Object.assign(channelData, { teamsChannelId: channelId, teamsTeamId: team.id, team: { id: team.id }, channel: { id: channelId } });
    }
    if (!known) Object.assign(conversation, { conversationType: 'personal', isGroup: undefined });
    const activity = {
      ...template,
      id: `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
      from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
      conversation,
      channelData,
      locale: 'en-US',
      ...extra,
    };
    this.mark(conversationId);
    await this.http('POST', '/_internal/v1/customActivities', activity);
  }

  /**
   * Opens a 1:1 chat between the bot and a user other than the current user (as Teams does when
   * they first open the bot) and, unless install is false, sends the installationUpdate from them.
   * The bot's messages there show only on the log websocket; the harness reads them from it.
   */
  async openPersonalChat(userRef: string, opts: { install?: boolean } = {}): Promise<string> {
    const user = this.user(userRef);
    if (user.id === this.currentUser.id) return this.config.personalChat.id;
    const created = (await this.http('POST', '/_connector/v3/conversations', {
      bot: { id: this.bot.id },
      members: [{ id: user.id }],
      isGroup: false,
      tenantId: this.config.tenantId,
      channelData: { tenant: { id: this.config.tenantId } },
    })) as { id: string };
    if (opts.install !== false) {
      await this.sendActivity(created.id, user, { type: 'installationUpdate', action: 'add' });
    }
    return created.id;
  }

  /**
   * Clicks an Action.Execute button: `message` (or replyToId) is the card's message; without either,
   * the latest bot card in the conversation. `as` is any user who is a member of the conversation
   * in the playground (the personal chat has only the current user; use the group chat or a channel
   * for others). Resolves with the invoke response: the replacement card or a text.
   */
  async invoke(opts: { conversationId?: string; as?: string; verb: string; data?: Record<string, unknown>; message?: BotMessage; replyToId?: string; /** Sent as an Action.Submit (the verb in its data), as a card built elsewhere may. */ submit?: boolean; /** 'automatic': Teams refreshing a card (Universal Actions) as someone sees it. */ trigger?: 'manual' | 'automatic' }): Promise<InvokeResult> {
    const from = opts.as ? this.user(opts.as) : this.currentUser;
    const conversationId = opts.conversationId ?? opts.message?.conversationId;
    if (!conversationId) throw new Error('invoke needs a conversationId or a message');
    let replyToId = opts.replyToId ?? opts.message?.messageId;
    if (!replyToId) {
      const last = [...this.messages].reverse().find((m) => m.kind === 'create' && baseId(m.conversationId) === baseId(conversationId) && m.card);
      if (!last) throw new Error(`invoke: no card from the bot in ${conversationId} to click`);
      replyToId = last.messageId;
    }
    this.mark(conversationId);
    const res = await fetch(`${this.playground.url}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'adaptiveCard/action',
        from: { id: from.id },
        conversation: { id: conversationId },
        replyToId,
        value: { action: opts.submit ? { type: 'Action.Submit', data: { verb: opts.verb, ...opts.data } } : { type: 'Action.Execute', verb: opts.verb, data: opts.data ?? {} }, trigger: opts.trigger ?? 'manual' },
      }),
    });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as { type?: string; value?: unknown; code?: string; message?: string }) : {};
    if (!res.ok) throw new Error(`invoke ${opts.verb} as ${from.id} in ${conversationId}: HTTP ${res.status} ${text}`);
    const type = String(body.type ?? '');
    const result: InvokeResult = {
      conversationId,
      messageId: replyToId,
      httpStatus: res.status,
      type,
      card: type === 'application/vnd.microsoft.card.adaptive' ? (body.value as AdaptiveCard) : undefined,
      text: typeof body.value === 'string' ? body.value : undefined,
      body,
    };
    this.invokes.push({ verb: opts.verb, as: from.id, data: opts.data ?? {}, result });
    return result;
  }

  /**
   * An invoke the playground's invoke API does not send (Teams' type-ahead `application/search`,
   * or a click arriving from another tenant), sent through its customActivities endpoint as `as`;
   * resolves with the bot's HTTP answer (status and body) as the playground logged it.
   */
  async rawInvoke(conversationId: string, as: string, invoke: { name: string; value: unknown; replyToId?: string }, opts: { tenantId?: string } = {}): Promise<{ status: number; body: unknown }> {
    const id = `e2e-invoke-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const since = this.log.length;
    await this.sendActivity(conversationId, this.user(as), { type: 'invoke', id, ...invoke }, opts);
    const entry = await this.waitForLog((e) => isNode(e.log) && e.log.messageId === id && isNode(e.log.response), { since, what: `the bot's answer to ${invoke.name} ${id}` });
    const response = (entry.log as Node).response as Node;
    return { status: Number(response.statusCode), body: response.body };
  }

  /** The cards the bot answered clicks with. */
  get invokeCards(): AdaptiveCard[] {
    return this.invokes.flatMap((i) => (i.result.card ? [i.result.card] : []));
  }

  /**
   * Clicks a button on a card the way Teams does: finds the Action.Execute by title, and sends its
   * data merged with the card's input values (their current `value`s, overridden by `inputs`, which
   * is what the user typed) unless the action has associatedInputs "none". Like Teams, it refuses to
   * send when a required input is empty. The result is chainable: click(result, ...) clicks the
   * replacement card, which Teams shows in place of the original message.
   */
  async click(on: CardHolder, title: string | RegExp, opts: { as?: string; inputs?: Record<string, unknown> } = {}): Promise<InvokeResult> {
    if (!on.card) throw new Error(`click "${String(title)}": there is no card on message ${on.messageId}`);
    const actions: Node[] = [];
    walkCard(on.card, (n) => {
      if (n.type === 'Action.Execute') actions.push(n);
    });
    const action = actions.find((a) => (typeof title === 'string' ? a.title === title : title.test(String(a.title))));
    if (!action) throw new Error(`click: no Action.Execute "${String(title)}" on the card (has: ${actions.map((a) => a.title).join(', ')})`);
    let data = { ...((action.data as Node | undefined) ?? {}) };
    if (action.associatedInputs !== 'none') {
      const inputs = cardInputs(on.card);
      for (const key of Object.keys(opts.inputs ?? {})) if (!inputs[key]) throw new Error(`click: the card has no input "${key}" (has: ${Object.keys(inputs).join(', ')})`);
      const values: Record<string, unknown> = {};
      for (const input of Object.values(inputs)) {
        const typed = opts.inputs && input.id in opts.inputs ? opts.inputs[input.id] : input.value;
        const value = Array.isArray(typed) ? typed.join(',') : typed === undefined || typed === null ? '' : String(typed);
        if (input.node.isRequired === true && value === '') throw new Error(`click "${String(title)}": Teams would not send: the required input "${input.label ?? input.id}" is empty`);
        values[input.id] = value;
      }
      data = { ...data, ...values };
    }
    return this.invoke({ conversationId: on.conversationId, replyToId: on.messageId, as: opts.as, verb: String(action.verb), data });
  }

  // ── waiting ──

  /**
   * The next bot message in a conversation after its cursor (see mark) that matches; moves the
   * cursor past it. A conversation id without ";messageid=" also matches replies in its threads.
   */
  async nextReply(conversationId: string, opts: { match?: Match; timeoutMs?: number; kind?: 'create' | 'update' | 'any' } = {}): Promise<BotMessage> {
    const key = baseId(conversationId);
    const pred = toPredicate(opts.match);
    const kind = opts.kind ?? 'create';
    const inConversation = (m: BotMessage) =>
      (conversationId.includes(';') ? m.conversationId === conversationId : baseId(m.conversationId) === key) && (kind === 'any' || m.kind === kind);
    const found = await this.waitFor((m) => inConversation(m) && pred(m), {
      since: this.cursors.get(key) ?? 0,
      timeoutMs: opts.timeoutMs,
      what: `a reply in ${conversationId}${opts.match ? ` matching ${String(opts.match)}` : ''}`,
      context: inConversation,
    });
    this.cursors.set(key, found.seq + 1);
    return found;
  }

  /**
   * New messages in a conversation matching each of `matches` (one message each), in whatever order
   * they arrive: posts the bot queues together to one chat are sent side by side, so Teams may show
   * them in either order. Returns them in the order of `matches`; the next `nextReply` looks after the last.
   */
  async repliesInAnyOrder(conversationId: string, matches: Match[], opts: { timeoutMs?: number } = {}): Promise<BotMessage[]> {
    const key = baseId(conversationId);
    const since = this.cursors.get(key) ?? 0;
    const preds = matches.map(toPredicate);
    const pick = (): BotMessage[] | undefined => {
      const fresh = this.messages.slice(since).filter((m) => baseId(m.conversationId) === key && m.kind === 'create');
      const taken = new Set<BotMessage>();
      for (const pred of preds) {
        const m = fresh.find((x) => !taken.has(x) && pred(x));
        if (!m) return undefined;
        taken.add(m);
      }
      return [...taken];
    };
    const found = await this.until(pick, opts.timeoutMs ?? this.defaultTimeout, () => {
      const seen = this.messages.slice(since).filter((m) => baseId(m.conversationId) === key);
      return `timed out waiting in ${conversationId} for replies matching ${matches.map(String).join(', ')}; ${seen.length ? `saw:\n${seen.map(describe).join('\n')}` : 'saw no bot messages there'}`;
    });
    this.cursors.set(key, Math.max(...found.map((m) => m.seq)) + 1);
    return found;
  }

  /** The first message from `since` (default 0) that satisfies the predicate, waiting for it if needed. */
  waitFor(predicate: (m: BotMessage) => boolean, opts: { since?: number; timeoutMs?: number; what?: string; context?: (m: BotMessage) => boolean } = {}): Promise<BotMessage> {
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeout;
    return this.until(
      () => this.messages.slice(since).find(predicate),
      timeoutMs,
      () => {
        const seen = this.messages.slice(since).filter(opts.context ?? (() => true));
        return `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a bot message'}; ${seen.length ? `saw:\n${seen.map(describe).join('\n')}` : 'saw no bot messages there'}`;
      },
    );
  }

  /** The first raw log-websocket entry from `since` that satisfies the predicate. */
  waitForLog(predicate: (entry: Record<string, unknown>) => boolean, opts: { since?: number; timeoutMs?: number; what?: string } = {}): Promise<Record<string, unknown>> {
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeout;
    return this.until(() => this.log.slice(since).find(predicate), timeoutMs, () => `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a log entry'}`);
  }

  /** Bot messages in a conversation (and its threads), oldest first. */
  messagesIn(conversationId: string): BotMessage[] {
    return this.messages.filter((m) => baseId(m.conversationId) === baseId(conversationId));
  }

  private until<T>(find: () => T | undefined, timeoutMs: number, explain: () => string): Promise<T> {
    const now = find();
    if (now !== undefined) return Promise.resolve(now);
    if (this.stopped) return Promise.reject(new Error('the harness is stopped'));
    return new Promise<T>((ok, fail) => {
      const waiter: Waiter = {
        check: () => {
          const x = find();
          if (x === undefined) return false;
          clearTimeout(timer);
          this.waiters.delete(waiter);
          ok(x);
          return true;
        },
        fail: (e) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          fail(e);
        },
      };
      const timer = setTimeout(() => waiter.fail(new Error(explain())), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  // ── plumbing ──

  /** Connects both websockets; resolves when both are open. */
  async connect(): Promise<void> {
    const ws = this.playground.url.replace(/^http/, 'ws');
    const open = (path: string, onMessage: (data: Record<string, unknown>) => void) =>
      new Promise<void>((ok, fail) => {
        const socket = new WebSocket(`${ws}${path}`);
        this.sockets.push(socket);
        socket.once('open', () => ok());
        socket.once('error', fail);
        socket.on('message', (raw) => {
          let data: Record<string, unknown>;
          try {
            data = JSON.parse(raw.toString()) as Record<string, unknown>;
          } catch {
            return;
          }
          onMessage(data);
          for (const w of [...this.waiters]) w.check();
        });
      });
    await Promise.all([open('/_ws/log/stream', (d) => this.onLog(d)), open('/_ws_conversation/v1/conversations/stream', (d) => this.onConversationEvent(d))]);
  }

  private onLog(data: Record<string, unknown>): void {
    this.log.push(data);
    const entry = data.log as Node | undefined;
    if (!entry || entry.from !== 'User Application') return;
    const request = entry.request as Node | undefined;
    const activity = request?.body as Node | undefined;
    const conversation = activity?.conversation as Node | undefined;
    // Creates carry the conversation; edits (PUT) do not, and are taken from the conversation websocket.
    if (!activity || activity.type !== 'message' || !conversation?.id || entry.activityName !== 'message') return;
    const response = entry.response as Node | undefined;
    const status = Number(response?.statusCode ?? 0);
    const messageId = String((response?.body as Node | undefined)?.id ?? entry.messageId ?? '');
    this.push('create', String(conversation.id), messageId, status, activity);
  }

  private onConversationEvent(data: Record<string, unknown>): void {
    this.conversationEvents.push(data);
    if (data.action !== 'updateMessage') return;
    const message = data.message as Node;
    this.push('update', String(data.actionConversationId), String(message.messageId), 200, message);
  }

  private push(kind: 'create' | 'update', conversationId: string, messageId: string, status: number, activity: Node): void {
    const attachments = Array.isArray(activity.attachments) ? (activity.attachments as Node[]) : [];
    const cards = attachments.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content as AdaptiveCard);
    this.messages.push({
      seq: this.messages.length,
      kind,
      conversationId,
      messageId,
      status,
      text: typeof activity.text === 'string' ? activity.text : '',
      cards,
      card: cards[0],
      recipient: activity.recipient as Account | undefined,
      replyToId: activity.replyToId as string | undefined,
      activity,
    });
  }

  private isKnownConversation(conversationId: string): boolean {
    const id = baseId(conversationId);
    return id === this.config.personalChat.id || this.isGroupChat(id) || this.isChannel(id);
  }

  async http(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.playground.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const w of [...this.waiters]) w.fail(new Error('the harness was stopped'));
    for (const s of this.sockets) s.terminate();
    // The bot first: it finishes its turns in flight, which still post to the playground.
    await this.server.close().catch(() => undefined);
    await this.playground.stop().catch(() => undefined);
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts a fresh bot (new temp data folder with the framework imported) and a playground in front
 * of it, and connects to the playground's websockets. Call stop() when done.
 */
/** A new channel post is a thread of its own: clicks on its card come from that thread. */
export const threadOf = (m: BotMessage): BotMessage => ({ ...m, conversationId: `${m.conversationId};messageid=${m.messageId}` });

/** Installs the bot in Alex's chat and the team, and registers General (Caring Hands) and BrightPath's channel. */
export async function withDemoChannels(h: Harness): Promise<void> {
  await h.install(h.chats.personal);
  await h.nextReply(h.chats.personal);
  await h.install(h.chats.team);
  await h.nextReply(h.chats.team);
  await h.ask(h.chats.team, 'register provider caring-hands');
  await h.ask('channel-brightpath', 'register provider brightpath');
}

/** Opens each user's 1:1 chat with the bot and reads its welcome; the chats' ids, in order. */
export async function openChats(h: Harness, ...users: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const user of users) {
    ids.push(await h.openPersonalChat(user));
    await h.nextReply(ids.at(-1)!);
  }
  return ids;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const verbose = options.verbose ?? process.env.E2E_VERBOSE === '1';
  const dataDir = await mkdtemp(join(tmpdir(), 'brokerage-e2e-'));
  let server: Server | undefined;
  let playground: Playground | undefined;
  try {
    // E2E_STORE=postgres runs the same conversations on PostgreSQL (a fresh database each).
    const databaseUrl = process.env.E2E_STORE === 'postgres' ? await freshDatabase() : undefined;
    const storeEnv = databaseUrl ? { DATABASE_URL: databaseUrl, LINK_SECRET: 'e2e-link-secret-that-is-long-enough-0123456789' } : {};
    const framework = options.framework === undefined ? 'demo/framework.yaml' : options.framework;
    if (framework) await importFile(resolve(REPO_ROOT, framework), join(dataDir, 'data'), databaseUrl);

    const botLog: string[] = [];
    const logger = createLogger(verbose ? 'debug' : 'warn', (line) => {
      botLog.push(line);
      if (verbose) process.stderr.write(`[bot] ${line}\n`);
    });
    // Only what is given here: MICROSOFT_APP_ID in the environment must not switch auth on.
    // (loadConfig rejects PORT=0, so a free port is picked first.)
    const config = loadConfig({ DATA_DIR: join(dataDir, 'data'), PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: verbose ? 'debug' : 'warn', ...storeEnv, ...options.env });
    server = await startServer(config, logger, { now: options.now });

    playground = await startPlayground({
      botEndpoint: `${server.url}/api/messages`,
      configPath: resolve(REPO_ROOT, options.playgroundConfig ?? 'demo/playground.yml'),
      port: await freePort(),
      cwd: dataDir, // its ./devTools/ log goes with the temp folder
    });

    const res = await fetch(`${playground.url}/_internal/v1/testConfig`);
    const { config: testConfig } = (await res.json()) as { config: TestConfig };
    const h = new Harness(dataDir, server, playground, testConfig, botLog, options.timeoutMs ?? 5000);
    await h.connect();
    return h;
  } catch (e) {
    await server?.close().catch(() => undefined);
    await playground?.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A second Agents Playground in front of the same bot: another organisation's Teams, with its own
 * tenant and people (e.g. an NHS partner's staff in the NHS's tenant, issue 24). The bot replies to
 * each activity's serviceUrl, so both playgrounds talk to one bot. Its stop() stops only this
 * playground: the host harness stops the bot.
 */
export async function startGuestPlayground(host: Harness, configPath: string): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'brokerage-e2e-guest-'));
  const playground = await startPlayground({ botEndpoint: `${host.botUrl}/api/messages`, configPath: resolve(REPO_ROOT, configPath), port: await freePort(), cwd: dir });
  try {
    const res = await fetch(`${playground.url}/_internal/v1/testConfig`);
    const { config } = (await res.json()) as { config: TestConfig };
    const h = new Harness(dir, { ...host.server, close: async () => undefined }, playground, config, host.botLog, 5000);
    await h.connect();
    return h;
  } catch (e) {
    await playground.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
