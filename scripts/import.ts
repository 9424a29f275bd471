/**
 * Bulk-loads framework data (lots, zones, providers, users, checklist, settings) from a YAML or
 * JSON file: `npm run import -- path/to/file.yaml`. Stop the bot first: the store refuses a
 * second process on the same data folder.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { importFramework } from '../src/app/framework/importFile.js';
import { AppError } from '../src/app/errors.js';
import { openBrokerageLowdb } from '../src/store/lowdb/brokerageLowdb.js';

export async function importFile(path: string, dataDir: string): Promise<Record<string, number>> {
  const text = await readFile(path, 'utf8');
  const data = path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  const store = await openBrokerageLowdb(dataDir);
  try {
    return await importFramework(store, 'system:import', data);
  } finally {
    await store.close();
  }
}

async function main() {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('Usage: npm run import -- <framework.yaml|framework.json>   (DATA_DIR sets the data folder, default ./data)\n');
    process.exit(2);
  }
  const dataDir = process.env.DATA_DIR || './data';
  try {
    const counts = await importFile(path, dataDir);
    process.stdout.write(`Imported into ${dataDir}: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
  } catch (e) {
    process.stderr.write(`Import failed, nothing was changed: ${e instanceof AppError ? e.message : (e as Error).message}\n`);
    process.exit(1);
  }
}

if (import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
