/**
 * A loopback Bot Connector that enforces Teams' limits: at most 7 posts a second in one
 * conversation and 50 requests a second from the bot (sliding one-second windows), answering 429
 * with Retry-After beyond that, and optionally failing a fraction of requests with 502 (nothing
 * posted) or 429 (Retry-After 1–2 s, as Teams does under load). Tests script other answers
 * (`script`: 403, 404, 429 for a while, slow answers). It records every accepted post, update and
 * deletion so the bench and tests can count deliveries, duplicates and losses.
 *
 * It also answers the two reads the bot makes to find a copy of a card in a channel: the
 * connector's team details (GET /v3/teams/{id}: the team's Entra group id) and Microsoft Graph's
 * list of a channel's messages (GET /v1.0/teams/{group}/channels/{channel}/messages), from what
 * it recorded, newest first, as Graph shapes them (`graph` refuses it, as without the permission).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface MockOptions {
  perConversation?: number;
  perBot?: number;
  windowMs?: number;
  /** Fraction of requests answered 502 (0.01 = 1%). */
  failRate?: number;
  /** Fraction of requests answered 429 with Retry-After 1 or 2 s, whatever the pace. */
  throttleRate?: number;
  random?: () => number;
  /**
   * A scripted answer for one request, or undefined for the normal one. `status` answers with that
   * status (nothing posted; `retryAfter` in seconds); `delayMs` posts it, then answers that late;
   * `hold` neither posts nor answers.
   */
  script?: (r: { conversationId: string; method: string; activityId?: string }) => Scripted | undefined;
  /**
   * The members API (`GET /v3/conversations/{id}/members/{memberId}`, what TeamsInfo.getMember
   * asks): the member's account, or a scripted answer (`status`, `reset`, `hold`). Unset, or
   * undefined for a member, answers 404 MemberNotFound.
   */
  member?: (r: { conversationId: string; memberId: string }) => { account: Record<string, unknown> } | Scripted | undefined;
  /** Graph's answer to a channel-messages read: 403 when the team's owner did not grant ChannelMessage.Read.Group. */
  graph?: { status?: number };
  /** The bot's app id, as Graph names the sender of its posts (empty for an anonymous bot). */
  botAppId?: string;
}

/** The Entra group id the mock gives a team. */
export const groupOf = (teamId: string) => `group-${teamId}`;

/**
 * One scripted answer: `status` with an optional Retry-After (seconds, or any raw header text such
 * as an HTTP date) and an HTML body instead of JSON (`html`, as a gateway's error page); `reset`
 * destroys the socket without answering; `delayMs` posts, then answers late; `hold` never answers.
 */
export interface Scripted {
  status?: number;
  retryAfter?: number | string;
  code?: string;
  html?: boolean;
  reset?: boolean;
  delayMs?: number;
  hold?: boolean;
}

const MEMBER_PATH = /^\/v3\/conversations\/([^/]+)\/members\/([^/?]+)/;

export interface Posted {
  conversationId: string;
  activityId: string;
  at: number;
  text: string;
}

export class MockConnector {
  readonly posts: Posted[] = [];
  readonly updates: Posted[] = [];
  readonly deleted: Posted[] = [];
  /** Every request and the status it got, in arrival order. */
  readonly log: { conversationId: string; method: string; at: number; status: number; retryAfter?: string }[] = [];
  readonly counts = { requests: 0, accepted: 0, throttled: 0, failed: 0, scripted: 0 };
  /** Every member lookup and the status it got, in arrival order (kept apart from the posts' `log`). */
  readonly memberLookups: { conversationId: string; memberId: string; at: number; status: number }[] = [];
  private server?: Server;
  private readonly botTimes: number[] = [];
  private readonly convTimes = new Map<string, number[]>();
  private seq = 0;
  url = '';

  /** What a conversation shows now: each post's latest text, deleted ones left out. */
  shown(conversationId: string): { activityId: string; text: string }[] {
    const gone = new Set(this.deleted.map((d) => d.activityId));
    return this.posts
      .filter((p) => p.conversationId === conversationId && !gone.has(p.activityId))
      .map((p) => ({ activityId: p.activityId, text: this.updates.filter((u) => u.activityId === p.activityId).at(-1)?.text ?? p.text }));
  }

