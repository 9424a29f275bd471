import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type Server } from '../../index.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { ReportLinks, type Opened } from '../../src/reports/links.js';
import { LINK_SECRET_FILE, linkSecret } from '../../src/reports/linkSecret.js';
import { seed } from './dataset.js';

const DAY = 86_400_000;
const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const Q1 = { from: '2026-01-01', to: '2026-03-31' };
const status = (o: Opened) => (o.ok ? 200 : o.status);

describe('reports: signed links (ReportLinks)', () => {
  let clock = new Date('2026-03-31T12:00:00Z');
  const links = (secret: string | undefined = SECRET) => new ReportLinks({ secret, ttlMs: 35 * DAY, baseUrl: () => 'https://bot.example.gov.uk/', now: () => clock });
  afterEach(() => (clock = new Date('2026-03-31T12:00:00Z')));

  it('names the file and period under the public URL, and opens for the whole time it is valid', () => {
    const made = links().link({ file: 'awards', ...Q1 });
    assert.match(made.url, /^https:\/\/bot\.example\.gov\.uk\/files\/awards\.20260101\.20260331\.[0-9a-z]+\.[\w-]{43}$/);
    assert.equal(made.expiresAt.toISOString(), '2026-05-05T12:00:00.000Z');
    clock = new Date(clock.getTime() + 34 * DAY);
    assert.deepEqual(links().open(made.token), { ok: true, spec: { file: 'awards', ...Q1 }, expiresAt: made.expiresAt }, 'a month on, another instance with the same key opens it');
    clock = new Date(clock.getTime() + DAY);
    assert.equal(status(links().open(made.token)), 410);
  });

  it('refuses a forged or altered token with 403, whatever part was changed', () => {
    const { token } = links().link({ file: 'days-to-award', ...Q1 });
    const [file, from, to, exp, sig] = token.split('.');
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    const later = (parseInt(exp, 36) + 10 * DAY).toString(36);
    for (const forged of [
      [file, from, to, later, sig],
      ['bids', from, to, exp, sig],
      [file, '20250101', to, exp, sig],
      [file, from, '20261231', exp, sig],
      [file, from, to, exp, flip(sig)],
    ].map((p) => p.join('.')).concat(['nonsense', '', `${file}.${from}`])) {
      assert.equal(status(links().open(forged)), 403, forged);
    }
    assert.equal(status(links('another-secret-that-is-long-enough-0123456').open(token)), 403, 'signed with another key');
  });

  it('keeps a key in the data folder when LINK_SECRET is not set, readable by its owner only, and the same on the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'link-secret-'));
    try {
      const first = await linkSecret(undefined, dir);
      assert.ok(first.length >= 32);
      assert.equal(await linkSecret(undefined, dir), first);
      assert.equal((await stat(join(dir, LINK_SECRET_FILE))).mode & 0o777, 0o600);
      assert.equal(await linkSecret(SECRET, dir), SECRET, 'LINK_SECRET wins');
      assert.equal((await readFile(join(dir, LINK_SECRET_FILE), 'utf8')).trim(), first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('reports: link configuration', () => {
  it('PUBLIC_URL must be an http(s) URL (trailing slash dropped); LINK_SECRET at least 32 characters; LINK_TTL_DAYS 1–400, 35 by default', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://bot.council.gov.uk/', LINK_SECRET: SECRET, LINK_TTL_DAYS: '60' });
    assert.deepEqual([c.PUBLIC_URL, c.LINK_SECRET, c.LINK_TTL_DAYS], ['https://bot.council.gov.uk', SECRET, 60]);
    assert.deepEqual([loadConfig({}).PUBLIC_URL, loadConfig({}).LINK_SECRET, loadConfig({}).LINK_TTL_DAYS], [undefined, undefined, 35]);
    assert.throws(() => loadConfig({ PUBLIC_URL: 'bot.council.gov.uk' }), (e: Error) => e instanceof ConfigError && /PUBLIC_URL: must be a URL/.test(e.message));
    assert.throws(() => loadConfig({ PUBLIC_URL: 'ftp://bot.council.gov.uk' }), /PUBLIC_URL: must start with http/);
    assert.throws(() => loadConfig({ LINK_SECRET: 'short' }), /LINK_SECRET: must be at least 32 characters/);
    assert.throws(() => loadConfig({ LINK_TTL_DAYS: '500' }), /LINK_TTL_DAYS: must be at most 400/);
    assert.throws(() => loadConfig({ LINK_TTL_HOURS: '24' }), /LINK_TTL_HOURS: is replaced by LINK_TTL_DAYS/);
  });
});

describe('reports: GET /files/:token on the real server (index.ts)', function () {
  this.timeout(15_000);
  let dataDir: string;
  let server: Server | undefined;
  let clock = new Date('2026-03-31T12:00:00Z');

  const start = async (env: Record<string, string> = {}) => {
    const config = { ...loadConfig({ HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env }), PORT: 0 };
    server = await startServer(config, silentLogger, { now: () => clock });
    return server;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'links-test-'));
    clock = new Date('2026-03-31T12:00:00Z');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('draws a chart PNG inline and a CSV as a download, under http://localhost:<port> by default', async () => {
    const s = await start();
    await seed(s.store);
    const port = new URL(s.url).port;
    const png = s.files.links.link({ file: 'awards-spend', ...Q1 });
    assert.equal(new URL(png.url).origin, `http://localhost:${port}`);
    const r1 = await fetch(`${s.url}/files/${png.token}`);
    assert.equal(r1.status, 200);
    assert.equal(r1.headers.get('content-type'), 'image/png');
    assert.equal(r1.headers.get('content-disposition'), 'inline');
    assert.equal(r1.headers.get('x-content-type-options'), 'nosniff');
    const body = Buffer.from(await r1.arrayBuffer());
    assert.equal(body.subarray(1, 4).toString('latin1'), 'PNG');

    const csv = s.files.links.link({ file: 'awards', ...Q1 });
    const r2 = await fetch(`${s.url}/files/${csv.token}`);
    assert.equal(r2.status, 200);
    assert.equal(r2.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(r2.headers.get('content-disposition'), 'attachment; filename="awards_2026-01-01_to_2026-03-31.csv"');
    const text = Buffer.from(await r2.arrayBuffer()).toString('utf8');
    assert.ok(text.startsWith('\uFEFFreference,award_date'), 'BOM and the documented header');
    assert.equal(text.trim().split('\r\n').length, 1 + 4, 'header and the four awards of Q1');
  });

  it('uses PUBLIC_URL for the links', async () => {
    const s = await start({ PUBLIC_URL: 'https://brokerage.council.gov.uk/' });
    assert.match(s.files.links.link({ file: 'bids', ...Q1 }).url, /^https:\/\/brokerage\.council\.gov\.uk\/files\/bids\./);
  });

  it('refuses a forged token 403 and an expired one 410', async () => {
    const s = await start({ LINK_TTL_DAYS: '31' });
    const { token } = s.files.links.link({ file: 'calloffs', ...Q1 });
    const forged = await fetch(`${s.url}/files/${token.replace('.20260331.', '.20261231.')}`);
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /not valid/);
    assert.equal((await fetch(`${s.url}/files/garbage`)).status, 403);
    clock = new Date(clock.getTime() + 30 * DAY);
    assert.equal((await fetch(`${s.url}/files/${token}`)).status, 200, 'a month on it still works');
    clock = new Date(clock.getTime() + 2 * DAY);
    const expired = await fetch(`${s.url}/files/${token}`);
    assert.equal(expired.status, 410);
    assert.match(await expired.text(), /expired/);
  });

  it('after a restart, with or without LINK_SECRET, a link made before it still gives its file', async () => {
    for (const env of [{}, { LINK_SECRET: SECRET }] as Record<string, string>[]) {
      const s = await start(env);
      await seed(s.store);
      const { token } = s.files.links.link({ file: 'off-contract', ...Q1 });
      const before = await (await fetch(`${s.url}/files/${token}`)).text();
      await s.close();
      server = undefined;
      clock = new Date(clock.getTime() + 20 * DAY);
      const again = await start(env);
      const r = await fetch(`${again.url}/files/${token}`);
      assert.equal(r.status, 200, JSON.stringify(env));
      assert.equal(await r.text(), before, 'the same file, drawn again from the same data');
      await again.close();
      server = undefined;
      await rm(dataDir, { recursive: true, force: true });
      dataDir = await mkdtemp(join(tmpdir(), 'links-test-'));
      clock = new Date('2026-03-31T12:00:00Z');
    }
  });

  it('a second instance with the same LINK_SECRET and data opens a link the first made', async () => {
    const first = await start({ LINK_SECRET: SECRET });
    await seed(first.store);
    const { token } = first.files.links.link({ file: 'awards', ...Q1 });
    const expected = await (await fetch(`${first.url}/files/${token}`)).text();
    await first.close();
    server = undefined;
    // Another instance over the same data with the same key (LINK_SECRET set: no key file is kept).
    await assert.rejects(stat(join(dataDir, LINK_SECRET_FILE)), /ENOENT/);
    const second = await start({ LINK_SECRET: SECRET });
    assert.equal(await (await fetch(`${second.url}/files/${token}`)).text(), expected);
  });

  it('a link holds no personal data: only a file kind and two dates', async () => {
    const s = await start();
    const { token } = s.files.links.link({ file: 'bids', ...Q1 });
    assert.match(token, /^bids\.20260101\.20260331\.[0-9a-z]+\.[\w-]{43}$/);
  });
});
