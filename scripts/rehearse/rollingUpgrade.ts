/**
 * Rehearsal: a rolling upgrade with a migration (issue 27, part 4). Two instances of the
 * production build (the old version) share one PostgreSQL database behind a load balancer;
 * providers bid throughout and a publish to every provider channel runs across the upgrade. The
 * new version is the same build with one more migration in its migrations folder (a copy of the
 * built app; `node_modules` shared): it adds a column generated from every bid, which rewrites the
 * bids table under an exclusive lock, and holds that lock 2 s longer, as a slow migration would.
 * B is stopped (SIGTERM) and started on the new version, which migrates as it starts while A, still
 * old, keeps serving; then A is rolled the same way. Nothing acknowledged may be lost, no bid or
 * card duplicated, and the broker told once.
 */
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNCIL } from '../../bench/generate.js';
import { message, post } from '../../bench/bot.js';
import { startApp, type AppProcess } from './app.js';
import { broadcastChecks, cardsPerChannel, councilIn, failures, LINK_SECRET, publish, query, reports, sleep, until } from './council.js';
import { BidLoad, bidProblems, LoadBalancer, type BidCheck } from './load.js';

const MIGRATIONS = join('dist', 'src', 'store', 'postgres', 'migrations');

/** The rehearsal's migration: real DDL on the table every bid writes. */
const REHEARSAL_SQL = `-- A rolling upgrade rehearsal's migration (scripts/rehearse/rollingUpgrade.ts), not part of the product.
ALTER TABLE bids ADD COLUMN rehearsal_weekly_price numeric GENERATED ALWAYS AS ((doc -> 'versions' -> -1 ->> 'weeklyPrice')::numeric) STORED;
CREATE INDEX bids_rehearsal_weekly_price ON bids (rehearsal_weekly_price);
SELECT pg_sleep(2);
`;

