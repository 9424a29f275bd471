import type { Entity } from '../store.js';
import { reportableMoments } from '../reads.js';
import type { PackageRequest } from '../../domain/request.js';
import type { OutboxItem } from '../../outbox/item.js';
import type { Approval } from '../../domain/approvals.js';
import type { StagedChange } from './engine.js';

/**
 * The lowdb adapter's own indexes: the lists it cannot answer without reading every call-off.
 * They are derived from the items a commit puts and deletes and written in that same commit, in
 * the on-disk collections (and keys) the app used to keep by hand, so an existing data folder
 * keeps working:
 * - `indexes`: `owner:<aad>` → the person's requests; `open-calloffs`; `month:YYYY-MM` → requests
 *   with a reportable moment that month; `agreements`; `jobs`; `approvals-waiting`;
 *   `approvals-month:YYYY-MM` → approvals raised that month; `failed:YYYY-MM-DD` → posts that
 *   failed, by the day they were last tried. Each `{ id, refs }`.
 * - `outboxPending`: one `{ id }` per pending post.
 * - `outboxBatches`: batch id → `{ id, members }`, every post of the batch whatever its status.
 */
export const DERIVED = ['indexes', 'outboxPending', 'outboxBatches'];

export const ownerKey = (owner: string) => `owner:${owner}`;
export const OPEN_KEY = 'open-calloffs';
export const monthKey = (iso: string) => `month:${iso.slice(0, 7)}`;
export const AGREEMENTS_KEY = 'agreements';
export const JOBS_KEY = 'jobs';
export const WAITING_APPROVALS_KEY = 'approvals-waiting';
export const approvalMonthKey = (iso: string) => `approvals-month:${iso.slice(0, 7)}`;
export const failedDayKey = (iso: string) => `failed:${iso.slice(0, 10)}`;

/** Bumped when an index is added or changes meaning: a folder marked older is rebuilt once on open. */
export const INDEX_VERSION = 6;
/** The marker, in `indexes`: `refs: [version]`. (Version 3 was the app's `backfilled:3`.) */
export const VERSION_KEY = 'index-version';

/** One membership: `ref` is listed in document `doc` of derived collection `collection`. */
interface Entry {
  collection: string;
  doc: string;
  ref: string;
}

/** The index entries an item contributes. */
function entriesOf(collection: string, item: Entity | null): Entry[] {
  if (!item) return [];
  const idx = (doc: string): Entry => ({ collection: 'indexes', doc, ref: item.id });
  switch (collection) {
    case 'requests': {
      const r = item as PackageRequest;
      const out = [idx(ownerKey(r.owner))];
      if (r.state === 'open') out.push(idx(OPEN_KEY));
      for (const month of new Set(reportableMoments(r).map(monthKey))) out.push(idx(month));
      return out;
    }
    case 'agreements':
      return [idx(AGREEMENTS_KEY)];
    case 'jobs':
      return [idx(JOBS_KEY)];
    case 'approvals': {
      const a = item as Approval;
      return a.status === 'waiting' ? [idx(approvalMonthKey(a.raisedAt)), idx(WAITING_APPROVALS_KEY)] : [idx(approvalMonthKey(a.raisedAt))];
    }
    case 'outbox': {
      const o = item as OutboxItem;
      const out: Entry[] = [];
      if (o.status === 'pending') out.push({ collection: 'outboxPending', doc: o.id, ref: o.id });
      if (o.status === 'failed') out.push(idx(failedDayKey(o.dueAt)));
      if (o.batch) out.push({ collection: 'outboxBatches', doc: o.batch.id, ref: o.id });
      return out;
    }
    default:
      return [];
  }
}

const keyOf = (e: Entry) => `${e.collection}\u0000${e.doc}\u0000${e.ref}`;
const docKey = (collection: string, doc: string) => `${collection}\u0000${doc}`;

