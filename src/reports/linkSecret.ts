/**
 * The key that signs report links. LINK_SECRET when set (the same on every instance, so a link
 * made by one opens on another); else a key made once and kept in the data folder, so links keep
 * working across restarts of a single instance. The file is created readable by its owner only.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LINK_SECRET_FILE = 'link-secret';

export async function linkSecret(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const path = join(dataDir, LINK_SECRET_FILE);
  try {
    const kept = (await readFile(path, 'utf8')).trim();
    if (kept.length >= 32) return kept;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const made = randomBytes(48).toString('base64url');
  // 'wx': never overwrite a key another start just wrote; read theirs instead.
  try {
    await writeFile(path, `${made}\n`, { mode: 0o600, flag: 'wx' });
    return made;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return (await readFile(path, 'utf8')).trim();
  }
}
