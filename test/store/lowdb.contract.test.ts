import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrokerageLowdb } from '../../src/store/lowdb/brokerageLowdb.js';
import type { BrokerageStore } from '../../src/store/collections.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('lowdb', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-contract-'));
  let store: BrokerageStore = await openBrokerageLowdb(dir);
  return {
    store,
    reopen: async () => {
      await store.close();
      return (store = await openBrokerageLowdb(dir));
    },
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
