import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { JSONFile } from 'lowdb/node';
import type { Entity } from '../store.js';
import { writeFileDurable } from './durable.js';

/* The embedded store's data files: which file holds an item, and reading and writing one. */

export const SCHEMA_VERSION = 1;

export interface ShardData {
  schemaVersion: number;
  items: Record<string, Entity>;
}

/**
 * How a collection is spread over files:
 * - a number N: N files `0.json` … `N-1.json`, an item's file chosen by a hash of its id. Right for
 *   collections that stay small (the framework, users);
 * - `{ by, fallback }`: one file per partition key, `by(id)` (e.g. the call-off an id belongs to),
 *   so a write rewrites only that key's file and its cost does not grow with history; ids for which
 *   `by` returns undefined go to `fallback` hash files.
 */
export type ShardSpec = number | { by: (id: string) => string | undefined; fallback?: number };

/**
 * One data file in memory: its items. A keyed file (one call-off's) is read only when something
 * asks for one of its items, so years of finished call-offs stay on disk until needed.
 */
export interface Partition {
  stem: string;
  data: ShardData;
  /** The journal record that last changed it: until that record is durable, a read of it waits. */
  n?: number;
}

/** The file (without `.json`) that holds the item with this id under this spec. */
export function shardStem(spec: ShardSpec | undefined, id: string): string {
  if (spec === undefined || typeof spec === 'number') return String(hashIndex(id, spec ?? 1));
  const key = spec.by(id);
  if (key === undefined || key === '') return String(hashIndex(id, spec.fallback ?? 1));
  const safe = key.replace(/[^A-Za-z0-9._-]/g, '_');
  // Numeric names are the hash files'; a key that looks like one gets a prefix.
  return /^\d+$/.test(safe) || safe.startsWith('.') ? `k${safe}` : safe;
}

function hashIndex(id: string, count: number): number {
  if (count <= 1) return 0;
  let h = 2166136261; // FNV-1a: cheap and evenly spread for short ids
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % count;
}

/** Hash-shard files are named by number; keyed files by their key. */
export const isKeyed = (stem: string) => !/^\d+$/.test(stem);

export const emptyData = (): ShardData => ({ schemaVersion: SCHEMA_VERSION, items: {} });

export async function readPartitionFile(dir: string, collection: string, stem: string): Promise<ShardData | null> {
  const path = join(dir, collection, `${stem}.json`);
  try {
    return await new JSONFile<ShardData>(path).read();
  } catch (e) {
    throw new Error(`The data file ${path} cannot be read: ${(e as Error).message}`);
  }
}

/** Read synchronously: a keyed file is read inside a transaction, which must not interleave with another. */
export function readPartitionSync(dir: string, collection: string, stem: string): ShardData | null {
  const path = join(dir, collection, `${stem}.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    return JSON.parse(text) as ShardData;
  } catch (e) {
    throw new Error(`The data file ${path} cannot be read: ${(e as Error).message}`);
  }
}

/**
 * Writes one data file atomically and durably (temp file, fsync, `beforeRename`, rename; the
 * caller syncs the folder), in lowdb's format; an emptied keyed file is removed (its partition
 * stays in memory, empty, so nothing reads the old file back while it is being removed).
 */
export async function writePartition(dir: string, collection: string, p: Partition, beforeRename?: () => Promise<void>): Promise<void> {
  const path = join(dir, collection, `${p.stem}.json`);
  if (isKeyed(p.stem) && !Object.keys(p.data.items).length) {
    await beforeRename?.();
    return void (await rm(path, { force: true }));
  }
  await writeFileDurable(path, JSON.stringify(p.data, null, 2), beforeRename);
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}