/** The refs a stored index document lists. */
export function refsOf(collection: string, doc: Entity | undefined): string[] {
  if (!doc) return [];
  if (collection === 'outboxPending') return [doc.id];
  return collection === 'outboxBatches' ? ((doc as Entity & { members?: string[] }).members ?? []) : ((doc as Entity & { refs?: string[] }).refs ?? []);
}

function docOf(collection: string, id: string, refs: Set<string>): Entity | null {
  if (!refs.size) return null;
  if (collection === 'outboxPending') return { id };
  return collection === 'outboxBatches' ? ({ id, members: [...refs] } as Entity) : ({ id, refs: [...refs] } as Entity);
}

/**
 * The index changes a commit implies: entries the items gained are added, entries they lost are
 * removed. Only the documents touched are read and rewritten, so the cost follows the commit, not
 * the history.
 */
export function deriveIndexes(
  changes: (StagedChange & { before: Entity | null })[],
  committed: (collection: string, id: string) => Entity | undefined,
): StagedChange[] {
  const edits = new Map<string, { collection: string; doc: string; add: Set<string>; remove: Set<string> }>();
  const edit = (e: Entry) => {
    const k = docKey(e.collection, e.doc);
    let d = edits.get(k);
    if (!d) edits.set(k, (d = { collection: e.collection, doc: e.doc, add: new Set(), remove: new Set() }));
    return d;
  };
  for (const c of changes) {
    const before = entriesOf(c.collection, c.before);
    const after = entriesOf(c.collection, c.after);
    if (!before.length && !after.length) continue;
    const had = new Set(before.map(keyOf));
    const has = new Set(after.map(keyOf));
    for (const e of after) if (!had.has(keyOf(e))) edit(e).add.add(e.ref);
    for (const e of before) if (!has.has(keyOf(e))) edit(e).remove.add(e.ref);
  }
  const out: StagedChange[] = [];
  for (const { collection, doc, add, remove } of edits.values()) {
    const current = committed(collection, doc);
    const refs = new Set(refsOf(collection, current));
    let changed = false;
    for (const r of remove) changed = refs.delete(r) || changed;
    for (const r of add) {
      if (refs.has(r)) continue;
      refs.add(r);
      changed = true;
    }
    if (!changed) continue;
    const after = docOf(collection, doc, refs);
    if (after || current) out.push({ collection, id: doc, after });
  }
  return out;
}

/** What a rebuild needs of the engine. */
export interface IndexedStore {
  get(collection: string, id: string): Promise<Entity | undefined>;
  scan(collection: string): Promise<Entity[]>;
  writeDerived(changes: StagedChange[]): Promise<void>;
}

/**
 * Rebuilds every index from a scan, once, for a folder written before this version of them (an
 * upgrade, or data written straight into files). A new folder scans nothing and is just marked.
 */
export async function ensureIndexes(store: IndexedStore): Promise<void> {
  const marker = (await store.get('indexes', VERSION_KEY)) as (Entity & { refs: string[] }) | undefined;
  if (marker && Number(marker.refs[0]) >= INDEX_VERSION) return;
  const docs = new Map<string, { collection: string; doc: string; refs: Set<string> }>();
  for (const collection of ['requests', 'agreements', 'jobs', 'outbox', 'approvals']) {
    for (const item of await store.scan(collection)) {
      for (const e of entriesOf(collection, item)) {
        const k = docKey(e.collection, e.doc);
        let d = docs.get(k);
        if (!d) docs.set(k, (d = { collection: e.collection, doc: e.doc, refs: new Set() }));
        d.refs.add(e.ref);
      }
    }
  }
  const changes: StagedChange[] = [];
  for (const collection of DERIVED) {
    for (const old of await store.scan(collection)) if (!docs.has(docKey(collection, old.id))) changes.push({ collection, id: old.id, after: null });
  }
  for (const { collection, doc, refs } of docs.values()) changes.push({ collection, id: doc, after: docOf(collection, doc, refs) });
  changes.push({ collection: 'indexes', id: VERSION_KEY, after: { id: VERSION_KEY, refs: [String(INDEX_VERSION)] } as Entity });
  await store.writeDerived(changes);
}
