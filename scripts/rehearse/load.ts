/**
 * Traffic for the rehearsals: a load balancer in front of the bot's instances and a stream of
 * providers' bids through it, with every answer kept so the database can be checked against it.
 *
 * The balancer does what App Service's front end does: it sends a request to an instance whose
 * GET /readyz answered 200 at its last probe (every 250 ms), in turn; a request refused at connect
 * or answered 503 (the instance is stopping) goes to another instance, since that instance did
 * nothing with it. Anything else (a reset after the request was sent, a timeout) is an answer lost,
 * recorded as such: the bid may or may not have been taken.
 */
import { request } from 'node:http';
import pg from 'pg';
import { invoke } from '../../bench/bot.js';
import { bidData, providerId } from '../../bench/generate.js';
import { failures, type Council } from './council.js';

export interface Instance {
  name: string;
  url: string;
}

interface Answer {
  status: number;
  body: string;
}

/** One POST on a connection of its own (no keep-alive: a stopping instance refuses new connections cleanly). */
function send(url: string, body: unknown, timeoutMs: number): Promise<Answer> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/messages`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': data.length }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })));
    req.end(data);
  });
}

export class LoadBalancer {
  private readonly healthy = new Map<string, boolean>();
  private readonly members = new Map<string, Instance>();
  private turn = 0;
  private timer?: NodeJS.Timeout;
  /** Requests re-sent to another instance after a refusal or a 503, by the instance that refused. */
  readonly rerouted = new Map<string, number>();

  add(instance: Instance): void {
    this.members.set(instance.name, instance);
    this.healthy.set(instance.name, true);
  }

  remove(name: string): void {
    this.members.delete(name);
    this.healthy.delete(name);
  }

  start(): void {
    this.timer = setInterval(() => {
      for (const m of this.members.values()) void fetch(`${m.url}/readyz`).then((r) => r.status === 200, () => false).then((ok) => this.members.has(m.name) && this.healthy.set(m.name, ok));
    }, 250);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private pick(except: Set<string>, prefer?: string): Instance | undefined {
    if (prefer && !except.has(prefer) && this.members.has(prefer)) return this.members.get(prefer);
    const up = [...this.members.values()].filter((m) => this.healthy.get(m.name) && !except.has(m.name));
    return up.length ? up[this.turn++ % up.length] : undefined;
  }

  /**
   * Sends through a healthy instance (first to `prefer`, healthy or not: a request already on its
   * way to it); resolves with the answer and which instance gave it.
   */
  async post(body: unknown, options: { timeoutMs?: number; prefer?: string } = {}): Promise<Answer & { by: string }> {
    const tried = new Set<string>();
    for (let attempt = 0; attempt < 40; attempt++) {
      const target = this.pick(tried, options.prefer);
      if (!target) {
        tried.clear();
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      let answer: Answer;
      try {
        answer = await send(target.url, body, options.timeoutMs ?? 30_000);
      } catch (e) {
        if ((e as { code?: string }).code !== 'ECONNREFUSED') throw e;
        answer = { status: 0, body: 'refused' };
      }
      if (answer.status !== 503 && answer.status !== 0) return { ...answer, by: target.name };
      // Not taken: the instance is stopping (or gone). Out of rotation until its probe says otherwise.
      this.healthy.set(target.name, false);
      this.rerouted.set(target.name, (this.rerouted.get(target.name) ?? 0) + 1);
      tried.add(target.name);
    }
    throw new Error('no instance took the request');
  }
}

export interface Submission {
  ref: string;
  provider: number;
  /** The hourly rate, unique among the submissions to one bid: how its version is found. */
  rate: number;
  sentAt: number;
  answeredAt?: number;
  by?: string;
  status?: number;
  acknowledged?: boolean;
  /** The answer was lost (a reset or a timeout after the request went out). */
  error?: string;
}

/** Bids from providers 1..`providers` on the given call-offs, `inFlight` at a time, each a new version of that provider's bid. */
export class BidLoad {
  readonly submissions: Submission[] = [];
  private running = false;
  private loop?: Promise<void>;
  private readonly perBid = new Map<string, number>();

  constructor(
    private readonly council: Council,
    private readonly lb: LoadBalancer,
    private readonly options: { refs: string[]; providers: number; inFlight: number; pauseMs?: number },
  ) {}

  /** One bid, now, through the balancer (or first to the instance `prefer`). */
  async submit(ref: string, provider: number, prefer?: string): Promise<Submission> {
    const key = `${ref}:${provider}`;
    const k = (this.perBid.get(key) ?? 0) + 1;
    this.perBid.set(key, k);
    const s: Submission = { ref, provider, rate: Math.round((22 + k / 100) * 100) / 100, sentAt: Date.now() };
    this.submissions.push(s);
    try {
      const a = await this.lb.post(invoke(this.council.mock.url, provider, 'bid.submit', bidData(ref, this.council.startDate, s.rate)), { prefer });
      Object.assign(s, { by: a.by, status: a.status, acknowledged: a.status === 200 && a.body.includes('Bid received') });
    } catch (e) {
      s.error = (e as Error).message;
    }
    s.answeredAt = Date.now();
    return s;
  }

  start(): void {
    this.running = true;
    let n = 0;
    const worker = async () => {
      while (this.running) {
        const i = n++;
        await this.submit(this.options.refs[i % this.options.refs.length], 1 + (Math.floor(i / this.options.refs.length) % this.options.providers));
        if (this.options.pauseMs) await new Promise((r) => setTimeout(r, this.options.pauseMs));
      }
    };
    this.loop = Promise.all(Array.from({ length: this.options.inFlight }, worker)).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * The database against the answers: every acknowledged bid is there once, as a version of its
   * provider's bid with its rate; no bid holds a rate or a version number twice.
   */
  async check(url: string): Promise<BidCheck> {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    let rows: { doc: { id: string; versions: { version: number; hourlyRate: number }[] } }[];
    try {
      rows = (await db.query('SELECT doc FROM bids WHERE id = ANY($1)', [[...new Set(this.submissions.map((s) => `${s.ref}:${providerId(s.provider)}`))]])).rows;
    } finally {
      await db.end();
    }
    const bids = new Map(rows.map((r) => [r.doc.id, r.doc]));
    const found = (s: Submission) => (bids.get(`${s.ref}:${providerId(s.provider)}`)?.versions ?? []).filter((v) => v.hourlyRate === s.rate).length;
    const acked = this.submissions.filter((s) => s.acknowledged);
    let duplicates = 0;
    for (const b of bids.values()) {
      const numbers = b.versions.map((v) => v.version);
      const rates = b.versions.map((v) => v.hourlyRate);
      duplicates += numbers.length - new Set(numbers).size + rates.length - new Set(rates).size;
    }
    return {
      submitted: this.submissions.length,
      acknowledged: acked.length,
      missing: acked.filter((s) => found(s) === 0).length,
      duplicates,
      refused: this.submissions.filter((s) => s.status !== undefined && !s.acknowledged).length,
      lostAnswers: this.submissions.filter((s) => s.error).length,
      lostAnswersCommitted: this.submissions.filter((s) => s.error && found(s) > 0).length,
    };
  }
}

/** Every acknowledged bid in the database once, no answer lost, some load at all. */
export function bidProblems(b: BidCheck): string[] {
  return failures([
    b.missing === 0 || `${b.missing} acknowledged bids are not in the database`,
    b.duplicates === 0 || `${b.duplicates} versions or rates twice in a bid`,
    b.lostAnswers === 0 || `${b.lostAnswers} bids lost their answer`,
    b.refused === 0 || `${b.refused} bids were answered but not taken`,
    b.acknowledged >= 20 || `only ${b.acknowledged} bids acknowledged`,
  ]);
}

export interface BidCheck {
  submitted: number;
  acknowledged: number;
  /** Acknowledged but not in the database: must be 0. */
  missing: number;
  /** A version or a rate twice in one bid: must be 0. */
  duplicates: number;
  /** Answered, but not "Bid received". */
  refused: number;
  /** No answer (a reset or a timeout after sending), and of those, how many the database has. */
  lostAnswers: number;
  lostAnswersCommitted: number;
}
