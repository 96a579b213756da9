/**
 * Per-caller token buckets: each caller may make `burst` requests at once and `requestsPerMinute`
 * on average. Kept in memory, per gateway replica (behind a load balancer each replica enforces its
 * own share; see docs/operations.md).
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #perMs: number;

  constructor(
    readonly requestsPerMinute: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#perMs = requestsPerMinute / 60_000;
  }

  /** Takes a token for `caller`; returns 0 if allowed, else the seconds to wait before retrying. */
  take(caller: string): number {
    const now = this.now();
    const b = this.#buckets.get(caller) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.#perMs);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.#buckets.set(caller, b);
      if (this.#buckets.size > 100_000) this.#sweep(now);
      return 0;
    }
    this.#buckets.set(caller, b);
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000));
  }

  #sweep(now: number): void {
    for (const [k, b] of this.#buckets) if (b.tokens + (now - b.at) * this.#perMs >= this.burst) this.#buckets.delete(k);
  }
}
