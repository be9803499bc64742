import { Job, Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../loopback/local-redis.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { waitUntil } from '../../loopback/wait-until.js';
import { embedText, WritersRoom } from '../../loopback/writers-room.js';
import { SLOWEST_EDIT_INTERVAL_MS, streamCadence } from '../../src/domain/stream-cadence.js';
import { GENERATION_QUEUE } from '../../src/queue/jobs.js';
import { createRedisConnection } from '../../src/queue/redis.js';
import { createWorkerDeps } from '../../src/worker/deps.js';
import { processGenerateDraft } from '../../src/worker/generate-draft.js';
import { LocalRestPressure, restLoad, type RestPressure } from '../../src/worker/rest-pressure.js';

describe('stream cadence', () => {
  it('streams at the ordinary pace while the budget is easy, and slows to one edit per 3 s at most when it fills', () => {
    expect(streamCadence(0, 1_200)).toEqual({ editIntervalMs: 1_200, holdFirstPostMs: 0, noteOnCard: true });
    expect(streamCadence(0.5, 1_200)).toEqual({ editIntervalMs: 1_200, holdFirstPostMs: 0, noteOnCard: true });
    expect(streamCadence(Number.NaN, 1_200)).toEqual({ editIntervalMs: 1_200, holdFirstPostMs: 0, noteOnCard: true });
    const halfway = streamCadence(0.7, 1_200);
    expect(halfway).toEqual({ editIntervalMs: 2_100, holdFirstPostMs: 1_500, noteOnCard: false });
    for (const load of [0.9, 1, 3, Number.POSITIVE_INFINITY])
      expect(streamCadence(load, 1_200)).toEqual({ editIntervalMs: SLOWEST_EDIT_INTERVAL_MS, holdFirstPostMs: 3_000, noteOnCard: false });
    // Never slower than the readable rhythm, whatever the ordinary interval or the load.
    for (const load of [0, 0.6, 0.8, 1, 10])
      for (const ordinary of [30, 1_200, 5_000]) {
        const cadence = streamCadence(load, ordinary);
        expect(cadence.editIntervalMs).toBeLessThanOrEqual(SLOWEST_EDIT_INTERVAL_MS);
        expect(cadence.holdFirstPostMs).toBeLessThanOrEqual(SLOWEST_EDIT_INTERVAL_MS);
        expect(cadence.editIntervalMs).toBeGreaterThanOrEqual(Math.min(ordinary, SLOWEST_EDIT_INTERVAL_MS));
      }
  });

  it("counts this process's requests over a sliding window, and the whole budget while the global limit holds requests back", () => {
    let now = 10_000;
    const pressure = new LocalRestPressure(50, 2_000, () => now);
    expect(restLoad(pressure)).toBe(0);
    for (let i = 0; i < 60; i += 1) pressure.recordRequest();
    expect(pressure.requestsPerSecond()).toBe(30);
    expect(restLoad(pressure)).toBeCloseTo(0.6);
    now += 2_001;
    expect(pressure.requestsPerSecond()).toBe(0);
    pressure.recordGlobalLimit(250);
    // A wait of under a second still counts the budget as spent for a second.
    expect(restLoad(pressure)).toBe(1);
    now += 999;
    expect(restLoad(pressure)).toBe(1);
    now += 2;
    expect(restLoad(pressure)).toBe(0);
  });

  it('counts the drafts held as what they are about to send, until each one ends (once)', () => {
    const now = 10_000;
    const pressure = new LocalRestPressure(10, 2_000, () => now, 1_200);
    const ends = Array.from({ length: 12 }, () => pressure.draftHeld());
    expect(restLoad(pressure)).toBeCloseTo(1);
    for (const end of ends.slice(0, 6)) {
      end();
      end();
    }
    expect(restLoad(pressure)).toBeCloseTo(0.5);
    // What was sent counts when it is more.
    for (let i = 0; i < 40; i += 1) pressure.recordRequest();
    expect(pressure.requestsPerSecond()).toBe(20);
    for (const end of ends) end();
    expect(pressure.requestsPerSecond()).toBe(20);
  });
});

describe('a draft while the bot is busy', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  const busy: RestPressure = { budgetPerSecond: 50, requestsPerSecond: () => 50, draftHeld: () => () => undefined };

  beforeAll(async () => {
    h = await startStoryroom('restbusy', { worker: false });
    room = new WritersRoom(h);
    h.model.setResponder(() => ({ content: 'A quick answer.', chunks: ['A quick ', 'answer.'], chunkDelayMs: 20 }));
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answered within the hold, is posted once, finished, and the card edited once, with no "being written" call', async () => {
    const threadId = await room.openChapter('Busy');
    await room.startPage(threadId, h.adminId, 'Busy day').response();
    const connection = createRedisConnection(REDIS_URL, 'worker');
    const queue = new Queue(GENERATION_QUEUE, { connection, prefix: h.config.redis.prefix });
    try {
      const key = (await h.database.db.selectFrom('outbox').select('job_key').executeTakeFirstOrThrow()).job_key;
      const job: Job = await waitUntil(() => Job.fromId(queue, key), 'the job in Redis', 10_000);
      const deps = createWorkerDeps(h.config, h.database.db, pino({ level: 'silent' }), { streamEditIntervalMs: 20, restPressure: busy });
      const before = h.discord.calls.length;
      expect(await processGenerateDraft(deps, job)).toBe('recorded');
      const calls = h.discord.calls.slice(before).filter((call) => call.path.includes(threadId));
      // The draft's message is posted once (finished, unless the model took longer than the hold) and
      // the page card, posted by the bot when the page started, is edited once: to show the draft open.
      const posts = calls.filter((call) => call.method === 'POST');
      expect(posts).toHaveLength(1);
      const draft = await room.openDraft(threadId, 1, 'Narration', 1);
      expect(embedText(draft)).toContain('A quick answer.');
      const cardEdits = calls.filter((call) => call.method === 'PATCH' && !call.path.endsWith(`/messages/${draft.id}`));
      expect(cardEdits).toHaveLength(1);
      expect(JSON.stringify(cardEdits[0]?.body)).not.toContain('being written');
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('taken in a burst, counts from the moment its job is taken: the first to choose its cadence sees the others', async () => {
    const { last } = await h.database.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.max<number | null>('id').as('last'))
      .executeTakeFirstOrThrow();
    const threads: string[] = [];
    for (const title of ['Burst A', 'Burst B', 'Burst C']) {
      const threadId = await room.openChapter(title);
      await room.startPage(threadId, h.adminId, title).response();
      threads.push(threadId);
    }
    const connection = createRedisConnection(REDIS_URL, 'worker');
    const queue = new Queue(GENERATION_QUEUE, { connection, prefix: h.config.redis.prefix });
    try {
      const keys = await h.database.db
        .selectFrom('outbox')
        .select('job_key')
        .where('id', '>', last ?? 0)
        .where('job_name', '=', 'generate-draft')
        .execute();
      expect(keys).toHaveLength(3);
      const jobs = await Promise.all(keys.map(({ job_key }) => waitUntil(() => Job.fromId(queue, job_key), 'the job in Redis', 10_000)));
      // Three drafts fill a budget of 2 a second; with none of them written yet, nothing has been sent.
      const pressure = new LocalRestPressure(2, 2_000, undefined, 1_200);
      const deps = createWorkerDeps(h.config, h.database.db, pino({ level: 'silent' }), {
        streamEditIntervalMs: 1_200,
        restPressure: pressure,
      });
      const before = h.discord.calls.length;
      const drafts = jobs.map((job) => processGenerateDraft(deps, job));
      expect(restLoad(pressure)).toBeGreaterThan(1);
      expect(await Promise.all(drafts)).toEqual(['recorded', 'recorded', 'recorded']);
      expect(restLoad(pressure)).toBe(0);
      for (const threadId of threads) {
        const draft = await room.openDraft(threadId, 1, 'Narration', 1);
        const calls = h.discord.calls.slice(before).filter((call) => call.path.includes(threadId));
        const cardCalls = calls.filter((call) => call.method === 'PATCH' && !call.path.endsWith(`/messages/${draft.id}`));
        // The card is not noted "being written" on an edit of its own: the budget was seen full.
        expect(cardCalls).toHaveLength(1);
        expect(JSON.stringify(cardCalls[0]?.body)).not.toContain('being written');
      }
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
