// Discord's limits on starting gateway sessions, as GET /gateway/bot reports them:
// - `max_concurrency` identifies per 5 seconds, one per bucket: a shard's bucket (its rate-limit key)
//   is shard_id % max_concurrency;
// - `total` session starts a day; every IDENTIFY takes one from `remaining` (a RESUME does not).

const IDENTIFY_INTERVAL_MS = 5_000;
const DAY_MS = 86_400_000;

export interface Identify {
  shard: [number, number];
  at: number;
  /** Whether it came within 5 s of another in its bucket (Discord would invalidate the session). */
  tooSoon: boolean;
}

export class SessionStarts {
  readonly identifies: Identify[] = [];
  private readonly lastByBucket = new Map<number, number>();
  private remaining: number;
  private resetsAt = Date.now() + DAY_MS;

  constructor(
    readonly maxConcurrency: number,
    private readonly total: number,
    private readonly violations: string[],
  ) {
    this.remaining = total;
  }

  /** GET /gateway/bot's session_start_limit, now. */
  limit(now = Date.now()): { total: number; remaining: number; reset_after: number; max_concurrency: number } {
    this.roll(now);
    return { total: this.total, remaining: this.remaining, reset_after: this.resetsAt - now, max_concurrency: this.maxConcurrency };
  }

  /** Counts an IDENTIFY; false when Discord would refuse it (too soon in its bucket, or no session starts left). */
  identify(shard: [number, number], now = Date.now()): boolean {
    this.roll(now);
    const bucket = shard[0] % this.maxConcurrency;
    const last = this.lastByBucket.get(bucket);
    const tooSoon = last !== undefined && now - last < IDENTIFY_INTERVAL_MS;
    this.identifies.push({ shard, at: now, tooSoon });
    if (tooSoon) {
      this.violations.push(
        `shard ${shard[0]} identified ${now - last} ms after another in bucket ${bucket} (max_concurrency ${this.maxConcurrency}: one per 5 s)`,
      );
      return false;
    }
    if (this.remaining <= 0) {
      this.violations.push(`shard ${shard[0]} identified with no session starts left (total ${this.total} a day)`);
      return false;
    }
    this.lastByBucket.set(bucket, now);
    this.remaining -= 1;
    return true;
  }

  private roll(now: number): void {
    if (now < this.resetsAt) return;
    this.remaining = this.total;
    this.resetsAt = now + DAY_MS;
  }
}
