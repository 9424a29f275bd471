/**
 * Teams retries an invoke it thinks timed out, and people double-click. Within a short window the
 * same person's same action on the same card gets the first answer again instead of running
 * twice. (Use cases that change money or state also guard with store idempotency keys or state
 * checks, which survive restarts; this keeps even harmless repeats from showing a second result.)
 */
export class ActionDedup<T> {
  private readonly recent = new Map<string, { at: number; result: Promise<T> }>();

  constructor(
    // Teams retries an unanswered invoke within seconds; longer would replay answers the state has moved past.
    private readonly windowMs = 15_000,
    private readonly now: () => number = Date.now,
  ) {}

  run(key: string, job: () => Promise<T>): Promise<T> {
    const t = this.now();
    for (const [k, v] of this.recent) if (t - v.at > this.windowMs) this.recent.delete(k);
    const hit = this.recent.get(key);
    if (hit) return hit.result;
    const result = job();
    this.recent.set(key, { at: t, result });
    result.catch(() => this.recent.delete(key)); // a failure may be retried
    return result;
  }
}

/** Stable JSON: the same data in another key order is the same action. */
export function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
