/**
 * Coalesces a stream of text into message edits no faster than Discord's edit limits allow:
 * at most one edit in flight, the newest text wins, and close() waits for the last one. The interval
 * may be a function, asked before each edit: a draft's cadence follows the bot's REST budget.
 */
export class ProgressEditor<T = string> {
  private latest: T | null = null;
  private inFlight: Promise<void> | null = null;
  private lastEditAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly intervalMs: number | (() => number),
    private readonly edit: (text: T) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    /** No edit is made before this long has passed. */
    firstAfterMs = 0,
  ) {
    this.notBefore = Date.now() + firstAfterMs;
  }

  private readonly notBefore: number;

  private interval(): number {
    return typeof this.intervalMs === 'number' ? this.intervalMs : this.intervalMs();
  }

  push(text: T): void {
    if (this.closed) return;
    this.latest = text;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.inFlight) return;
    const wait = Math.max(0, this.lastEditAt + this.interval() - Date.now(), this.notBefore - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.send();
    }, wait);
  }

  private async send(): Promise<void> {
    const text = this.latest;
    if (text === null || this.closed) return;
    this.latest = null;
    this.lastEditAt = Date.now();
    this.inFlight = this.edit(text).catch(this.onError);
    await this.inFlight;
    this.inFlight = null;
    if (this.latest !== null) this.schedule();
  }

  /** Stops further progress edits and waits for the one under way, so the final render lands last. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }
}
