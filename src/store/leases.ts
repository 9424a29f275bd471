import type { Claimed, WorkKind } from './store.js';

/**
 * Claims on shared work (Store.claim), kept in memory: what an adapter whose instances share one
 * process (lowdb, one bot) uses. A holder keeps or extends its own lease; another holder is
 * refused until the lease runs out, which is how work of a holder that stopped is taken over.
 */
export class Leases {
  private readonly held = new Map<string, { holder: string; until: number }>();
  private claims = 0;

  claim(kind: WorkKind, id: string, holder: string, leaseMs: number, nowMs: number): Claimed {
    const key = `${kind}\u0000${id}`;
    const lease = this.held.get(key);
    if (lease && lease.holder !== holder && lease.until > nowMs) return false;
    this.held.set(key, { holder, until: nowMs + leaseMs });
    // Leases nobody releases (a holder that stopped) would pile up: sweep now and then.
    if (++this.claims % 1024 === 0) this.sweep(nowMs);
    return lease && lease.holder !== holder ? 'taken over' : true;
  }

  release(kind: WorkKind, id: string, holder: string): void {
    const key = `${kind}\u0000${id}`;
    if (this.held.get(key)?.holder === holder) this.held.delete(key);
  }

  private sweep(nowMs: number): void {
    for (const [key, lease] of this.held) if (lease.until <= nowMs) this.held.delete(key);
  }
}
