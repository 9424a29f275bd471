import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type Server } from '../../index.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { readFileSync } from 'node:fs';
import { FileShelf, PRIVATE_FILE_TTL_MS, shelfResponse } from '../../src/reports/shelf.js';

const HOUR = 3_600_000;
const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

describe('personal documents: short-lived signed links (FileShelf)', async () => {
  let clock = new Date('2026-03-31T12:00:00Z');
  const shelf = () => new FileShelf({ secret: SECRET, ttlMs: HOUR, baseUrl: () => 'https://bot.example.gov.uk/', now: () => clock });

  it('gives a link under the public URL that serves the file until it expires', async () => {
    const s = shelf();
    const put = await s.put({ body: Buffer.from('a,b\r\n'), contentType: 'text/csv', filename: 'x.csv' });
    assert.match(put.url, /^https:\/\/bot\.example\.gov\.uk\/files\/[\w-]+\.[0-9a-z]+\.[\w-]{43}$/);
    assert.equal(put.expiresAt.toISOString(), '2026-03-31T13:00:00.000Z');
    const ok = await s.take(put.token);
    assert.ok(ok.ok && ok.file.body.toString() === 'a,b\r\n');
    clock = new Date(clock.getTime() + HOUR);
    assert.deepEqual(pickStatus(await s.take(put.token)), 410);
    clock = new Date('2026-03-31T12:00:00Z');
  });

  it('refuses a forged or altered token with 403, whatever part was changed', async () => {
    const s = shelf();
    const { token } = await s.put({ body: Buffer.from('x'), contentType: 'text/plain' });
    const [id, exp, sig] = token.split('.');
    const later = (parseInt(exp, 36) + 10 * HOUR).toString(36);
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [`${id}.${later}.${sig}`, `${flip(id)}.${exp}.${sig}`, `${id}.${exp}.${flip(sig)}`, 'nonsense', '', `${id}.${exp}`]) {
      assert.equal(pickStatus(await s.take(forged)), 403, forged);
    }
    // Signed with another key (another process without LINK_SECRET): 403 too.
    const other = new FileShelf({ ttlMs: HOUR, baseUrl: () => '', now: () => clock });
    assert.equal(pickStatus(await other.take(token)), 403);
  });

  it('accepts one spelling of each token only: a leading zero in the expiry, or upper case, is 403', async () => {
    const s = shelf();
    const { token } = await s.put({ body: Buffer.from('x'), contentType: 'text/plain' });
    const [id, exp, sig] = token.split('.');
    assert.ok((await s.take(token)).ok);
    for (const respelled of [`${id}.0${exp}.${sig}`, `${id}.00${exp}.${sig}`, `${id}.${exp.toUpperCase()}.${sig}`, `${id}.${exp}.${sig}=`, `${id}=.${exp}.${sig}`, ` ${token}`, `${token}\n`]) {
      assert.equal(pickStatus(await s.take(respelled)), 403, respelled);
    }
  });

  it('a genuine token whose file is gone (a restart, eviction) is 410', async () => {
    const a = shelf();
    const { token } = await a.put({ body: Buffer.from('x'), contentType: 'text/plain' });
    assert.equal(pickStatus(await shelf().take(token)), 410);
  });

  it('the README tells the social worker a choice pack’s links last one hour, as the bot keeps them (issue 22, 14)', () => {
    assert.equal(PRIVATE_FILE_TTL_MS, HOUR);
    const readme = readFileSync('README.md', 'utf8');
    const tour = readme.slice(readme.indexOf('**The person chooses.**'), readme.indexOf('6. **Approve**'));
    assert.match(tour, /links (?:come only in your own reply and )?last one hour/);
    assert.doesNotMatch(tour, /expire like report links/);
  });

  it('evicts the oldest files beyond its size cap', async () => {
    const s = new FileShelf({ secret: SECRET, ttlMs: HOUR, baseUrl: () => '', now: () => clock, maxBytes: 10 });
    const first = await s.put({ body: Buffer.alloc(6), contentType: 'x' });
    const second = await s.put({ body: Buffer.alloc(6), contentType: 'x' });
    assert.equal(pickStatus(await s.take(first.token)), 410);
    assert.equal(pickStatus(await s.take(second.token)), 200);
  });
});

const pickStatus = (t: Awaited<ReturnType<FileShelf['take']>>) => (t.ok ? 200 : t.status);

