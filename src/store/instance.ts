import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Names this process as the holder of the work it claims (Store.claim). Unique per process, and
 * readable in logs and in the database: the host (an App Service instance), the pid, and a random
 * part, since a restarted container may get the same pid.
 */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** This process's id, for components not given one (one bot in one process). */
export const PROCESS_INSTANCE = newInstanceId();
