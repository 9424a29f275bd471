import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startServer, type Server } from '../../index.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { seed } from './dataset.js';

const Q1 = { from: '2026-01-01', to: '2026-03-31' };

/** A raw GET, the path sent exactly as written (fetch would normalise dots and encodings). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Report links opened by someone guessing, altering or re-using them. */
describe('Report links under attack', function () {
  this.timeout(20_000);
  let dataDir = '';
  let server: Server | undefined;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'link-attacks-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses odd encodings, traversal, huge and re-used tokens without a 200 or a 500, and keeps serving', async () => {
    const config = { ...loadConfig({ HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error' }), PORT: 0 };
    server = await startServer(config, silentLogger, { now: () => new Date('2026-03-31T12:00:00Z') });
    await seed(server.store);
    const { token } = server.files.links.link({ file: 'awards', ...Q1 });
    const [file, from, to, exp, sig] = token.split('.');
    const attempts = [
      `${token}%00`,
      `${token}%0d%0aSet-Cookie:%20x=1`,
      `..%2F..%2F${LINK_FILE()}`,
      `..%2f..%2fetc%2fpasswd`,
      `%2E%2E/%2E%2E/etc/passwd`,
      [file, from, to, exp, sig.toUpperCase()].join('.'),
      [file, '20250101', to, exp, sig].join('.'), // the period of another report
      [file, from, '20261231', exp, sig].join('.'),
      ['bids', from, to, exp, sig].join('.'), // another file of the same report
      [file, from, to, `0${exp}`, sig].join('.'),
      [file, from, to, 'zzzzzzzzzzzz', sig].join('.'), // "never expires"
      `${token}.${sig}`,
      'a'.repeat(8_000),
      `${file}.${from}.${to}.${exp}.${'A'.repeat(43)}`,
      encodeURIComponent('awards.20260101.20260331.ß.') + 'x',
      '%ZZ',
    ];
    for (const t of attempts) {
      const r = await rawGet(server.url, `/files/${t}`);
      assert.ok([400, 403, 404, 410, 414].includes(r.status), `${t.slice(0, 80)}: ${r.status} ${r.body.slice(0, 200)}`);
      assert.doesNotMatch(r.body, /reference,award_date|root:/);
    }
    const ok = await rawGet(server.url, `/files/${token}`);
    assert.equal(ok.status, 200, 'the genuine link still opens');
    assert.match(ok.body, /reference,award_date/);
  });
});

function LINK_FILE(): string {
  return 'link-secret';
}
