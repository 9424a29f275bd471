/**
 * `npm run bench`: starts the real bot server (a child process, on loopback) against a mock Bot
 * Connector that enforces Teams' rate limits, and measures turn latency with 0, 10 000 and 100 000
 * past call-offs, a broadcast to 200 channels, a burst of 500 bids, a SIGKILL during a burst, and
 * memory with the big store. Writes bench/results.json and prints a table.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bidData, BIDDERS, buildBase, channelOf, COUNCIL, copyStore, addHistory, LIVE_CALLOFFS, personalChat, PROVIDERS, providerId, type Base } from './generate.js';
import { openBrokerageLowdb } from '../src/store/lowdb/brokerageLowdb.js';
import { invoke, message, percentile, post, rssMb, settle, startBot, stopBot, type BotProcess, type Reply } from './bot.js';
import { MockConnector } from './mockConnector.js';

/** BENCH_SCALE=0.01 shrinks the history for a quick smoke run (the figures then mean little). */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const SIZES = [
  ['empty', 0],
  ['10k', Math.round(10_000 * SCALE)],
  ['100k', Math.round(100_000 * SCALE)],
] as const;
const WARMUP = 40;
const MEASURED = 1000;
const BURST = 500;
const BURST_SECONDS = 5;

const began = performance.now();
const log = (msg: string) => process.stdout.write(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Every (call-off, provider) pair once, in a fixed shuffled order: each bid is a new one. */
function pairs(base: Base, callOffs = base.live.length): { ref: string; provider: number }[] {
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

const startDate = async (dir: string, ref: string) => {
  const data = JSON.parse(await readFile(join(dir, 'requests', `${ref}.json`), 'utf8')) as { items: Record<string, { package: { startDate: string } }> };
  return data.items[ref].package.startDate;
};

const accepted = (r: Reply) => r.status === 200 && r.body.includes('Bid received');

async function latency(base: Base, dir: string, mock: MockConnector) {
  const bot = await startBot(dir);
  try {
    await settle(bot.child.pid!);
    const rssStart = rssMb(bot.child.pid!);
    const start = await startDate(dir, base.live[0]);
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

/**
 * A publish to 200 channels against a connector that answers about 10% of requests 429
 * (Retry-After 1–2 s) and 2% 502, whatever the pace, as Teams does under load. Counts, from the
 * connector's side and the bot's store: delivered (a channel shows the card), failed (the bot
 * says not delivered), lost (recorded as sent without an id the connector issued, or a channel the
 * bot says it reached that shows nothing) and duplicates (a channel showing the card twice).
 */
async function broadcast(base: Base, dir: string, mock: MockConnector) {
  mock.reset();
  mock.configure({ throttleRate: 0.1, failRate: 0.02 });
  const bot = await startBot(dir);
  const ref = base.broadcastRef;
  let result;
  try {
    await settle(bot.child.pid!);
    const channels = (posts: MockConnector['posts']) => posts.filter((p) => p.conversationId.startsWith('19:prov-') && p.text.includes(ref));
    const reportOf = () => mock.posts.find((p) => p.conversationId === personalChat(COUNCIL.alex.aadObjectId) && p.text.includes(`Call-off ${ref}: posted to`));
    const wall0 = Date.now();
    const reply = await post(bot.url, message(mock.url, COUNCIL.alex.aadObjectId, `publish ${ref}`));
    if (reply.status !== 200) throw new Error(`publish failed: ${reply.status} ${reply.body}`);
    const deadline = performance.now() + 180_000;
    while (!reportOf() && performance.now() < deadline) await sleep(20);
    const done = channels(mock.posts);
    const lastAt = done.length ? Math.max(...done.map((p) => p.at)) : Date.now();
    // Late duplicates would show up now.
    await sleep(3000);
    const shown = new Map<string, number>();
    for (let i = 1; i <= PROVIDERS; i++) shown.set(channelOf(i), mock.shown(channelOf(i)).filter((p) => p.text.includes(ref)).length);
    const requests = mock.log.filter((r) => r.at >= wall0).length;
    const lastRetryAt = Math.max(wall0, ...mock.log.filter((r) => r.status === 429 && r.conversationId.startsWith('19:prov-')).map((r) => r.at + 1000 * Number(r.retryAfter ?? 1)));
    result = { wall0, lastAt, lastRetryAt, reply, shown, requests, report: reportOf(), made: new Set(done.map((p) => p.activityId)) };
    if (process.env.BENCH_DEBUG) {
      const ts = done.map((p) => (p.at - wall0) / 1000).sort((a, b) => a - b);
      log(`posts at p10 ${ts[20]} p50 ${ts[100]} p90 ${ts[180]} p99 ${ts[198]} last ${ts.at(-1)}; per second: ${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => ts.filter((t) => t >= k && t < k + 1).length).join(' ')}`);
    }
  } finally {
    mock.configure({});
    await stopBot(bot);
  }
  // The bot's own record, read from its store once it has stopped.
  const store = await openBrokerageLowdb(dir);
  const items = (await store.scan('outbox')).filter((i) => i.id.startsWith(`post:${ref}:`) && !i.updates && 'providerId' in i.target);
  await store.close();
  const sent = items.filter((i) => i.status === 'sent');
  const lost =
    sent.filter((i) => !i.activityId || !result.made.has(i.activityId)).length +
    sent.filter((i) => !result.shown.get(`19:${(i.target as { providerId: string }).providerId}@thread.tacv2`)).length;
  const seconds = (result.lastAt - result.wall0) / 1000;
  const minimum = PROVIDERS / 50;
  const reportText = result.report ? (JSON.parse(result.report.text) as { text?: string }).text ?? '' : '';
  return {
    seconds: round(seconds, 2),
    delivered: [...result.shown.values()].filter((n) => n > 0).length,
    failed: items.filter((i) => i.status === 'failed').length,
    lost,
    duplicates: [...result.shown.values()].reduce((s, n) => s + Math.max(0, n - 1), 0),
    theoretical_min_seconds: minimum,
    ratio_to_minimum: round(seconds / minimum, 2),
    // The same bound for the requests this run's answers forced (every 429 and 502 is one more request).
    min_for_requests_seconds: round(result.requests / 50, 2),
    ratio_to_requests_minimum: round(seconds / (result.requests / 50), 2),
    // When the last request the connector answered 429 allowed its retry: no sender can finish before it.
    last_retry_after_s: round((result.lastRetryAt - result.wall0) / 1000, 2),
    connector_requests: result.requests,
    throttled_429: mock.counts.throttled,
    failed_502: mock.counts.failed,
    broker_report: reportText.slice(0, 120),
    publish_turn_ms: Math.round(result.reply.ms),
  };
}

interface Sent {
  ref: string;
  provider: number;
  price: string;
  reply?: Reply;
  error?: string;
}

/** Fires `count` bids evenly over `seconds`, without waiting for answers (as many people would). */
async function fire(bot: BotProcess, mock: MockConnector, work: { ref: string; provider: number }[], count: number, seconds: number, start: string, priceBase: number, stopAt?: number): Promise<Sent[]> {
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

/** Reads every data file: which are not whole JSON, and the bids as saved. */
async function inspect(dir: string) {
  let corrupt = 0;
  let files = 0;
  const bids = new Map<string, { versions: { weeklyPrice: number }[] }>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json') || entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    files++;
    let data: { items?: Record<string, unknown> };
    try {
      data = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      corrupt++;
      continue;
    }
    if (entry.parentPath.endsWith('/bids')) for (const [id, b] of Object.entries(data.items ?? {})) bids.set(id, b as { versions: { weeklyPrice: number }[] });
  }
  const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean);
  let tornAudit = 0;
  for (const line of audit) {
    try {
      JSON.parse(line);
    } catch {
      tornAudit++;
    }
  }
  const has = (s: Sent) => !!bids.get(`${s.ref}:${providerId(s.provider)}`)?.versions.some((v) => v.weeklyPrice.toFixed(2) === Number(s.price).toFixed(2));
  return { corrupt, files, has, tornAudit };
}

async function burst(base: Base, dir: string, mock: MockConnector) {
  const bot = await startBot(dir);
  let sent: Sent[];
  try {
    await settle(bot.child.pid!);
    sent = await fire(bot, mock, pairs(base, 10), BURST, BURST_SECONDS, await startDate(dir, base.live[0]), 23);
  } finally {
    await stopBot(bot);
  }
  const acked = sent.filter((s) => s.reply && accepted(s.reply));
  const files = await inspect(dir);
  const persisted = acked.filter(files.has).length;
  return {
    acknowledged: acked.length,
    persisted,
    lost: acked.length - persisted,
    p99_ms: round(percentile(acked.map((s) => s.reply!.ms), 99)),
    p50_ms: round(percentile(acked.map((s) => s.reply!.ms), 50)),
    refused_or_failed: sent.length - acked.length,
    corrupt_files: files.corrupt,
  };
}

async function crash(base: Base, dir: string, mock: MockConnector, rounds = 3) {
  const start = await startDate(dir, base.live[0]);
  const acked: Sent[] = [];
  const killedAt: number[] = [];
  const work = pairs(base, 10);
  for (let r = 0; r < rounds; r++) {
    const bot = await startBot(dir);
    await settle(bot.child.pid!, 500);
    const killAfter = 1500 + Math.floor(Math.random() * 2000);
    killedAt.push(killAfter);
    const timer = setTimeout(() => bot.child.kill('SIGKILL'), killAfter);
    const sent = await fire(bot, mock, work.slice(r * 160).concat(work), BURST, BURST_SECONDS, start, 30 + r, killAfter + 50);
    clearTimeout(timer);
    if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    await bot.exited;
    acked.push(...sent.filter((s) => s.reply && accepted(s.reply)));
  }
  // Restart once more: the store must open (every file readable), then stop cleanly and look.
  let restarted = true;
  try {
    const bot = await startBot(dir);
    await settle(bot.child.pid!, 500);
    await stopBot(bot);
  } catch {
    restarted = false;
  }
  const files = await inspect(dir);
  return { acknowledged: acked.length, present: acked.filter(files.has).length, corrupt: files.corrupt, restarted, rounds, killed_after_ms: killedAt, torn_audit_lines: files.tornAudit, files_checked: files.files };
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'brokerage-bench-'));
  const mock = new MockConnector();
  const connector = await mock.start();
  log(`data in ${work}; mock Bot Connector at ${connector}`);
  try {
    const base = await buildBase(join(work, 'base'), connector);
    log(`live framework: ${PROVIDERS} providers with channels, ${LIVE_CALLOFFS} open call-offs offered to ${BIDDERS} each`);
    if (process.env.BENCH_ONLY === 'broadcast') {
      // A quick look at the broadcast alone (nothing written).
      for (let i = 0; i < 3; i++) log(JSON.stringify(await broadcast(base, await fresh(base, work, `broadcast-${i}`), mock)));
      return;
    }

    const latencies: Record<string, Awaited<ReturnType<typeof latency>>> = {};
    const generated: Record<string, { seconds: number; files: number; mb: number }> = {};
    for (const [name, count] of SIZES) {
      const dir = join(work, `latency-${name}`);
      const t = performance.now();
      await copyStore(base.dir, dir);
      const h = await addHistory(dir, count);
      generated[name] = { seconds: round((performance.now() - t) / 1000), files: h.files, mb: Math.round(h.bytes / 1e6) };
      log(`store ${name}: ${count} past call-offs (${h.files} files, ${generated[name].mb} MB) in ${generated[name].seconds}s`);
      latencies[name] = await latency(base, dir, mock);
      const l = latencies[name];
      log(`  bid p50 ${round(percentile(l.bids, 50))} ms, p99 ${round(percentile(l.bids, 99))} ms; echo p50 ${round(percentile(l.echoes, 50))} ms, p99 ${round(percentile(l.echoes, 99))} ms; refused ${l.refused}; start ${l.startMs} ms; RSS ${l.rss} MB`);
      await rm(dir, { recursive: true, force: true });
    }

    const b = await broadcast(base, await fresh(base, work, 'broadcast'), mock);
    log(`broadcast: ${b.seconds}s (${b.ratio_to_minimum}× the ${b.theoretical_min_seconds} s minimum; ${b.ratio_to_requests_minimum}× ${b.min_for_requests_seconds} s for its ${b.connector_requests} requests; last Retry-After ended at ${b.last_retry_after_s} s), delivered ${b.delivered}, failed ${b.failed}, lost ${b.lost}, duplicates ${b.duplicates}, 429s ${b.throttled_429}, 502s ${b.failed_502}`);
    const u = await burst(base, await fresh(base, work, 'burst'), mock);
    log(`burst: acknowledged ${u.acknowledged}, persisted ${u.persisted}, lost ${u.lost}, p99 ${u.p99_ms} ms`);
    const c = await crash(base, await fresh(base, work, 'crash'), mock);
    log(`crash: acknowledged ${c.acknowledged}, present ${c.present}, corrupt ${c.corrupt}`);

    const allEchoes = Object.values(latencies).flatMap((l) => l.echoes);
    const lat = (name: string) => ({ p50_ms: round(percentile(latencies[name].bids, 50)), p99_ms: round(percentile(latencies[name].bids, 99)) });
    const results = {
      latency: { empty: lat('empty'), '10k': lat('10k'), '100k': lat('100k'), echo: { p50_ms: round(percentile(allEchoes, 50)), p99_ms: round(percentile(allEchoes, 99)) } },
      broadcast: { seconds: b.seconds, delivered: b.delivered, failed: b.failed, lost: b.lost, duplicates: b.duplicates, theoretical_min_seconds: b.theoretical_min_seconds, ratio_to_minimum: b.ratio_to_minimum, ratio_to_requests_minimum: b.ratio_to_requests_minimum },
      burst: { acknowledged: u.acknowledged, persisted: u.persisted, lost: u.lost, p99_ms: u.p99_ms },
      crash: { acknowledged: c.acknowledged, present: c.present, corrupt: c.corrupt },
      memory: { rss_mb_100k: latencies['100k'].rss },
      details: {
        when: new Date().toISOString(),
        node: process.version,
        cpus: (await import('node:os')).cpus().length,
        echo_turn: "an Action.Execute invoke with an unknown verb ('bench.echo'): same HTTP path, adapter and teams-ai route as a bid, answered without touching the store",
        samples_per_store: MEASURED,
        per_store: Object.fromEntries(
          Object.entries(latencies).map(([k, l]) => [k, { echo_p50_ms: round(percentile(l.echoes, 50)), echo_p99_ms: round(percentile(l.echoes, 99)), refused: l.refused, start_ms: l.startMs, rss_mb_after_start: l.rssStart, rss_mb_after_turns: l.rss, generated: generated[k] }]),
        ),
        broadcast: b,
        burst: u,
        crash: c,
        total_seconds: round((performance.now() - began) / 1000),
      },
    };
    await writeFile(join(import.meta.dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    printTable(results);
  } finally {
    await mock.stop();
    if (!process.env.BENCH_KEEP) await rm(work, { recursive: true, force: true });
  }
}

async function fresh(base: Base, work: string, name: string): Promise<string> {
  const dir = join(work, name);
  await copyStore(base.dir, dir);
  return dir;
}

function printTable(r: {
  latency: Record<string, { p50_ms: number; p99_ms: number }>;
  broadcast: { seconds: number; delivered: number; failed: number; lost: number; duplicates: number; theoretical_min_seconds: number; ratio_to_minimum: number };
  burst: { acknowledged: number; persisted: number; lost: number; p99_ms: number };
  crash: { acknowledged: number; present: number; corrupt: number };
  memory: { rss_mb_100k: number };
  details: { total_seconds: number };
}) {
  const echo = r.latency.echo.p99_ms;
  const p99s = ['empty', '10k', '100k'].map((k) => r.latency[k].p99_ms);
  const spread = Math.max(...p99s) / Math.min(...p99s);
  const ok = (b: boolean) => (b ? 'met' : 'MISSED');
  const rows: [string, string, string, string][] = [
    ['bid turn, empty store', `p50 ${r.latency.empty.p50_ms} ms, p99 ${r.latency.empty.p99_ms} ms`, `p99 ≤ 2× echo p99 (${round(2 * echo)} ms)`, ok(r.latency.empty.p99_ms <= 2 * echo)],
    ['bid turn, 10k call-offs', `p50 ${r.latency['10k'].p50_ms} ms, p99 ${r.latency['10k'].p99_ms} ms`, `p99 ≤ 2× echo p99`, ok(r.latency['10k'].p99_ms <= 2 * echo)],
    ['bid turn, 100k call-offs', `p50 ${r.latency['100k'].p50_ms} ms, p99 ${r.latency['100k'].p99_ms} ms`, `p99 ≤ 2× echo p99`, ok(r.latency['100k'].p99_ms <= 2 * echo)],
    ['echo turn', `p50 ${r.latency.echo.p50_ms} ms, p99 ${echo} ms`, '', ''],
    ['p99 spread across stores', `${round(spread, 2)}×`, '≤ 1.2×', ok(spread <= 1.2)],
    ['broadcast to 200 channels, ~10% 429', `${r.broadcast.seconds} s (${r.broadcast.ratio_to_minimum}×), delivered ${r.broadcast.delivered}, failed ${r.broadcast.failed}, lost ${r.broadcast.lost}, duplicates ${r.broadcast.duplicates}`, `≤ 1.3× ${r.broadcast.theoretical_min_seconds} s, lost 0, duplicates 0`, ok(r.broadcast.ratio_to_minimum <= 1.3 && !r.broadcast.lost && !r.broadcast.duplicates)],
    ['burst: 500 bids in 5 s', `acked ${r.burst.acknowledged}, persisted ${r.burst.persisted}, lost ${r.burst.lost}, p99 ${r.burst.p99_ms} ms`, 'lost 0', ok(!r.burst.lost)],
    ['crash: SIGKILL mid-burst', `acked ${r.crash.acknowledged}, present ${r.crash.present}, corrupt ${r.crash.corrupt}`, 'all present, 0 corrupt', ok(r.crash.present === r.crash.acknowledged && !r.crash.corrupt)],
    ['memory, 100k store', `${r.memory.rss_mb_100k} MB RSS`, '', ''],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write('\n' + rows.map((row) => row.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n') + `\n\nbench/results.json written; total ${r.details.total_seconds} s\n`);
}

await main();
