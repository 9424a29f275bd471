/**
 * Rehearsal: backup and restore of a live database (issue 27, part 4). The bot runs on a
 * PostgreSQL server that archives its write-ahead log; providers bid throughout. A hot physical
 * backup is taken while they do (pg_backup_start, a copy of the data folder, pg_backup_stop: the
 * embedded server from npm has no pg_basebackup or pg_dump), then restored into two new servers:
 *  - from the backup alone (recovery_target 'immediate'): every bid acknowledged before the backup
 *    finished is there;
 *  - with the archived log replayed to its end (point-in-time restore to the latest moment, as
 *    Azure's restore does to a chosen second): the bot started on it holds every acknowledged bid
 *    and gives the same report, card and CSV files byte for byte, as the bot on the old server.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile, appendFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { COUNCIL, providerId } from '../../bench/generate.js';
import { message, post } from '../../bench/bot.js';
import { startApp, type AppProcess } from './app.js';
import { councilIn, failures, LINK_SECRET, query, sleep, until, type Council } from './council.js';
import { BidLoad, bidProblems, LoadBalancer, type BidCheck, type Submission } from './load.js';
import { chownTree, startPostgres, type PgServer } from './postgres.js';
import { ukDate } from '../../src/domain/dates.js';

/** What a hot copy leaves out (PostgreSQL's "Making a base backup using the low level API"): the folders stay, empty. */
const EMPTIED = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);
const SKIPPED = new Set(['postmaster.pid', 'postmaster.opts']);

/** Copies a running server's data folder; files that vanish while it copies (a dropped temp table) are skipped. */
async function copyData(from: string, to: string, top = true): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true }).catch(() => [])) {
    if (top && SKIPPED.has(e.name)) continue;
    if (e.name.startsWith('pgsql_tmp')) continue;
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) {
      if (top && EMPTIED.has(e.name)) await mkdir(dst);
      else await copyData(src, dst, false);
    } else await copyFile(src, dst).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
  }
}

/**
 * A hot physical backup of the server at `adminUrl`, into `to`: the label PostgreSQL returns is
 * written as backup_label; the log from the start to the end of the copy is in the archive
 * (pg_backup_stop waits until it is). Returns when pg_backup_stop was called and returned.
 */
async function hotBackup(adminUrl: string, dataDir: string, to: string): Promise<{ stopCalledAt: number; lsn: string; copyMs: number }> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`SELECT pg_backup_start('rehearsal', true)`);
    const t0 = Date.now();
    await copyData(dataDir, to);
    const copyMs = Date.now() - t0;
    const stopCalledAt = Date.now();
    const { rows } = await c.query<{ lsn: string; labelfile: string }>('SELECT lsn::text, labelfile FROM pg_backup_stop(true)');
    await writeFile(join(to, 'backup_label'), rows[0].labelfile);
    return { stopCalledAt, lsn: rows[0].lsn, copyMs };
  } finally {
    await c.end();
  }
}

/** A new server on a copy of the backup, recovering from the archive; `immediate`: only to the end of the backup. */
async function restore(backup: string, archive: string, owner: PgServer['owner'], target: 'immediate' | 'latest'): Promise<PgServer> {
  const dir = await mkdtemp(join(tmpdir(), `rehearsal-restore-${target}-`));
  await copyData(backup, dir);
  await appendFile(join(dir, 'postgresql.auto.conf'), `\nrestore_command = 'cp "${archive}/%f" "%p"'\nrecovery_target_action = 'promote'\n${target === 'immediate' ? "recovery_target = 'immediate'\n" : ''}`);
  await writeFile(join(dir, 'recovery.signal'), '');
  await chownTree(dir, owner);
  await chmod(dir, 0o700);
  return startPostgres({ dataDir: dir, init: false, settings: { archive_mode: 'off' } });
}

