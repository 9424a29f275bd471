import { join } from 'node:path';
import type { BrokerageStore } from './collections.js';
import { openBrokerageLowdb } from './lowdb/brokerageLowdb.js';
import { PostgresStore } from './postgres/postgresStore.js';
import { PgPostReceipts } from './postgres/postReceipts.js';
import { PgRateLedger } from './postgres/rateLedger.js';
import { managedIdentityPassword } from './postgres/managedIdentity.js';
import { ReceiptLog, type PostReceipts } from '../outbox/receiptLog.js';
import type { RateLedger } from '../outbox/rateLedger.js';
import type { ShelfStorage } from '../reports/shelf.js';
import { PgShelfFiles } from './postgres/shelfFiles.js';
import { PgInstances } from './postgres/instances.js';
import { knownMigrations, schemaState } from './postgres/migrate.js';
import { withinTime, type InstanceInfo, type StoreProbe } from './health.js';

export interface StoreChoice {
  DATA_DIR: string;
  DATABASE_URL?: string;
  PGPASSWORD_FROM?: 'managed-identity';
  PG_POOL_SIZE?: number;
}

/** The store and what instances keep beside it: where activity ids are written the moment Teams answers, and the shared rate ledger. */
export interface OpenedStore {
  store: BrokerageStore;
  kind: 'lowdb' | 'postgres';
  receipts: PostReceipts;
  /** Only with several possible instances (PostgreSQL): the rate limits then hold for all of them together. */
  ledger?: RateLedger;
  /** Where personal documents wait for their links (PostgreSQL); unset: in this process's memory. */
  shelf?: ShelfStorage;
  /** Where the store is, for the log and the `ops` view (never the password). */
  where: string;
  /** Whether it answers and its schema is current (GET /readyz), and the instances alive. */
  probe: StoreProbe;
}

/**
 * DATABASE_URL set: PostgreSQL (production; several instances may share it). Unset: the embedded
 * store in DATA_DIR (one process).
 */
export async function openStore(choice: StoreChoice, options: { now?: () => Date; instanceId?: string; env?: NodeJS.ProcessEnv } = {}): Promise<OpenedStore> {
  if (!choice.DATABASE_URL) {
    const store = await openBrokerageLowdb(choice.DATA_DIR, { now: options.now });
    return { store, kind: 'lowdb', receipts: new ReceiptLog(join(choice.DATA_DIR, 'outbox-receipts.log')), where: choice.DATA_DIR, probe: lowdbProbe(store) };
  }
  const password = choice.PGPASSWORD_FROM === 'managed-identity' ? managedIdentityPassword(options.env ?? process.env) : undefined;
  const store = await PostgresStore.open(choice.DATABASE_URL, { now: options.now, instanceId: options.instanceId, poolSize: choice.PG_POOL_SIZE, password });
  const url = new URL(choice.DATABASE_URL);
  url.password = '';
  const known = await knownMigrations();
  const instances = new PgInstances(store.pool);
  const probe: StoreProbe = {
    health: () =>
      withinTime('postgres', async () => {
        const schema = await schemaState(store.pool, known);
        return { kind: 'postgres', answers: true, schema, ...(schema.current ? {} : { problem: `the database is missing migrations this build needs (it knows up to ${schema.known}); run the migrations` }) };
      }),
    instances: () => instances.alive(),
    announce: (self, onError) => instances.announce(self, onError),
  };
  return { store, kind: 'postgres', receipts: new PgPostReceipts(store.pool), ledger: new PgRateLedger(store.pool), shelf: new PgShelfFiles(store.pool), where: url.href, probe };
}

/** The embedded store: one process, so the only instance is this one; its folder is brought up to date when it opens. */
export function lowdbProbe(store: BrokerageStore): StoreProbe {
  let self: InstanceInfo | undefined;
  return {
    health: () =>
      withinTime('lowdb', async () => {
        await store.get('settings', 'readiness-probe');
        return { kind: 'lowdb', answers: true };
      }),
    instances: async () => (self ? [{ ...self, seenAt: new Date().toISOString() }] : []),
    announce: async (me) => {
      self = me;
      return { stop: async () => void (self = undefined) };
    },
  };
}
