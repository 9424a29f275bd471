/** Whether a process with this pid is running (EPERM: it is, under another user): the data folder's lock holder. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
