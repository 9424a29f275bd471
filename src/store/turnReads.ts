import type { BrokerageStore } from './collections.js';

/**
 * The store as one turn sees it: the acting person's user record is read once, however many steps
 * ask for it (who is acting, the role check, the use case's own check), until the turn starts a
 * transaction (which may change it). Every other read and write goes straight to the store.
 */
export function readUsersOnce(store: BrokerageStore): BrokerageStore {
  const users = new Map<string, ReturnType<BrokerageStore['get']>>();
  const turn: BrokerageStore = {
    get: (collection, id) => {
      if (collection !== 'users') return store.get(collection, id);
      let read = users.get(id);
      if (!read) users.set(id, (read = store.get('users', id)));
      // Each asker gets its own copy, as from the store.
      return read.then((u) => u && structuredClone(u)) as never;
    },
    transact: (options, fn) => {
      users.clear();
      return store.transact(options, fn);
    },
    audit: (query) => store.audit(query),
    watch: (collection, listener) => store.watch(collection, listener),
    claim: (kind, id, holder, leaseMs) => store.claim(kind, id, holder, leaseMs),
    release: (kind, id, holder) => store.release(kind, id, holder),
    close: () => store.close(),
  };
  return turn;
}
