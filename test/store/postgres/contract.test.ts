import { describeStoreContract } from '../contract.js';
import { PostgresStore } from '../../../src/store/postgres/postgresStore.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { freshDatabase } from '../../support/postgres.js';

describeStoreContract('PostgreSQL', async () => {
  const url = await freshDatabase();
  let store: BrokerageStore = await PostgresStore.open(url);
  return {
    store,
    reopen: async () => {
      const old = store;
      store = await PostgresStore.open(url);
      await old.close();
      return store;
    },
    cleanup: () => store.close(),
  };
});
