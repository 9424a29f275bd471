/** The turns the latency and burst runs send, on either store: bid pairs, the paired echo, bursts. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bidData, BIDDERS, type Base } from './generate.js';
import { invoke, percentile, post, rssMb, settle, startBot, stopBot, type BotProcess, type Reply } from './bot.js';
import type { MockConnector } from './mockConnector.js';
import { backgroundFigures, phaseFigures, phaseTable, readPhases, type Sample } from './phases.js';

/** BENCH_SIZES=empty,100k limits a BENCH_ONLY=latency run to those history sizes. */
export const wanted = (size: string) => !process.env.BENCH_SIZES || process.env.BENCH_SIZES.split(',').includes(size);

export const WARMUP = 40;
/** BENCH_SAMPLES shortens a look at one thing (the figures then mean less). */
export const MEASURED = Number(process.env.BENCH_SAMPLES ?? 1000);

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

/** The monotonic clock in microseconds: the clock V8's CPU profiles are stamped with (bench/profile.ts). */
const micros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * `env` starts the bot on another store (DATABASE_URL); the live call-offs are read from the base
 * folder. `label` names the run's CPU profile (BENCH_CPU_PROF), beside which the measured window is kept.
 */
/** The measured window of a profiled run, for bench/profile.ts (Node writes the profile itself when the bot stops). */
async function keepWindow(folder: string, from: number) {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'window.json'), JSON.stringify({ from, to: micros(), bids: MEASURED, echoes: MEASURED }));
}

/**
 * Bid turns paired with echo turns, one at a time. The bot times each turn phase by phase
 * (bench/phases.ts) unless BENCH_PHASES=0: the clock keeps an async context, which costs a little.
 */
export async function latency(base: Base, dir: string, mock: MockConnector, env: Record<string, string> = {}, label = 'latency') {
  const phasesFile = process.env.BENCH_PHASES === '0' ? undefined : join(dir, `phases-${label}.json`);
  const bot = await startBot(dir, { ...env, ...(phasesFile ? { BENCH_PHASES_FILE: phasesFile } : {}) }, undefined, label);
  const bidSamples: Sample[] = [];
  const echoSamples: Sample[] = [];
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    await settle(bot.child.pid!);
    measured = await measure(bot, base, mock, bidSamples, echoSamples);
    if (process.env.BENCH_CPU_PROF) await keepWindow(join(process.env.BENCH_CPU_PROF, label), measured.from);
  } finally {
    await stopBot(bot);
  }
  const records = phasesFile ? await readPhases(phasesFile) : [];
  const phases = { bid: phaseFigures(records, bidSamples), echo: phaseFigures(records, echoSamples), background: backgroundFigures(records, bidSamples.length) };
  return { ...measured, bids: bidSamples.map((s) => s.ms), echoes: echoSamples.map((s) => s.ms), startMs: Math.round(bot.startMs), phases };
}

async function measure(bot: BotProcess, base: Base, mock: MockConnector, bids: Sample[], echoes: Sample[]) {
  const rssStart = rssMb(bot.child.pid!);
  const start = await startDate(base.dir, base.live[0]);
  const work = pairs(base);
  let refused = 0;
  let from = 0;
  for (let k = 0; k < WARMUP + MEASURED; k++) {
    if (k === WARMUP) from = micros();
    const { ref, provider } = work[k];
    const echoTurn = invoke(mock.url, provider, 'bench.echo', { ref });
    const echo = await post(bot.url, echoTurn);
    await sleep(10);
    const bidTurn = invoke(mock.url, provider, 'bid.submit', bidData(ref, start, 22 + k / 100));
    const bid = await post(bot.url, bidTurn);
    if (!accepted(bid)) refused++;
    if (k >= WARMUP) {
      echoes.push({ id: String(echoTurn.id), ms: echo.ms });
      bids.push({ id: String(bidTurn.id), ms: bid.ms });
    }
    await sleep(10);
  }
  return { refused, rssStart, rss: rssMb(bot.child.pid!), from };
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

/** The latency run's phase table and background work, as the bench prints them. */
export function phaseLines(l: Awaited<ReturnType<typeof latency>>): string {
  if (!l.phases.bid) return '  (no phases recorded)';
  const b = l.phases.background;
  return `  bid turn by phase (ms):\n${phaseTable(l.phases.bid, l.phases.echo)}` + (b ? `\n    not waited for, per bid: ${b.pieces_per_bid} outbox attempt(s) (${Object.entries(b.kinds).map(([k, n]) => `${k.replace('outbox ', '')} ${n}`).join(', ')}), ${b.ms_per_bid} ms (${Object.entries(b.phases_ms_per_bid).map(([k, ms]) => `${k} ${ms}`).join(', ')})` : '');
}
