import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { PackageRequest } from '../../domain/request.js';
import type { AuditEntry, Entity } from '../store.js';
import { migrate } from './migrate.js';
import { withClient } from './pool.js';
import { TABLES, tableOf } from './tables.js';
import { requestDays } from './writes.js';
import { isAlive } from '../lowdb/processAlive.js';

/** The embedded (lowdb) data folder's format version this command reads. */
const EMBEDDED_SCHEMA_VERSION = 1;
/** The lowdb adapter's own hand-kept indexes: PostgreSQL has real ones. */
const SKIPPED = new Set(['indexes', 'outboxPending', 'outboxBatches']);
const BATCH = 500;

export interface CopyLine {
  collection: string;
  inFolder: number;
  inDatabase: number;
  ok: boolean;
}

export interface CopyReport {
  lines: CopyLine[];
  ok: boolean;
}

/** Why a copy was refused before anything was written. */
export class CopyRefused extends Error {}

/**
 * Copies an embedded data folder (`<dir>/<collection>/<stem>.json`, `audit.jsonl`) into an empty
 * PostgreSQL database, in one transaction, then counts: items in the folder against rows in the
 * database, per collection and for the audit. On any mismatch the transaction is rolled back, so
 * the database is left as it was and the copy can be run again once the folder is fixed.
 */
export async function copyFolder(dir: string, pool: pg.Pool): Promise<CopyReport> {
  await checkFolder(dir);
  const collections = await readCollections(dir);
  const audit = await readAudit(dir);
  await migrate(pool);
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await refuseIfNotEmpty(client);
      const lines: CopyLine[] = [];
      for (const [collection, { items, count }] of collections) {
        const table = tableOf(collection);
        for (let i = 0; i < items.length; i += BATCH) {
          await client.query(
            `INSERT INTO ${table} (id, doc) SELECT x ->> 'id', x FROM jsonb_array_elements($1::jsonb) AS x ON CONFLICT (id) DO NOTHING`,
            [JSON.stringify(items.slice(i, i + BATCH))],
          );
        }
        if (collection === 'requests') await copyRequestDays(client, items as PackageRequest[]);
        lines.push(await countLine(client, collection, table, count));
      }
      for (let i = 0; i < audit.entries.length; i += BATCH) {
        await client.query(
          `INSERT INTO audit (seq, at, actor, action, collection, item_id, before, after)
           SELECT seq, at, actor, action, collection, id, before, after
           FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, at timestamptz, actor text, action text, collection text, id text, before jsonb, after jsonb)
           ON CONFLICT (seq) DO NOTHING`,
          [JSON.stringify(audit.entries.slice(i, i + BATCH))],
        );
      }
      // New entries continue after the copied history.
      await client.query(`SELECT setval(pg_get_serial_sequence('audit', 'seq'), GREATEST((SELECT max(seq) FROM audit), 1), (SELECT count(*) > 0 FROM audit))`);
      lines.push(await countLine(client, 'audit', 'audit', audit.lines));
      const ok = lines.every((l) => l.ok);
      await client.query(ok ? 'COMMIT' : 'ROLLBACK');
      return { lines, ok };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });
}

async function countLine(client: pg.ClientBase, collection: string, table: string, inFolder: number): Promise<CopyLine> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  const inDatabase = Number(rows[0].n);
  return { collection, inFolder, inDatabase, ok: inFolder === inDatabase };
}

async function copyRequestDays(client: pg.ClientBase, requests: PackageRequest[]): Promise<void> {
  const rows = requests.flatMap((r) => requestDays(r).map((day) => ({ request_id: r.id, day })));
  for (let i = 0; i < rows.length; i += BATCH) {
    await client.query(
      `INSERT INTO request_days (request_id, day) SELECT request_id, day FROM jsonb_to_recordset($1::jsonb) AS x(request_id text, day date) ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows.slice(i, i + BATCH))],
    );
  }
}

/** The bot must be stopped, with its last write finished, and the folder in a format this code reads. */
async function checkFolder(dir: string): Promise<void> {
  const meta = await readFile(join(dir, 'meta.json'), 'utf8').then(JSON.parse, () => undefined);
  if (!meta) throw new CopyRefused(`${dir} is not a data folder (no meta.json).`);
  if (meta.schemaVersion > EMBEDDED_SCHEMA_VERSION) {
    throw new CopyRefused(`${dir} is data schema version ${meta.schemaVersion}; this command reads version ${EMBEDDED_SCHEMA_VERSION}. Upgrade the bot.`);
  }
  const pid = Number.parseInt(await readFile(join(dir, 'store.lock'), 'utf8').catch(() => ''), 10);
  if (pid && pid !== process.pid && isAlive(pid)) {
    throw new CopyRefused(`${dir} is in use by process ${pid}, probably the running bot: stop it first.`);
  }
  // A journal left behind holds changes the data files may lack (a bot that was killed): the bot replays it when it opens the folder.
  const unfinished = (await readdir(dir)).filter((f) => f === 'journal.json' || /^journal-\d+\.jsonl$/.test(f));
  if (unfinished.length) {
    throw new CopyRefused(`${dir} has unfinished writes (${unfinished.join(', ')}): start and stop the bot once so it finishes them.`);
  }
}

/** Items per collection, as found in the files; `count` counts every copy, so a duplicate shows as a mismatch. */
async function readCollections(dir: string): Promise<Map<string, { items: Entity[]; count: number }>> {
  const out = new Map<string, { items: Entity[]; count: number }>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || SKIPPED.has(entry.name)) continue;
    if (!(entry.name in TABLES)) throw new CopyRefused(`${dir}/${entry.name} is not a collection this bot knows; nothing was copied.`);
    const items: Entity[] = [];
    let count = 0;
    for (const file of (await readdir(join(dir, entry.name))).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()) {
      const path = join(dir, entry.name, file);
      let data: { items?: Record<string, Entity> };
      try {
        data = JSON.parse(await readFile(path, 'utf8'));
      } catch (e) {
        throw new CopyRefused(`${path} cannot be read: ${(e as Error).message}`);
      }
      for (const [id, item] of Object.entries(data.items ?? {})) {
        count++;
        items.push({ ...item, id: item.id ?? id });
      }
    }
    out.set(entry.name, { items, count });
  }
  return out;
}

/**
 * The audit log's entries, and how many lines it has. A torn last line (a crash mid-append) is
 * skipped, as the embedded store does; a broken line anywhere else is counted but cannot be
 * copied, so it shows as a mismatch.
 */
async function readAudit(dir: string): Promise<{ entries: AuditEntry[]; lines: number }> {
  const text = await readFile(join(dir, 'audit.jsonl'), 'utf8').catch(() => '');
  const lines = text.split('\n');
  if (!text.endsWith('\n')) {
    const last = lines.at(-1)!;
    try {
      JSON.parse(last);
    } catch {
      lines.pop();
    }
  }
  const entries: AuditEntry[] = [];
  let count = 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    count++;
    try {
      entries.push(JSON.parse(line) as AuditEntry);
    } catch {
      // counted, not copied: the report says MISMATCH
    }
  }
  return { entries, lines: count };
}

async function refuseIfNotEmpty(client: pg.ClientBase): Promise<void> {
  for (const table of [...new Set(Object.values(TABLES)), 'audit']) {
    const { rows } = await client.query(`SELECT 1 FROM ${table} LIMIT 1`);
    if (rows.length) {
      throw new CopyRefused(
        `The database already has brokerage data (table ${table}); copying into it would mix two histories and their audit sequence numbers. Copy into a new, empty database.`,
      );
    }
  }
}

