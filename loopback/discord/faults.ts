import type { FailAnswer } from './types.js';

interface PendingFailure {
  method?: string;
  /** The route name as recorded in calls (`/channels/:id/messages`), or a pattern over it. */
  route?: string | RegExp;
  times: number;
  answer: FailAnswer;
}

/** Failures a test queued for the next matching REST calls: 429s with rate-limit headers, or any error code. */
export class Faults {
  private readonly pending: PendingFailure[] = [];

  failNext(match: { method?: string; route?: string | RegExp; times?: number }, answer: FailAnswer): void {
    this.pending.push({ ...(match.method ? { method: match.method } : {}), ...(match.route ? { route: match.route } : {}), times: match.times ?? 1, answer });
  }

  /** The answer for this call if a queued failure matches it, using up one of its times. */
  take(method: string, route: string): FailAnswer | null {
    const index = this.pending.findIndex(
      (f) =>
        (!f.method || f.method === method) &&
        (!f.route || (typeof f.route === 'string' ? f.route === route : f.route.test(route))),
    );
    const failure = this.pending[index];
    if (!failure) return null;
    failure.times -= 1;
    if (failure.times <= 0) this.pending.splice(index, 1);
    return failure.answer;
  }
}

/** The status, headers and body Discord would send for a failure; the REST client's back-off reads the headers. */
export function failureResponse(answer: FailAnswer): { status: number; headers: Record<string, string>; payload: unknown } {
  if ('retryAfterMs' in answer) {
    const seconds = answer.retryAfterMs / 1000;
    const headers: Record<string, string> = {
      'retry-after': String(Math.max(seconds, 0.001)),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': String(seconds),
      'x-ratelimit-scope': answer.global ? 'global' : 'user',
    };
    if (answer.global) headers['x-ratelimit-global'] = 'true';
    return { status: 429, headers, payload: { message: 'You are being rate limited.', retry_after: seconds, global: answer.global ?? false } };
  }
  return { status: answer.status, headers: {}, payload: { message: answer.message ?? `Error ${answer.code}`, code: answer.code } };
}
