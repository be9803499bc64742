// Discord's account-wide REST limits, as Discord applies them:
// - the global limit: 50 requests a second per bot token, whatever process or address they come
//   from; interaction responses (the callback and the webhook calls with the interaction's token)
//   are not bound by it;
// - invalid requests: 401, 403 and 429 answers (except 429s of a shared resource) count, and 10,000
//   of them in 10 minutes ban the address for an hour.

const GLOBAL_WINDOW_MS = 1_000;
// A client that keeps the limit (@discordjs/rest opens its next window 50 ms after the last closed)
// must not be refused because its calls arrived unevenly on a busy machine: windows here close 200 ms
// early (at most 50 in 800 ms passes; 2 uncoordinated clients, 100 a second, are still refused).
const ARRIVAL_JITTER_MS = 200;
const INVALID_WINDOW_MS = 10 * 60_000;
const INVALID_LIMIT = 10_000;

/** Whether a call answers an interaction (exempt from the global limit). */
export function isInteractionResponse(path: string): boolean {
  return path.startsWith('/interactions/') || path.startsWith('/webhooks/');
}

export class RestLimits {
  /** Per token: the current one-second window and the calls counted in it. */
  private readonly windows = new Map<string, { startedAt: number; count: number }>();
  private readonly invalidAt: number[] = [];
  private globalRefusals = 0;
  private banned = false;

  constructor(
    private perSecond: number,
    private readonly violations: string[],
  ) {}

  setPerSecond(perSecond: number): void {
    this.perSecond = perSecond;
    this.windows.clear();
  }

  /**
   * Counts a call against its token's global limit; answers the milliseconds to wait when the limit is
   * reached (the call is refused), or null. A window opens at the first call after the last one closed.
   */
  takeGlobal(token: string, path: string, now = Date.now()): number | null {
    if (this.perSecond <= 0 || isInteractionResponse(path)) return null;
    let window = this.windows.get(token);
    if (!window || now - window.startedAt >= GLOBAL_WINDOW_MS - ARRIVAL_JITTER_MS) {
      window = { startedAt: now, count: 0 };
      this.windows.set(token, window);
    }
    if (window.count >= this.perSecond) {
      this.globalRefusals += 1;
      return Math.max(1, window.startedAt + GLOBAL_WINDOW_MS - ARRIVAL_JITTER_MS - now);
    }
    window.count += 1;
    return null;
  }

  /** Counts an answer toward the invalid-request limit when Discord would. */
  recordAnswer(status: number, scope: string | null, now = Date.now()): void {
    if (!(status === 401 || status === 403 || (status === 429 && scope !== 'shared'))) return;
    this.invalidAt.push(now);
    while (this.invalidAt.length > 0 && (this.invalidAt[0] as number) <= now - INVALID_WINDOW_MS) this.invalidAt.shift();
    if (!this.banned && this.invalidAt.length >= INVALID_LIMIT) {
      this.banned = true;
      this.violations.push(`${INVALID_LIMIT} invalid requests (401, 403, 429) within 10 minutes: Discord bans the address for an hour`);
    }
  }

  /** Calls refused by the global limit so far, and invalid requests in the last 10 minutes. */
  counts(now = Date.now()): { globalRateLimited: number; invalidRequests: number } {
    return { globalRateLimited: this.globalRefusals, invalidRequests: this.invalidAt.filter((at) => at > now - INVALID_WINDOW_MS).length };
  }
}
