/**
 * The council a rehearsal runs on: the bench's framework made by the real use cases (bench/
 * generate.ts) at a smaller size, copied into PostgreSQL with the copy command's code, plus the
 * local Bot Connector its channels post to, and the figures a rehearsal checks at the end.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildBase, channelOf, COUNCIL, type Base, type BaseSizes } from '../../bench/generate.js';
import { message, post } from '../../bench/bot.js';
import { MockConnector } from '../../bench/mockConnector.js';
import { copyFolder } from '../../src/store/postgres/copyFolder.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

export const LINK_SECRET = 'rehearsal-link-secret-0123456789abcdefghijklmnop';

export interface Council {
  work: string;
  base: Base;
  sizes: BaseSizes;
  /** The live call-offs' start date (a bid's earliest start). */
  startDate: string;
  mock: MockConnector;
}

/** Builds the council in a temporary folder and copies it into the (empty) database at `url`. */
export async function councilIn(url: string, sizes: BaseSizes): Promise<Council> {
  const work = await mkdtemp(join(tmpdir(), 'brokerage-rehearsal-'));
  const mock = new MockConnector();
  await mock.start();
  const base = await buildBase(join(work, 'seed'), mock.url, sizes);
  const seed = await openBrokerageLowdb(join(work, 'seed'));
  const startDate = (await seed.get('requests', base.live[0]))!.package!.startDate;
  await seed.close();
  const db = createPool(url, 2);
  try {
    const copied = await copyFolder(join(work, 'seed'), db);
    if (!copied.ok) throw new Error(`the council's copy into PostgreSQL counted differently: ${JSON.stringify(copied.lines)}`);
  } finally {
    await db.end();
  }
  return { work, base, sizes, startDate, mock };
}

/** Sends `publish <ref>` as the broker to one instance; resolves with the HTTP status of the turn. */
export async function publish(botUrl: string, council: Council, ref = council.base.broadcastRef): Promise<number> {
  return (await post(botUrl, message(council.mock.url, COUNCIL.alex.aadObjectId, `publish ${ref}`), 60_000)).status;
}

/** How many times each provider channel shows the call-off `ref` (its card, posted). */
export function cardsPerChannel(council: Council, ref: string): number[] {
  const out: number[] = [];
  for (let i = 1; i <= council.sizes.providers; i++) out.push(council.mock.posts.filter((p) => p.conversationId === channelOf(i) && p.text.includes(ref)).length);
  return out;
}

/** The publish reports the broker got ("posted to N of M"). */
export function reports(council: Council): string[] {
  return council.mock.posts
    .filter((p) => p.conversationId.startsWith('a:personal-') && p.text.includes('posted to'))
    .map((p) => (JSON.parse(p.text) as { text?: string }).text ?? p.text);
}

/** What went wrong, in words: each check is `true` or says what did not hold. */
export const failures = (checks: (true | string)[]): string[] => checks.filter((x): x is string => typeof x === 'string');

/** A publish to every channel: each has the card once, and the broker was told once "posted to N of N". */
export function broadcastChecks(f: { channels: number; channelsOnce: number; channelsTwice: number; reports: string[] }): (true | string)[] {
  return [
    (f.channelsOnce === f.channels && f.channelsTwice === 0) || `${f.channelsOnce} of ${f.channels} channels have the card once, ${f.channelsTwice} twice`,
    (f.reports.length === 1 && f.reports[0].includes(`posted to ${f.channels} of ${f.channels} provider channels.`)) || `the broker was told: ${JSON.stringify(f.reports)}`,
  ];
}

/** Polls until `check` holds, or fails naming `what`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One query on a database, closed after. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}