/** The report of `period` as the bot draws it: the card (without its links) and the files they serve. */
async function reportOf(bot: AppProcess, council: Council, period: string): Promise<{ card: string; files: Record<string, string> }> {
  const before = council.mock.posts.length;
  const reply = await post(bot.url, message(council.mock.url, COUNCIL.alex.aadObjectId, `report ${period}`), 60_000);
  if (reply.status !== 200) throw new Error(`report answered ${reply.status}`);
  await until('the report card', () => council.mock.posts.slice(before).some((p) => p.text.includes('Brokerage report')), 30_000);
  const text = council.mock.posts.slice(before).find((p) => p.text.includes('Brokerage report'))!.text;
  const card = (JSON.parse(text) as { attachments: { content: unknown }[] }).attachments[0].content;
  // Every file the card links to: its charts (Image) and CSV downloads (Action.OpenUrl), by title.
  const links: [string, string][] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if ((o.type === 'Image' || o.type === 'Action.OpenUrl') && typeof o.url === 'string') links.push([String(o.title ?? o.altText ?? o.url), o.url]);
    Object.values(o).forEach(walk);
  };
  walk(card);
  const files: Record<string, string> = {};
  for (const [name, url] of links) {
    const r = await fetch(url);
    files[name] = `${r.status} ${Buffer.from(await r.arrayBuffer()).toString('base64')}`;
  }
  // A link (and the card's line saying until when links work) names its expiry, so two drawn a
  // minute apart differ: what the links serve is compared instead.
  const drawn = JSON.stringify(card).replace(/http:\/\/(localhost|127\.0\.0\.1):\d+\/files\/[\w.-]+/g, 'LINK').replace(/links work until [^;]+;/g, 'links work until …;');
  return { card: drawn, files };
}

const firstDifference = (a: string, b: string) => {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `old …${a.slice(Math.max(0, i - 60), i + 60)}… new …${b.slice(Math.max(0, i - 60), i + 60)}…`;
};

export interface BackupFigures {
  bids: BidCheck;
  /** Bids acknowledged before pg_backup_stop was called, and how many of them the backup alone holds. */
  acknowledgedBeforeBackupEnd: number;
  inBackupAlone: number;
  /** Bids acknowledged after the backup ended, and how many of those the backup alone holds (few or none: it stops where the backup ended). */
  acknowledgedAfterBackupEnd: number;
  laterInBackupAlone: number;
  /** Acknowledged during the copy (the backup was live). */
  acknowledgedDuringCopy: number;
  copyMs: number;
  /** The latest restore against the old server: every acknowledged bid there, the same bids table, the same report. */
  inLatestRestore: number;
  bidsTableEqual: boolean;
  reportCardEqual: boolean;
  /** Where the two cards first differ, if they do. */
  reportCardDiff?: string;
  reportFilesEqual: string[];
  reportFilesDiffer: string[];
  restoredReady: boolean;
}

export function backupProblems(f: BackupFigures): string[] {
  return failures([
    f.acknowledgedDuringCopy > 0 || 'no bid was acknowledged while the data folder was copied: the backup was not of a live database',
    f.inBackupAlone === f.acknowledgedBeforeBackupEnd || `the backup alone holds ${f.inBackupAlone} of the ${f.acknowledgedBeforeBackupEnd} bids acknowledged before it ended`,
    f.laterInBackupAlone < f.acknowledgedAfterBackupEnd || 'the backup alone holds the bids made after it: it did not stop where it ended',
    f.inLatestRestore === f.bids.acknowledged || `the latest restore holds ${f.inLatestRestore} of ${f.bids.acknowledged} acknowledged bids`,
    f.bidsTableEqual || 'the restored bids table differs from the old one',
    f.reportCardEqual || `the report card differs: ${f.reportCardDiff}`,
    f.reportFilesDiffer.length === 0 || `these report files differ: ${f.reportFilesDiffer.join(', ')}`,
    f.reportFilesEqual.length >= 6 || `only ${f.reportFilesEqual.length} report files compared`,
    f.restoredReady || 'the bot on the restored server is not ready',
    ...bidProblems(f.bids),
  ]);
}

