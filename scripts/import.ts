/**
 * Bulk-loads framework data (lots, zones, providers, users, checklist, settings) from a YAML or
 * JSON file: `npm run import -- path/to/file.yaml`. Stop the bot first: the store refuses a
 * second process on the same data folder.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { importFramework } from '../src/app/framework/importFile.js';
import { AppError } from '../src/app/errors.js';
import { openStore } from '../src/store/open.js';

/** Into the data folder, or into PostgreSQL when `databaseUrl` (DATABASE_URL) is given. */
export async function importFile(path: string, dataDir: string, databaseUrl?: string): Promise<Record<string, number>> {
  const text = await readFile(path, 'utf8');
  const data = path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  const { store } = await openStore({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PGPASSWORD_FROM: process.env.PGPASSWORD_FROM === 'managed-identity' ? 'managed-identity' : undefined });
  try {
    return await importFramework(store, 'system:import', data);
  } finally {
    await store.close();
  }
}

async function main() {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('Usage: npm run import -- <framework.yaml|framework.json>   (into DATABASE_URL if set, else the data folder DATA_DIR, default ./data)\n');
    process.exit(2);
  }
  const dataDir = process.env.DATA_DIR || './data';
  const databaseUrl = process.env.DATABASE_URL || undefined;
  try {
    const counts = await importFile(path, dataDir, databaseUrl);
    process.stdout.write(`Imported into ${databaseUrl ? 'PostgreSQL' : dataDir}: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
  } catch (e) {
    process.stderr.write(`Import failed, nothing was changed: ${e instanceof AppError ? e.message : (e as Error).message}\n`);
    process.exit(1);
  }
}

if (import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
