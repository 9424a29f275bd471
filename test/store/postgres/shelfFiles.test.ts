import assert from 'node:assert/strict';
import { FileShelf } from '../../../src/reports/shelf.js';
import { PgShelfFiles } from '../../../src/store/postgres/shelfFiles.js';
import { openStores } from './helpers.js';

describe('PostgreSQL: personal documents behind links, served by any instance', function () {
  this.timeout(60_000);
  const stores = openStores();
  afterEach(() => stores.closeAll());
  const SECRET = 'one-key-every-instance-shares-0123456789';
  let clock = new Date('2026-11-26T12:00:00Z');
  const shelfOn = (pool: ConstructorParameters<typeof PgShelfFiles>[0]) => new FileShelf({ secret: SECRET, ttlMs: 3_600_000, baseUrl: () => 'https://bot.example', now: () => clock, storage: new PgShelfFiles(pool) });

  it('opens on instance B a choice pack made on instance A, until it expires, and then deletes it', async () => {
    const [a, b] = await stores.instances(2);
    const made = await shelfOn(a.pool).put({ body: Buffer.from('%PDF-1.7 pack'), contentType: 'application/pdf', filename: 'choice-pack.pdf' });
    const taken = await shelfOn(b.pool).take(made.token);
    assert.ok(taken.ok);
    assert.equal(taken.file.body.toString(), '%PDF-1.7 pack');
    assert.equal(taken.file.filename, 'choice-pack.pdf');
    clock = new Date(clock.getTime() + 3_600_000);
    const late = await shelfOn(b.pool).take(made.token);
    assert.equal(late.ok ? 200 : late.status, 410);
    await shelfOn(b.pool).put({ body: Buffer.from('next'), contentType: 'text/plain' });
    const { rows } = await a.pool.query<{ n: string }>('SELECT count(*) AS n FROM shelf_files');
    assert.equal(Number(rows[0].n), 1, 'the expired pack was deleted when the next file was kept');
  });
});
