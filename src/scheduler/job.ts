/* A persisted job, in a module of its own so the store's collection map can name it without importing the scheduler. */

/** Something to do at a time: close a call-off, send a reminder, end a sequential round. */
export interface Job {
  id: string;
  kind: string;
  at: string;
  ref: string;
  [key: string]: unknown;
}
