import { describe, expect, it } from 'vitest';
import {
  expectedStreamingRequestsPerSecond,
  firstEditAfterMs,
  progressWindowMs,
  SLOWEST_EDIT_INTERVAL_MS,
  SLOWEST_PROGRESS_WINDOW_MS,
  streamCadence,
} from '../../src/domain/stream-cadence.js';

describe('what drafts being written are about to send', () => {
  // drafts writing, ordinary interval (ms) → requests a second expected
  it.each([
    [0, 1_200, 0],
    [-1, 1_200, 0],
    [Number.NaN, 1_200, 0],
    [1, 1_200, 1_000 / 1_200],
    [16, 1_200, (16 * 1_000) / 1_200],
    [32, 1_200, (32 * 1_000) / 1_200],
    // Discord allows a channel's messages about one edit a second: a faster setting streams no faster for long.
    [10, 30, 10],
    [10, 0, 10],
    // Never slower than the readable rhythm either.
    [10, 10_000, (10 * 1_000) / SLOWEST_EDIT_INTERVAL_MS],
    [10, Number.NaN, (10 * 1_000) / SLOWEST_EDIT_INTERVAL_MS],
  ])('%d drafts at an ordinary interval of %d ms send about %d requests a second', (drafts, interval, expected) => {
    expect(expectedStreamingRequestsPerSecond(drafts, interval)).toBeCloseTo(expected);
  });

  it('a burst of 16 drafts started at once fills a budget of 10 before it has sent anything, not the 50 of the whole bot', () => {
    const load = (budget: number) => expectedStreamingRequestsPerSecond(16, 1_200) / budget;
    expect(streamCadence(load(10), 1_200)).toEqual({ editIntervalMs: SLOWEST_EDIT_INTERVAL_MS, holdFirstPostMs: 3_000, noteOnCard: false });
    expect(streamCadence(load(50), 1_200)).toEqual({ editIntervalMs: 1_200, holdFirstPostMs: 0, noteOnCard: true });
  });
});

describe('the first streamed edit of a draft', () => {
  it('waits past a held first post, or one edit interval after the post just made: never straight after it', () => {
    for (const load of [0, 0.3, 0.5, 0.6, 0.7, 0.9, 1, 5]) {
      const cadence = streamCadence(load, 1_200);
      const first = firstEditAfterMs(cadence);
      expect(first).toBe(cadence.holdFirstPostMs > 0 ? cadence.holdFirstPostMs : cadence.editIntervalMs);
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThanOrEqual(SLOWEST_EDIT_INTERVAL_MS);
    }
  });
});

describe("the window that folds a chapter's changes into one progress edit", () => {
  // load → window (ms), for an ordinary window of 1,500 ms
  it.each([
    [0, 1_500],
    [0.5, 1_500],
    [Number.NaN, 1_500],
    [0.7, 3_250],
    [0.9, SLOWEST_PROGRESS_WINDOW_MS],
    [1, SLOWEST_PROGRESS_WINDOW_MS],
    [Number.POSITIVE_INFINITY, SLOWEST_PROGRESS_WINDOW_MS],
  ])('at a load of %d it is %d ms', (load, windowMs) => {
    expect(progressWindowMs(load, 1_500)).toBe(windowMs);
  });

  it('never shortens a window set longer, and never waits longer than the slowest window otherwise', () => {
    for (const load of [0, 0.6, 0.8, 1, 10])
      for (const ordinary of [0, 300, 1_500, 8_000]) {
        const windowMs = progressWindowMs(load, ordinary);
        expect(windowMs).toBeGreaterThanOrEqual(ordinary);
        expect(windowMs).toBeLessThanOrEqual(Math.max(ordinary, SLOWEST_PROGRESS_WINDOW_MS));
      }
  });
});
