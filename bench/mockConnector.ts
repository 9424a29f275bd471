/**
 * A loopback Bot Connector that enforces Teams' limits: at most 7 posts a second in one
 * conversation and 50 requests a second from the bot (sliding one-second windows), answering 429
 * with Retry-After beyond that, and optionally failing a fraction of requests with 502 (nothing
 * posted). It records every accepted post and update so the bench can count deliveries,
 * duplicates and losses.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface MockOptions {
  perConversation?: number;
  perBot?: number;
  windowMs?: number;
  /** Fraction of requests answered 502 (0.01 = 1%). */
  failRate?: number;
  random?: () => number;
}

export interface Posted {
  conversationId: string;
  activityId: string;
  at: number;
  text: string;
}

export class MockConnector {
  readonly posts: Posted[] = [];
  readonly updates: Posted[] = [];
  readonly counts = { requests: 0, accepted: 0, throttled: 0, failed: 0 };
  private server?: Server;
  private readonly botTimes: number[] = [];
  private readonly convTimes = new Map<string, number[]>();
  private seq = 0;
  url = '';

  constructor(private options: MockOptions = {}) {}

  configure(options: MockOptions): void {
    this.options = options;
  }

  reset(): void {
    this.posts.length = 0;
    this.updates.length = 0;
    Object.assign(this.counts, { requests: 0, accepted: 0, throttled: 0, failed: 0 });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
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

  /** Seconds until one more request fits the window (at least 1, as Teams sends whole seconds). */
  private retryAfter(times: number[], limit: number, now: number, windowMs: number): number | undefined {
    while (times.length && times[0] <= now - windowMs) times.shift();
    if (times.length < limit) return undefined;
    return Math.max(1, Math.ceil((times[times.length - limit] + windowMs - now) / 1000));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    this.counts.requests++;
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (!m) return { status: 404, body: { error: { code: 'NotFound', message: req.url } } };
    const conversationId = decodeURIComponent(m[1]);
    const { perConversation = 7, perBot = 50, windowMs = 1000, failRate = 0, random = Math.random } = this.options;
    const now = Date.now();
    let conv = this.convTimes.get(conversationId);
    if (!conv) this.convTimes.set(conversationId, (conv = []));
    const wait = Math.max(this.retryAfter(this.botTimes, perBot, now, windowMs) ?? 0, this.retryAfter(conv, perConversation, now, windowMs) ?? 0);
    if (wait) {
      this.counts.throttled++;
      return { status: 429, body: { error: { code: 'TooManyRequests', message: 'throttled' } }, headers: { 'retry-after': String(wait) } };
    }
    if (failRate && random() < failRate) {
      this.counts.failed++;
      return { status: 502, body: { error: { code: 'BadGateway', message: 'random failure' } } };
    }
    this.botTimes.push(now);
    conv.push(now);
    this.counts.accepted++;
    if (req.method === 'PUT' && m[2]) {
      this.updates.push({ conversationId, activityId: decodeURIComponent(m[2]), at: now, text });
      return { status: 200, body: { id: decodeURIComponent(m[2]) } };
    }
    const activityId = `mock-${++this.seq}`;
    this.posts.push({ conversationId, activityId, at: now, text });
    return { status: 200, body: { id: activityId } };
  }
}
