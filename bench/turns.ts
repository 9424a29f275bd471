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

/** The measured window of a profiled run, for bench/profile.ts (Node writes the profile itself when the bot stops). */
async function keepWindow(folder: string, from: number, count: number) {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'window.json'), JSON.stringify({ from, to: micros(), bids: count, echoes: count }));
}

/** Bids of the phase run: the (call-off, provider) pairs the measured run left (1 250 in all). */
export const PHASE_WARMUP = 10;
export const PHASE_SAMPLES = 200;

/**
 * Bid turns paired with echo turns, one at a time: `MEASURED` of them on a bot as it runs in
 * production (the figures, the RSS), then `PHASE_SAMPLES` more on a bot started again with its
 * phase clock on (bench/phases.ts: the clock keeps an async context, which costs a little time
 * and memory, so it does not run during the measured turns). `env` starts the bot on another
 * store (DATABASE_URL); the live call-offs are read from the base folder. `label` names the run's
 * CPU profile (BENCH_CPU_PROF: the measured run's), and BENCH_PHASES=0 leaves the phase run out.
 */
export async function latency(base: Base, dir: string, mock: MockConnector, env: Record<string, string> = {}, label = 'latency') {
  const memoryFile = join(dir, `memory-${label}.json`);
  const bot = await startBot(dir, { ...env, BENCH_MEMORY_FILE: memoryFile }, undefined, label);
  const bidSamples: Sample[] = [];
  const echoSamples: Sample[] = [];
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    await settle(bot.child.pid!);
    measured = await measure(bot, base, mock, 0, WARMUP, MEASURED, bidSamples, echoSamples);
    if (process.env.BENCH_CPU_PROF) await keepWindow(join(process.env.BENCH_CPU_PROF, label), measured.from, MEASURED);
  } finally {
    await stopBot(bot);
  }
  return { ...measured, bids: bidSamples.map((s) => s.ms), echoes: echoSamples.map((s) => s.ms), startMs: Math.round(bot.startMs), memory: await readMemory(memoryFile), phases: process.env.BENCH_PHASES === '0' ? undefined : await phaseRun(base, dir, mock, env, label) };
}

/** The phase run: the bid turn split into phases, with the echo beside it and what the bids set going. */
async function phaseRun(base: Base, dir: string, mock: MockConnector, env: Record<string, string>, label: string) {
  const file = join(dir, `phases-${label}.json`);
  const bot = await startBot(dir, { ...env, BENCH_PHASES_FILE: file });
  const bids: Sample[] = [];
  const echoes: Sample[] = [];
  try {
    await settle(bot.child.pid!);
    await measure(bot, base, mock, WARMUP + MEASURED, PHASE_WARMUP, PHASE_SAMPLES, bids, echoes);
  } finally {
    await stopBot(bot);
  }
  const records = await readPhases(file);
  return { bid: phaseFigures(records, bids), echo: phaseFigures(records, echoes), background: backgroundFigures(records, bids.length) };
}

/** Where the bot's memory went when it stopped (bench/child.ts writes it). */
async function readMemory(file: string) {
  const mb = (n: number) => Math.round(n / 1e6);
  const m = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as { rss?: number; heapTotal?: number; heapUsed?: number; external?: number; arrayBuffers?: number; spaces?: Record<string, number> };
  if (m.heapUsed === undefined) return undefined;
  return { rss_mb: mb(m.rss ?? 0), heap_total_mb: mb(m.heapTotal ?? 0), heap_used_mb: mb(m.heapUsed), external_mb: mb(m.external ?? 0), array_buffers_mb: mb(m.arrayBuffers ?? 0), heap_spaces_mb: Object.fromEntries(Object.entries(m.spaces ?? {}).map(([k, v]) => [k, mb(v)])) };
}

/** `count` bid turns, each after an echo, on pairs `first`…, the first `warmup` not kept. */
async function measure(bot: BotProcess, base: Base, mock: MockConnector, first: number, warmup: number, count: number, bids: Sample[], echoes: Sample[]) {
  const rssStart = rssMb(bot.child.pid!);
  const start = await startDate(base.dir, base.live[0]);
  const work = pairs(base);
  if (work.length < first + warmup + count) throw new Error(`only ${work.length} (call-off, provider) pairs for ${first + warmup + count} new bids`);
  let refused = 0;
  let from = 0;
  for (let k = first; k < first + warmup + count; k++) {
    if (k === first + warmup) from = micros();
    const { ref, provider } = work[k];
    const echoTurn = invoke(mock.url, provider, 'bench.echo', { ref });
    const echo = await post(bot.url, echoTurn);
    await sleep(10);
    const bidTurn = invoke(mock.url, provider, 'bid.submit', bidData(ref, start, 22 + k / 100));
    const bid = await post(bot.url, bidTurn);
    if (!accepted(bid)) refused++;
    if (k >= first + warmup) {
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
  if (!l.phases?.bid) return '  (no phases recorded)';
  const b = l.phases.background;
  return `  bid turn by phase (ms; a run of ${PHASE_SAMPLES} more with the phase clock on):\n${phaseTable(l.phases.bid, l.phases.echo)}` + (b ? `\n    not waited for, per bid: ${b.pieces_per_bid} outbox attempt(s) (${Object.entries(b.kinds).map(([k, n]) => `${k.replace('outbox ', '')} ${n}`).join(', ')}), ${b.ms_per_bid} ms (${Object.entries(b.phases_ms_per_bid).map(([k, ms]) => `${k} ${ms}`).join(', ')})` : '');
}
