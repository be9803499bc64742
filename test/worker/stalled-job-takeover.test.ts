import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

// Finding 16: a job whose worker died is taken over once its lock has expired and a stalled check has
// run, so the longest wait is the lock plus the check interval. A live worker renews its lock every half
// lock, so a long draft keeps it whatever its length.
describe('a crashed worker’s draft runs again soon', () => {
  let h: StoryroomHarness;

  beforeAll(async () => {
    // The defaults, not the harness's short lock: WORKER_LOCK_MS unset.
    h = await startStoryroom('stalledtakeover');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('with the default WORKER_LOCK_MS a dead worker’s job is taken over within 45 s, and a live one renews its lock', () => {
    const options = h.worker?.worker.opts;
    expect(options).toBeDefined();
    const lockDuration = options?.lockDuration ?? 0;
    const stalledInterval = options?.stalledInterval ?? 0;
    expect(lockDuration + stalledInterval).toBeLessThanOrEqual(45_000);
    // Renewed well before it runs out (BullMQ's default is half the lock).
    expect(options?.lockRenewTime ?? lockDuration / 2).toBeLessThan(lockDuration);
    expect(lockDuration).toBeGreaterThanOrEqual(10_000);
    expect(h.config.worker.lockMs).toBe(lockDuration);
  });
});