describe('personal documents: GET /files/:token on the real server (index.ts)', function () {
  this.timeout(10_000);
  let dataDir: string;
  let server: Server | undefined;
  let clock = new Date('2026-03-31T12:00:00Z');

  const start = async (env: Record<string, string> = {}) => {
    const config = { ...loadConfig({ HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', LINK_SECRET: SECRET, ...env }), PORT: 0 };
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

  it('serves a PNG inline and a CSV as a download, under http://localhost:<port> by default', async () => {
    const s = await start();
    const port = new URL(s.url).port;
    const png = await s.shelf.put({ body: Buffer.from([0x89, 0x50, 0x4e, 0x47]), contentType: 'image/png' });
    assert.equal(new URL(png.url).origin, `http://localhost:${port}`);
    const r1 = await fetch(png.url);
    assert.equal(r1.status, 200);
    assert.equal(r1.headers.get('content-type'), 'image/png');
    assert.equal(r1.headers.get('content-disposition'), 'inline');
    assert.equal(r1.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r1.headers.get('cache-control')!, /^private, max-age=3600$/);
    assert.deepEqual([...Buffer.from(await r1.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47]);

    const csv = await s.shelf.put({ body: Buffer.from('\uFEFFreference\r\nPKG-2026-0001\r\n'), contentType: 'text/csv; charset=utf-8', filename: 'awards_2026-01-01_to_2026-03-31.csv' });
    const r2 = await fetch(`${s.url}/files/${csv.token}`);
    assert.equal(r2.status, 200);
    assert.equal(r2.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(r2.headers.get('content-disposition'), 'attachment; filename="awards_2026-01-01_to_2026-03-31.csv"');
    assert.equal(Buffer.from(await r2.arrayBuffer()).toString('utf8'), '\uFEFFreference\r\nPKG-2026-0001\r\n', 'byte for byte, BOM included');
  });

  it('uses PUBLIC_URL for the links', async () => {
    const s = await start({ PUBLIC_URL: 'https://brokerage.council.gov.uk/' });
    assert.match((await s.shelf.put({ body: Buffer.from('x'), contentType: 'text/plain' })).url, /^https:\/\/brokerage\.council\.gov\.uk\/files\//);
  });

  it('refuses a forged token 403 and an expired one 410', async () => {
    const s = await start();
    const { token } = await s.shelf.put({ body: Buffer.from('x'), contentType: 'text/plain' });
    const [id, exp, sig] = token.split('.');
    const forged = await fetch(`${s.url}/files/${id}.${(parseInt(exp, 36) + HOUR).toString(36)}.${sig}`);
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /not valid/);
    assert.equal((await fetch(`${s.url}/files/garbage`)).status, 403);
    clock = new Date(clock.getTime() + HOUR + 1000);
    const expired = await fetch(`${s.url}/files/${token}`);
    assert.equal(expired.status, 410);
    assert.match(await expired.text(), /expired/);
  });

  it('after a restart with the same LINK_SECRET, an unexpired link answers 410 (files are kept in memory only)', async () => {
    const s = await start();
    const { token } = await s.shelf.put({ body: Buffer.from('x'), contentType: 'text/plain' });
    await s.close();
    server = undefined;
    const again = await start();
    const r = await fetch(`${again.url}/files/${token}`);
    assert.equal(r.status, 410);
    assert.match(await r.text(), /no longer available/);
  });
});

describe('personal documents: downloads that name people are not kept in a browser cache (review)', () => {
  it('a choice pack PDF and a payments CSV are served no-store; a chart may be cached until its link expires', async () => {
        const now = new Date('2026-03-31T12:00:00Z');
    const shelf = new FileShelf({ ttlMs: 3_600_000, baseUrl: () => 'http://localhost', now: () => now });
    const pdf = await shelf.put({ body: Buffer.from('%PDF-1.7'), contentType: 'application/pdf', filename: 'choice-pack-PKG-2026-0001-plain-english.pdf' });
    assert.equal((await shelfResponse(shelf, pdf.token, now)).headers['cache-control'], 'private, no-store');
    const csv = await shelf.put({ body: Buffer.from('x'), contentType: 'text/csv; charset=utf-8', filename: 'payments.csv' });
    assert.equal((await shelfResponse(shelf, csv.token, now)).headers['cache-control'], 'private, no-store');
    const png = await shelf.put({ body: Buffer.from([0x89]), contentType: 'image/png' });
    assert.equal((await shelfResponse(shelf, png.token, now)).headers['cache-control'], 'private, max-age=3600');
  });
});
