import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileDurable } from './durable.js';
import { isAlive } from './processAlive.js';

/** Folders opened by this process: the pid lock cannot tell two stores in one process apart. */
const openHere = new Set<string>();

/**
 * lowdb keeps everything in memory and rewrites files from there, so two processes on one folder
 * would overwrite each other's changes: the second is refused while the first lives (`store.lock`
 * holds the pid), and so is a second open in this process.
 */
export async function lockFolder(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir);
  if (openHere.has(key)) throw new Error(`The data folder ${dir} is in use: this process has already opened it. Close that store first.`);
  openHere.add(key);
  try {
    const path = join(dir, 'store.lock');
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(`The data folder ${dir} is in use by another process (pid ${holder}), probably the running bot. Stop it first.`);
    }
    await writeFileDurable(path, String(process.pid));
  } catch (e) {
    openHere.delete(key);
    throw e;
  }
  return async () => {
    await rm(join(dir, 'store.lock'), { force: true });
    openHere.delete(key);
  };
}
