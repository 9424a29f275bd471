import { open, rename } from 'node:fs/promises';

/**
 * Temp file, fsync, rename: a crash leaves the old file or the new one, never half of one, and
 * once this resolves the new content is on disk. `beforeRename` may hold the new file back until
 * something else is durable (the journal records its text holds). The rename itself is durable only after the
 * folder is synced (`syncDirs`), which callers batch: one folder sync per commit, not per file.
 * (lowdb's writer, steno, renames without fsync, hence this.)
 */
export async function writeFileDurable(path: string, text: string, beforeRename?: () => Promise<void>): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await beforeRename?.();
  await rename(tmp, path);
}

/** fsyncs each folder once, so the renames and removals in it survive a power cut. */
export async function syncDirs(dirs: Iterable<string>): Promise<void> {
  await Promise.all(
    [...new Set(dirs)].map(async (dir) => {
      const fh = await open(dir, 'r');
      try {
        await fh.sync();
      } catch (e) {
        // Some file systems (and Windows) refuse to fsync a directory; the data files are synced.
        if (!['EINVAL', 'EPERM', 'EISDIR', 'ENOTSUP'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      } finally {
        await fh.close();
      }
    }),
  );
}
