import { RESTEvents, type REST } from '@discordjs/rest';
import { expectedStreamingRequestsPerSecond } from '../domain/stream-cadence.js';

/** Discord's global limit: requests a second per bot, every process using the token together (interaction responses exempt). */
export const DISCORD_GLOBAL_REQUESTS_PER_SECOND = 50;

/**
 * How much of the bot's Discord REST budget is in use: what a draft's streamed edits adapt to.
 * LocalRestPressure is this process's own estimate; a limiter shared by every process of the bot can
 * stand in for it and give the whole bot's figure.
 */
export interface RestPressure {
  /** Requests a second in use now: an estimate over the last moments. */
  requestsPerSecond(): number;
  /** Requests a second the bot may send in all. */
  readonly budgetPerSecond: number;
  /**
   * Counts a draft this process holds (its job taken, the draft about to be written or being written)
   * until the function returned is called: called as its processor is entered, before any await.
   */
  draftHeld(): () => void;
}

/** The share of the budget in use: 0 idle, 1 at the limit. */
export function restLoad(pressure: RestPressure): number {
  return pressure.budgetPerSecond > 0 ? pressure.requestsPerSecond() / pressure.budgetPerSecond : 1;
}

/**
 * This process's REST traffic: the requests answered over a sliding window or, when more, what the
 * drafts it holds are about to send; and a budget counted as spent for as long as the global limit
 * held requests back (the REST client's wait or Discord's 429).
 */
export class LocalRestPressure implements RestPressure {
  private readonly answeredAt: number[] = [];
  private spentUntil = 0;
  private held = 0;

  constructor(
    readonly budgetPerSecond = DISCORD_GLOBAL_REQUESTS_PER_SECOND,
    private readonly windowMs = 2_000,
    private readonly clock: () => number = () => performance.now(),
    /** How often a draft edits its message when the bot is not busy (the worker's stream interval). */
    private readonly ordinaryEditIntervalMs = 1_200,
  ) {}

  draftHeld(): () => void {
    this.held += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.held -= 1;
    };
  }

  /**
   * Counts this REST client's waits for the global limit. Its requests are counted by whoever sends
   * them (recordRequest): the client's own response event hands out a clone of each response, which
   * left unread can stall the original's body.
   */
  attach(rest: REST): this {
    rest.on(RESTEvents.RateLimited, (info) => {
      if (info.global) this.recordGlobalLimit(info.retryAfter);
    });
    return this;
  }

  recordRequest(): void {
    this.answeredAt.push(this.clock());
    this.forgetOld();
  }

  /** The global limit held requests back for this long: until then the whole budget counts as used. */
  recordGlobalLimit(retryAfterMs: number): void {
    this.spentUntil = Math.max(this.spentUntil, this.clock() + Math.max(retryAfterMs, 1_000));
  }

  requestsPerSecond(): number {
    this.forgetOld();
    const sent = this.answeredAt.length / (this.windowMs / 1_000);
    const rate = Math.max(sent, expectedStreamingRequestsPerSecond(this.held, this.ordinaryEditIntervalMs));
    return this.clock() < this.spentUntil ? Math.max(rate, this.budgetPerSecond) : rate;
  }

  private forgetOld(): void {
    const since = this.clock() - this.windowMs;
    let old = 0;
    while (old < this.answeredAt.length && (this.answeredAt[old] ?? 0) < since) old += 1;
    if (old > 0) this.answeredAt.splice(0, old);
  }
}
