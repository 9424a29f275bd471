/** The turns the latency and burst runs send, on either store: bid pairs, the paired echo, bursts. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bidData, BIDDERS, type Base } from './generate.js';
import { invoke, percentile, post, rssMb, settle, startBot, stopBot, type BotProcess, type Reply } from './bot.js';
import type { MockConnector } from './mockConnector.js';

export const WARMUP = 40;
export const MEASURED = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Every (call-off, provider) pair once, in a fixed shuffled order: each bid is a new one. */
export function pairs(base: Base, callOffs = base.live.length): { ref: string; provider: number }[] {
  const out: { ref: string; provider: number }[] = [];
  for (let p = 1; p <= BIDDERS; p++) for (const ref of base.live.slice(0, callOffs)) out.push({ ref, provider: p });
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export const startDate = async (dir: string, ref: string) => {
  const data = JSON.parse(await readFile(join(dir, 'requests', `${ref}.json`), 'utf8')) as { items: Record<string, { package: { startDate: string } }> };
  return data.items[ref].package.startDate;
};

export const accepted = (r: Reply) => r.status === 200 && r.body.includes('Bid received');

/** `env` starts the bot on another store (DATABASE_URL); the live call-offs are read from the base folder. */
export async function latency(base: Base, dir: string, mock: MockConnector, env: Record<string, string> = {}) {
  const bot = await startBot(dir, env);
  try {
    await settle(bot.child.pid!);
    const rssStart = rssMb(bot.child.pid!);
    const start = await startDate(base.dir, base.live[0]);
    const work = pairs(base);
    const bids: number[] = [];
    const echoes: number[] = [];
    let refused = 0;
    for (let k = 0; k < WARMUP + MEASURED; k++) {
      const { ref, provider } = work[k];
      const echo = await post(bot.url, invoke(mock.url, provider, 'bench.echo', { ref }));
      await sleep(10);
      const bid = await post(bot.url, invoke(mock.url, provider, 'bid.submit', bidData(ref, start, 22 + k / 100)));
      if (!accepted(bid)) refused++;
      if (k >= WARMUP) {
        echoes.push(echo.ms);
        bids.push(bid.ms);
      }
      await sleep(10);
    }
    const rss = rssMb(bot.child.pid!);
    return { bids, echoes, refused, startMs: Math.round(bot.startMs), rssStart, rss };
  } finally {
    await stopBot(bot);
  }
}

export interface Sent {
  ref: string;
  provider: number;
  price: string;
  reply?: Reply;
  error?: string;
}

/** Fires `count` bids evenly over `seconds`, without waiting for answers (as many people would). */
export async function fire(bot: BotProcess, mock: MockConnector, work: { ref: string; provider: number }[], count: number, seconds: number, start: string, priceBase: number, stopAt?: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let k = 0; k < count; k++) {
    const due = t0 + (k * seconds * 1000) / count;
    while (performance.now() < due) await sleep(Math.max(0, due - performance.now()));
    if (stopAt !== undefined && performance.now() - t0 >= stopAt) break;
    const { ref, provider } = work[k % work.length];
    const data = bidData(ref, start, priceBase + k / 1000);
    const s: Sent = { ref, provider, price: String(data.weeklyPrice) };
    sent.push(s);
    inflight.push(
      post(bot.url, invoke(mock.url, provider, 'bid.submit', data), 20_000).then(
        (r) => void (s.reply = r),
        (e: Error) => void (s.error = e.message),
      ),
    );
  }
  await Promise.all(inflight);
  return sent;
}


export const p = (values: number[], q: number) => round(percentile(values, q));
