import { describe, expect, it } from 'vitest';
import { SlidingWindowLimit } from '../../src/discord/sliding-window-limit.js';

/** The most starts that fell in any span of `windowMs` (a span starting at each start). */
function mostInAnySpan(startedAt: readonly number[], windowMs: number): number {
  return Math.max(0, ...startedAt.map((from) => startedAt.filter((at) => at >= from && at < from + windowMs).length));
}

describe('a sliding-window limit', () => {
  it('lets the limit through at once, then no more than the limit in any span, in the order asked', async () => {
    const limit = new SlidingWindowLimit(3, 100);
    const startedAt: number[] = [];
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limit.take().then(() => {
          startedAt.push(performance.now());
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // performance.now() and the limit's Date.now() tick apart by under a millisecond.
    expect(mostInAnySpan(startedAt, 99)).toBeLessThanOrEqual(3);
    expect(limit.remaining()).toBeLessThan(3);
  });

  it('counts starts spread over the span: a burst after a trickle waits for the trickle to age out', async () => {
    let now = 0;
    const waits: number[] = [];
    const limit = new SlidingWindowLimit(
      4,
      1_000,
      () => now,
      (waitMs) => waits.push(waitMs),
    );
    await limit.take(); // at 0
    now = 900;
    await limit.take();
    await limit.take();
    await limit.take(); // the fourth in the span from 0
    expect(limit.remaining()).toBe(0);
    let fifthStarted = false;
    const fifth = limit.take().then(() => (fifthStarted = true));
    expect(waits).toEqual([100]); // the start at 0 leaves the span at 1,000
    now = 1_000;
    await fifth;
    expect(fifthStarted).toBe(true);
    // At 1,000 the three starts of 900 and the fifth fill the span.
    expect(limit.remaining()).toBe(0);
    now = 1_900;
    expect(limit.remaining()).toBe(3);
    limit.close();
  });
});