  constructor(private options: MockOptions = {}) {}

  configure(options: MockOptions): void {
    this.options = options;
  }

  reset(): void {
    this.posts.length = 0;
    this.updates.length = 0;
    this.deleted.length = 0;
    this.log.length = 0;
    this.memberLookups.length = 0;
    Object.assign(this.counts, { requests: 0, accepted: 0, throttled: 0, failed: 0, scripted: 0 });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const at = Date.now();
      void this.handle(req).then(({ status, body, headers, html, reset }) => {
        const conversationId = decodeURIComponent(/^\/v3\/conversations\/([^/]+)/.exec(req.url ?? '')?.[1] ?? '');
        const member = MEMBER_PATH.exec(req.url ?? '');
        if (member) this.memberLookups.push({ conversationId, memberId: decodeURIComponent(member[2]), at, status: reset ? 0 : status });
        else this.log.push({ conversationId, method: req.method ?? '', at, status: reset ? 0 : status, retryAfter: headers?.['retry-after'] });
        if (reset) return void req.socket.destroy();
        if (html) {
          res.writeHead(status, { 'content-type': 'text/html', ...headers });
          return void res.end(`<html><body><h1>${status} Server Error</h1></body></html>`);
        }
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async memberAnswer(conversationId: string, memberId: string): Promise<{ status: number; body: unknown; headers?: Record<string, string>; reset?: boolean }> {
    const answer = this.options.member?.({ conversationId, memberId });
    if (answer && 'account' in answer) return { status: 200, body: { id: memberId, ...answer.account } };
    if (answer?.hold) return new Promise(() => undefined);
    if (answer?.reset) return { status: 0, body: undefined, reset: true };
    if (answer?.status) {
      this.counts.scripted++;
      return { status: answer.status, body: { error: { code: answer.code ?? `Status${answer.status}`, message: `scripted ${answer.status}` } }, headers: answer.retryAfter === undefined ? {} : { 'retry-after': String(answer.retryAfter) } };
    }
    return { status: 404, body: { error: { code: 'MemberNotFound', message: 'The member is not in the conversation' } } };
  }

  /** Every Graph channel-messages read, in order (what the bot asked). */
  readonly graphReads: { groupId: string; channelId: string }[] = [];

  /** The team-details and channel-messages reads, or undefined for anything else. */
  private reads(method: string, url: string): { status: number; body: unknown } | undefined {
    if (method !== 'GET') return undefined;
    const team = /^\/v3\/teams\/([^/?]+)$/.exec(url);
    if (team) {
      const id = decodeURIComponent(team[1]);
      return { status: 200, body: { id, name: `Team ${id}`, aadGroupId: groupOf(id) } };
    }
    const list = /^\/v1\.0\/teams\/([^/]+)\/channels\/([^/]+)\/messages(?:\?(.*))?$/.exec(url);
    if (!list) return undefined;
    const [groupId, channelId] = [decodeURIComponent(list[1]), decodeURIComponent(list[2])];
    this.graphReads.push({ groupId, channelId });
    if (this.options.graph?.status) return { status: this.options.graph.status, body: { error: { code: 'Forbidden', message: 'Missing role permissions on the request.' } } };
    const query = new URLSearchParams(list[3] ?? '');
    const top = Math.min(50, Number(query.get('$top') ?? 20));
    const skip = Number(query.get('$skiptoken') ?? 0);
    const gone = new Map(this.deleted.map((d) => [d.activityId, d.at]));
    const all = this.posts.filter((p) => p.conversationId === channelId).sort((a, b) => b.at - a.at || b.activityId.localeCompare(a.activityId));
    const page = all.slice(skip, skip + top).map((p) => {
      const activity = JSON.parse(this.updates.filter((u) => u.activityId === p.activityId).at(-1)?.text ?? p.text) as { text?: string; attachments?: { contentType: string; content: unknown }[] };
      return {
        id: p.activityId,
        messageType: 'message',
        createdDateTime: new Date(p.at).toISOString(),
        deletedDateTime: gone.has(p.activityId) ? new Date(gone.get(p.activityId)!).toISOString() : null,
        from: { application: { id: this.options.botAppId ?? '', displayName: 'Brokerage Bot' }, user: null },
        body: { contentType: 'html', content: activity.text ?? '<attachment></attachment>' },
        attachments: (activity.attachments ?? []).map((a, i) => ({ id: String(i), contentType: a.contentType, content: JSON.stringify(a.content) })),
      };
    });
    const next = skip + top < all.length ? `${this.url}v1.0/teams/${list[1]}/channels/${list[2]}/messages?$top=${top}&$skiptoken=${skip + top}` : undefined;
    return { status: 200, body: { value: page, ...(next ? { '@odata.nextLink': next } : {}) } };
  }

  /** Seconds until one more request fits the window (at least 1, as Teams sends whole seconds). */
  private retryAfter(times: number[], limit: number, now: number, windowMs: number): number | undefined {
    while (times.length && times[0] <= now - windowMs) times.shift();
    if (times.length < limit) return undefined;
    return Math.max(1, Math.ceil((times[times.length - limit] + windowMs - now) / 1000));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string>; html?: boolean; reset?: boolean }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    this.counts.requests++;
    const member = req.method === 'GET' ? MEMBER_PATH.exec(req.url ?? '') : null;
    if (member) return this.memberAnswer(decodeURIComponent(member[1]), decodeURIComponent(member[2]));
    const read = this.reads(req.method ?? '', req.url ?? '');
    if (read) return read;
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (!m) return { status: 404, body: { error: { code: 'NotFound', message: req.url } } };
    const conversationId = decodeURIComponent(m[1]);
    const { perConversation = 7, perBot = 50, windowMs = 1000, failRate = 0, throttleRate = 0, random = Math.random } = this.options;
    const now = Date.now();
    const scripted = this.options.script?.({ conversationId, method: req.method ?? 'POST', activityId: m[2] && decodeURIComponent(m[2]) });
    // Never answered and nothing posted: a request still in flight when the bot dies.
    if (scripted?.hold) return new Promise(() => undefined);
    if (scripted?.reset) {
      this.counts.scripted++;
      return { status: 0, body: undefined, reset: true };
    }
    if (scripted?.status) {
      this.counts.scripted++;
      const headers: Record<string, string> = scripted.retryAfter === undefined ? {} : { 'retry-after': String(scripted.retryAfter) };
      return { status: scripted.status, body: { error: { code: scripted.code ?? `Status${scripted.status}`, message: `scripted ${scripted.status}` } }, headers, html: scripted.html };
    }
    let conv = this.convTimes.get(conversationId);
    if (!conv) this.convTimes.set(conversationId, (conv = []));
    const wait = Math.max(this.retryAfter(this.botTimes, perBot, now, windowMs) ?? 0, this.retryAfter(conv, perConversation, now, windowMs) ?? 0);
    if (wait) {
      this.counts.throttled++;
      return { status: 429, body: { error: { code: 'TooManyRequests', message: 'throttled' } }, headers: { 'retry-after': String(wait) } };
    }
    if (throttleRate && random() < throttleRate) {
      this.counts.throttled++;
      return { status: 429, body: { error: { code: 'TooManyRequests', message: 'throttled (injected)' } }, headers: { 'retry-after': String(random() < 0.5 ? 1 : 2) } };
    }
    if (failRate && random() < failRate) {
      this.counts.failed++;
      return { status: 502, body: { error: { code: 'BadGateway', message: 'random failure' } } };
    }
    this.botTimes.push(now);
    conv.push(now);
    this.counts.accepted++;
    const late = async <T>(answer: T): Promise<T> => {
      if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
      return answer;
    };
    if (req.method === 'PUT' && m[2]) {
      this.updates.push({ conversationId, activityId: decodeURIComponent(m[2]), at: now, text });
      return late({ status: 200, body: { id: decodeURIComponent(m[2]) } });
    }
    if (req.method === 'DELETE' && m[2]) {
      this.deleted.push({ conversationId, activityId: decodeURIComponent(m[2]), at: now, text });
      return late({ status: 200, body: {} });
    }
    const activityId = `mock-${++this.seq}`;
    this.posts.push({ conversationId, activityId, at: now, text });
    return late({ status: 200, body: { id: activityId } });
  }
}
