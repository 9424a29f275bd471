import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from '../../src/domain/framework.js';
import { AppError } from '../../src/app/errors.js';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';

export const COMMISSIONER = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Cora Commissioner' };
export const BROKER = { aadObjectId: 'b0000000-0000-4000-8000-000000000002', name: 'Ben Broker' };

/** A fresh store in its own temp folder, with a commissioner and a broker; `done` closes and removes it. */
export async function freshStore(users: User[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'app-test-'));
  const store = await openBrokerageLowdb(dir);
  await store.transact({ actor: 'system', action: 'seed' }, async (tx) => {
    tx.put('users', { id: COMMISSIONER.aadObjectId, name: COMMISSIONER.name, roles: ['commissioner'] });
    tx.put('users', { id: BROKER.aadObjectId, name: BROKER.name, roles: ['broker'] });
    for (const u of users) tx.put('users', u);
  });
  return {
    dir,
    store,
    done: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `p` is refused as `kind`, with `message` in its words or its field messages. */
export const rejects = (p: Promise<unknown>, kind: AppError['kind'], message: RegExp) =>
  assert.rejects(p, (e: AppError) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.kind, kind, e.message);
    assert.match(`${e.message} ${Object.values(e.fields).join(' ')}`, message);
    return true;
  });
