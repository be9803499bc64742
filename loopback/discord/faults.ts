import type { FailAnswer } from './types.js';

interface CallMatch {
  method?: string;
  /** The route name as recorded in calls (`/channels/:id/messages`), or a pattern over it. */
  route?: string | RegExp;
}

interface PendingFailure extends CallMatch {
  times: number;
  answer: FailAnswer;
}

interface PendingPause extends CallMatch {
  arrive: () => void;
  released: Promise<void>;
}

/** A call held after it was carried out and before it is answered: the test acts in between, then releases it. */
export interface HeldCall {
  /** Resolves once a matching call has been carried out and is waiting for its answer. */
  arrived: Promise<void>;
  release(): void;
}

function matches(match: CallMatch, method: string, route: string): boolean {
  return (
    (!match.method || match.method === method) &&
    (!match.route || (typeof match.route === 'string' ? match.route === route : match.route.test(route)))
  );
}

/** Failures a test queued for the next matching REST calls: 429s with rate-limit headers, or any error code. */
export class Faults {
  private readonly pending: PendingFailure[] = [];
  private readonly pauses: PendingPause[] = [];

  failNext(match: { method?: string; route?: string | RegExp; times?: number }, answer: FailAnswer): void {
    this.pending.push({
      ...(match.method ? { method: match.method } : {}),
      ...(match.route ? { route: match.route } : {}),
      times: match.times ?? 1,
      answer,
    });
  }

  /** The answer for this call if a queued failure matches it, using up one of its times. */
  take(method: string, route: string): FailAnswer | null {
    const index = this.pending.findIndex((f) => matches(f, method, route));
    const failure = this.pending[index];
    if (!failure) return null;
    failure.times -= 1;
    if (failure.times <= 0) this.pending.splice(index, 1);
    return failure.answer;
  }

  holdNext(match: CallMatch): HeldCall {
    let arrive = () => {};
    let release = () => {};
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.pauses.push({
      ...(match.method ? { method: match.method } : {}),
      ...(match.route ? { route: match.route } : {}),
      arrive,
      released,
    });
    return { arrived, release };
  }

  /** Waits for the test's release when a hold matches this call (used once), else returns at once. */
  async hold(method: string, route: string): Promise<void> {
    const index = this.pauses.findIndex((p) => matches(p, method, route));
    const pause = this.pauses[index];
    if (!pause) return;
    this.pauses.splice(index, 1);
    pause.arrive();
    await pause.released;
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
    return {
      status: 429,
      headers,
      payload: { message: 'You are being rate limited.', retry_after: seconds, global: answer.global ?? false },
    };
  }
  return { status: answer.status, headers: {}, payload: { message: answer.message ?? `Error ${answer.code}`, code: answer.code } };
}
