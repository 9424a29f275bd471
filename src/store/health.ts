/**
 * What the store's surroundings tell an operator (GET /readyz, the `ops` view): whether the store
 * answers, whether its schema is the one this build needs, and which instances of the bot are
 * alive. Each adapter answers through `StoreProbe` (src/store/open.ts).
 */
export interface SchemaState {
  /** Migrations recorded in the database, in order. */
  applied: { version: number; name: string }[];
  /** The newest migration this build knows. */
  known: number;
  /** Every migration this build knows is applied, under its own name: the instance can serve. */
  current: boolean;
  /** The database is at a newer version than this build knows (a rolling upgrade under way, or a rollback). */
  newer: boolean;
}

export interface StoreHealth {
  kind: 'lowdb' | 'postgres';
  /** The store answered a read in time. */
  answers: boolean;
  /** PostgreSQL only: the embedded store brings its own folder up to date when it opens. */
  schema?: SchemaState;
  /** Why the instance cannot serve, when it cannot (no personal data: a store error's message). */
  problem?: string;
}

export interface InstanceInfo {
  id: string;
  /** The build it runs: `<version> (<commit>)`. */
  build: string;
  startedAt: string;
  /** Its last heartbeat. */
  seenAt: string;
}

export interface StoreProbe {
  health(): Promise<StoreHealth>;
  /** Instances that gave a sign of life lately, this one included. */
  instances(): Promise<InstanceInfo[]>;
  /** Starts this instance's heartbeat (PostgreSQL: a row the other instances read); `stop` removes it. */
  announce(self: InstanceInfo, onError: (error: unknown) => void): Promise<{ stop(): Promise<void> }>;
}

/** How long a health check may take before the store counts as not answering. */
export const HEALTH_TIMEOUT_MS = 2_000;

/** `check`'s answer, or a store that does not answer when it takes longer than `ms`. */
export async function withinTime(kind: StoreHealth['kind'], check: () => Promise<StoreHealth>, ms = HEALTH_TIMEOUT_MS): Promise<StoreHealth> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<StoreHealth>((resolve) => {
    timer = setTimeout(() => resolve({ kind, answers: false, problem: `the store did not answer in ${ms / 1000} s` }), ms);
  });
  try {
    return await Promise.race([check().catch((e: Error) => ({ kind, answers: false, problem: e.message })), late]);
  } finally {
    clearTimeout(timer);
  }
}