/** The new version: a copy of the installed app whose build has one more migration, numbered after its newest. */
export async function newVersionOf(appDir: string): Promise<{ dir: string; migration: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'brokerage-app-new-'));
  await cp(join(appDir, 'dist'), join(dir, 'dist'), { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) await cp(join(appDir, f), join(dir, f));
  await symlink(join(appDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const newest = Math.max(...(await readdir(join(dir, MIGRATIONS))).map((f) => Number(f.slice(0, 3))).filter(Number.isFinite));
  const migration = `${String(newest + 1).padStart(3, '0')}_rehearsal_bid_weekly_price`;
  await writeFile(join(dir, MIGRATIONS, `${migration}.sql`), REHEARSAL_SQL);
  const info = JSON.parse(await readFile(join(dir, 'dist', 'build.json'), 'utf8')) as { commit: string };
  await writeFile(join(dir, 'dist', 'build.json'), JSON.stringify({ ...info, commit: `${info.commit}+${migration}` }, null, 2));
  return { dir, migration };
}

export interface RollingFigures {
  migration: string;
  /** From starting the new B to its /readyz answering 200 (its start, the migration included). */
  newBReadyMs: number;
  /** Bids the old A acknowledged while the database was already at the new schema. */
  oldAAcknowledgedOnNewSchema: number;
  /** The slowest acknowledged bid of the whole run, and the median. */
  slowestBidMs: number;
  medianBidMs: number;
  /** Requests the balancer sent on to the other instance when one was stopping (503 or refused). */
  rerouted: Record<string, number>;
  channels: number;
  channelsOnce: number;
  channelsTwice: number;
  reports: string[];
  bids: BidCheck;
  /** The schema at the end, the instances alive and their builds, and what `ops` said. */
  schemaVersions: number[];
  instances: { build: string }[];
  opsSays: string[];
}

export function rollingProblems(f: RollingFigures, known: number[]): string[] {
  return failures([
    f.schemaVersions.join() === [...known, known.at(-1)! + 1].join() || `the schema ends at ${f.schemaVersions.join(', ')}`,
    f.oldAAcknowledgedOnNewSchema > 0 || 'the old A took no bid on the new schema',
    ...broadcastChecks(f),
    (f.instances.length === 2 && f.instances.every((i) => i.build.endsWith(`+${f.migration})`))) || `instances alive: ${JSON.stringify(f.instances)}`,
    f.opsSays.some((l) => l.includes(`the newest ${f.migration.replace('_', ' ')}`)) || `ops does not name the migration: ${f.opsSays.join(' | ')}`,
    ...bidProblems(f.bids),
  ]);
}

export async function rehearseRollingUpgrade(options: { appDir: string; databaseUrl: string; providers?: number }): Promise<RollingFigures> {
  const providers = options.providers ?? 60;
  const council = await councilIn(options.databaseUrl, { providers, bidders: 20, live: 4 });
  const { mock, base } = council;
  const next = await newVersionOf(options.appDir);
  const lb = new LoadBalancer();
  const bots: AppProcess[] = [];
  const env = (dir: string) => ({ DATABASE_URL: options.databaseUrl, LINK_SECRET, LOG_LEVEL: 'warn', DATA_DIR: join(council.work, dir) });
  const start = async (name: string, appDir: string, dir: string) => {
    const bot = await startApp(appDir, env(dir), { name });
    bots.push(bot);
    lb.add(bot);
    return bot;
  };
  const roll = async (old: AppProcess, name: string) => {
    await old.stop('SIGTERM');
    lb.remove(old.name);
    const t0 = Date.now();
    const bot = await start(name, next.dir, name);
    return { bot, readyMs: Date.now() - t0 };
  };
  try {
    // Cards are answered 300 ms late, so the publish runs across the whole upgrade.
    mock.configure({ script: ({ conversationId, method }) => (conversationId.startsWith('19:') && method === 'POST' ? { delayMs: 300 } : undefined) });
    const a = await start('A', options.appDir, 'a');
    await start('B', options.appDir, 'b');
    lb.start();
    const load = new BidLoad(council, lb, { refs: base.live, providers: 20, inFlight: 3, pauseMs: 20 });
    load.start();
    await until('bids arriving', () => load.submissions.filter((s) => s.acknowledged).length >= 10, 60_000);
    const ref = base.broadcastRef;
    if ((await publish(a.url, council, ref)) !== 200) throw new Error('the publish turn failed');
    await until('the first cards', () => cardsPerChannel(council, ref).some((n) => n > 0), 30_000);

    const newB = await roll(bots.find((b) => b.name === 'B')!, "B'");
    const migratedAt = Date.now();
    await sleep(1500); // the old A serves on the new schema meanwhile
    await roll(a, "A'");
    await sleep(1000);
    await until('every channel to have the card and the broker the report', () => cardsPerChannel(council, ref).every((n) => n > 0) && reports(council).length > 0, 120_000);
    await sleep(1500); // a late duplicate would arrive now
    await load.stop();

    const acked = load.submissions.filter((s) => s.acknowledged).map((s) => s.answeredAt! - s.sentAt).sort((x, y) => x - y);
    const counts = cardsPerChannel(council, ref);
    const before = mock.posts.length;
    await post(bots.at(-1)!.url, message(mock.url, COUNCIL.alex.aadObjectId, 'ops'), 30_000);
    await until("the ops card", () => mock.posts.slice(before).some((p) => p.text.includes('Operations')), 30_000);
    const opsCard = mock.posts.slice(before).find((p) => p.text.includes('Operations'))!.text;
    const opsSays = [...opsCard.matchAll(/"(?:value|text)":"([^"]*(?:migration|Instance |Needs attention|All well)[^"]*)"/g)].map((m) => m[1]);
    return {
      migration: next.migration,
      newBReadyMs: newB.readyMs,
      oldAAcknowledgedOnNewSchema: load.submissions.filter((s) => s.acknowledged && s.by === 'A' && s.answeredAt! > migratedAt).length,
      slowestBidMs: acked.at(-1) ?? 0,
      medianBidMs: acked[Math.floor(acked.length / 2)] ?? 0,
      rerouted: Object.fromEntries(lb.rerouted),
      channels: providers,
      channelsOnce: counts.filter((n) => n === 1).length,
      channelsTwice: counts.filter((n) => n > 1).length,
      reports: reports(council),
      bids: await load.check(options.databaseUrl),
      schemaVersions: (await query<{ version: number }>(options.databaseUrl, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version),
      instances: await query<{ build: string }>(options.databaseUrl, `SELECT build FROM instances WHERE seen_at > now() - interval '45 seconds' ORDER BY build`),
      opsSays,
    };
  } catch (e) {
    for (const bot of bots) console.error(`--- ${bot.name}\n${bot.logs.slice(-15).join('\n')}`);
    throw e;
  } finally {
    lb.stop();
    await Promise.all(bots.map((bot) => bot.stop()));
    await mock.stop();
    await rm(council.work, { recursive: true, force: true });
    await rm(next.dir, { recursive: true, force: true });
  }
}
