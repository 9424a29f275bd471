import pg from 'pg';
import type { Change, Entity } from '../store.js';
import { CHANNEL } from './writes.js';
import { tableOf } from './tables.js';
import type { Password } from './pool.js';

type Listener = (change: Change<Entity>) => void;

/**
 * Calls watchers once per committed change: this instance's own commits right after COMMIT
 * (`publish`), other instances' through LISTEN on a dedicated connection. A notification names the
 * item only; the current document is read here, in arrival (commit) order, one after the other.
 * The LISTEN connection is reopened when it drops; changes made while it was down are not replayed.
 */
export class ChangeFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private client?: pg.Client;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private delivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly instance: string,
    private readonly pool: pg.Pool,
    private readonly password?: Password,
  ) {}

  /** Resolves once LISTEN is in place, so changes committed after `open` returns are heard. */
  async start(): Promise<void> {
    await this.connect();
  }

  watch(collection: string, listener: Listener): () => void {
    tableOf(collection); // an unknown collection fails here, not silently later
    let set = this.listeners.get(collection);
    if (!set) this.listeners.set(collection, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  /** This instance's committed changes, in commit order. */
  publish(changes: { collection: string; id: string; after: Entity | null }[]): void {
    for (const c of changes) this.emit(c.collection, { id: c.id, after: c.after });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
    await this.delivery;
  }

  private emit(collection: string, change: Change<Entity>): void {
    for (const listener of this.listeners.get(collection) ?? []) {
      try {
        listener(change);
      } catch {
        // A watcher's bug must not fail a transaction that is already committed.
      }
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, ...(this.password ? { password: this.password } : {}) });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => {});
      this.scheduleReconnect(250);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (msg) => {
      if (msg.channel === CHANNEL && msg.payload) this.received(msg.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(ms: number): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch(() => this.scheduleReconnect(Math.min(ms * 2, 10_000)));
    }, ms);
  }

  private received(payload: string): void {
    let note: { instance?: string; collection?: string; id?: string };
    try {
      note = JSON.parse(payload);
    } catch {
      return;
    }
    const { instance, collection, id } = note;
    if (instance === this.instance || !collection || !id || !this.listeners.get(collection)?.size) return;
    this.delivery = this.delivery.then(async () => {
      if (this.closed) return;
      try {
        const { rows } = await this.pool.query<{ doc: Entity }>(`SELECT doc FROM ${tableOf(collection)} WHERE id = $1`, [id]);
        this.emit(collection, { id, after: rows[0]?.doc ?? null });
      } catch {
        // An unknown collection (a newer instance) or a lost connection: nothing to tell.
      }
    });
  }
}
