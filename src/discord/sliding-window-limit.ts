/**
 * At most `limit` starts in any `windowMs` span, in the order asked. @discordjs/rest counts its global
 * limit in one-second windows that open at the first request after the last one closed; a window used
 * lightly until its end and the next one spent at once put up to twice the limit into one of Discord's
 * seconds (whose windows are not the client's), and Discord answers 429. Counting over a sliding span
 * never sends more than `limit` in any second, however Discord's seconds fall.
 */
export class SlidingWindowLimit {
  /** When the last `limit` starts were let through, oldest first. */
  private readonly startedAt: number[] = [];
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1_000,
    private readonly clock: () => number = () => Date.now(),
    /** Told each time a start must wait, with how long until the next may go. */
    private readonly onWait: (waitMs: number) => void = () => undefined,
  ) {}

  /** Resolves when this start may go (it is counted then). */
  take(): Promise<void> {
    if (this.waiting.length === 0 && this.waitMs() === 0) {
      this.startedAt.push(this.clock());
      this.forgetOld();
      return Promise.resolve();
    }
    const turn = new Promise<void>((resolve) => this.waiting.push(resolve));
    this.onWait(this.waitMs());
    this.schedule();
    return turn;
  }

  /** Starts still allowed in the span ending now. */
  remaining(): number {
    this.forgetOld();
    return Math.max(0, this.limit - this.startedAt.length);
  }

  /** Milliseconds until one more start may go: 0 when one may go now. */
  private waitMs(): number {
    this.forgetOld();
    if (this.startedAt.length < this.limit) return 0;
    return Math.max(1, (this.startedAt[0] ?? 0) + this.windowMs - this.clock());
  }

  private schedule(): void {
    if (this.timer || this.waiting.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      while (this.waiting.length > 0 && this.waitMs() === 0) {
        this.startedAt.push(this.clock());
        this.waiting.shift()?.();
      }
      this.schedule();
    }, this.waitMs());
  }

  private forgetOld(): void {
    const since = this.clock() - this.windowMs;
    let old = 0;
    while (old < this.startedAt.length && (this.startedAt[old] ?? 0) <= since) old += 1;
    if (old > 0) this.startedAt.splice(0, old);
  }

  /** Lets every waiting start go (the proxy is closing) and stops the timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