export async function rehearseBackupRestore(options: { appDir: string }): Promise<BackupFigures> {
  const archive = await mkdtemp(join(tmpdir(), 'rehearsal-wal-archive-'));
  const backupDir = await mkdtemp(join(tmpdir(), 'rehearsal-backup-'));
  const servers: PgServer[] = [];
  const bots: AppProcess[] = [];
  const lb = new LoadBalancer();
  let council: Council | undefined;
  try {
    const primary = await startPostgres({ settings: { archive_mode: 'on', archive_command: `test ! -f ${archive}/%f && cp %p ${archive}/%f` } });
    servers.push(primary);
    await chownTree(archive, primary.owner);
    const url = await primary.createDatabase('brokerage');
    council = await councilIn(url, { providers: 30, bidders: 20, live: 4 });
    const env = (db: string, dir: string) => ({ DATABASE_URL: db, LINK_SECRET, LOG_LEVEL: 'warn', DATA_DIR: join(council!.work, dir) });
    const old = await startApp(options.appDir, env(url, 'old'), { name: 'old' });
    bots.push(old);
    lb.add(old);
    lb.start();
    const load = new BidLoad(council, lb, { refs: council.base.live, providers: 20, inFlight: 3, pauseMs: 10 });
    load.start();
    await until('bids arriving', () => load.submissions.filter((s) => s.acknowledged).length >= 20, 60_000);

    const copyStartedAt = Date.now();
    const backup = await hotBackup(primary.url(), primary.dataDir, backupDir);
    await sleep(1000); // bids go on after the backup: only the archived log brings them back
    await load.stop();
    const ackedAt = (s: Submission) => s.acknowledged && s.answeredAt! < backup.stopCalledAt;
    const beforeEnd = load.submissions.filter(ackedAt);

    // The old server's figures, once the bids have stopped; then its last log segment is archived.
    // This year so far, named by its dates: "this year" asked of each bot would end on another
    // day if midnight (UK) fell between the two reports.
    const today = ukDate(new Date());
    const period = `${today.slice(0, 4)}-01-01 to ${today}`;
    const oldReport = await reportOf(old, council, period);
    const digest = `SELECT count(*)::int AS n, md5(string_agg(id || doc::text, '' ORDER BY id)) AS h FROM bids`;
    const [oldBids] = await query<{ n: number; h: string }>(url, digest);
    const [{ segment }] = await query<{ segment: string }>(url, 'SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment');
    await query(url, 'SELECT pg_switch_wal()');
    await until('the last log segment archived', async () => (await query<{ w: string | null }>(url, 'SELECT last_archived_wal AS w FROM pg_stat_archiver'))[0].w! >= segment, 30_000);

    const alone = await restore(backupDir, archive, primary.owner, 'immediate');
    servers.push(alone);
    const latest = await restore(backupDir, archive, primary.owner, 'latest');
    servers.push(latest);
    const restoredUrl = latest.url('brokerage');
    const present = async (db: string, subs: Submission[]) => {
      const rows = await query<{ id: string; rates: number[] }>(db, `SELECT id, ARRAY(SELECT (v ->> 'hourlyRate')::float8 FROM jsonb_array_elements(doc -> 'versions') v) AS rates FROM bids`);
      const rates = new Map(rows.map((r) => [r.id, new Set(r.rates)]));
      return subs.filter((s) => rates.get(`${s.ref}:${providerId(s.provider)}`)?.has(s.rate)).length;
    };

    const restored = await startApp(options.appDir, env(restoredUrl, 'restored'), { name: 'restored' });
    bots.push(restored);
    const newReport = await reportOf(restored, council, period);
    const [newBids] = await query<{ n: number; h: string }>(restoredUrl, digest);
    const names = [...new Set([...Object.keys(oldReport.files), ...Object.keys(newReport.files)])];
    const acked = load.submissions.filter((s) => s.acknowledged);
    return {
      bids: await load.check(restoredUrl),
      acknowledgedBeforeBackupEnd: beforeEnd.length,
      inBackupAlone: await present(alone.url('brokerage'), beforeEnd),
      acknowledgedAfterBackupEnd: acked.length - beforeEnd.length,
      laterInBackupAlone: await present(alone.url('brokerage'), acked.filter((s) => !beforeEnd.includes(s))),
      acknowledgedDuringCopy: beforeEnd.filter((s) => s.answeredAt! >= copyStartedAt).length,
      copyMs: backup.copyMs,
      inLatestRestore: await present(restoredUrl, acked),
      bidsTableEqual: oldBids.n === newBids.n && oldBids.h === newBids.h,
      reportCardEqual: oldReport.card === newReport.card,
      ...(oldReport.card === newReport.card ? {} : { reportCardDiff: firstDifference(oldReport.card, newReport.card) }),
      reportFilesEqual: names.filter((n) => oldReport.files[n] === newReport.files[n]),
      reportFilesDiffer: names.filter((n) => oldReport.files[n] !== newReport.files[n]),
      restoredReady: (await fetch(`${restored.url}/readyz`)).status === 200,
    };
  } catch (e) {
    for (const bot of bots) console.error(`--- ${bot.name}\n${bot.logs.slice(-15).join('\n')}`);
    throw e;
  } finally {
    lb.stop();
    await Promise.all(bots.map((b) => b.stop()));
    await council?.mock.stop();
    for (const s of servers.reverse()) await s.stop().catch(() => undefined);
    for (const dir of [archive, backupDir, council?.work]) if (dir) await rm(dir, { recursive: true, force: true });
  }
}
