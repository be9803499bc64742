import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATION_QUEUE } from '../src/queue/jobs.js';
import { OutboxRelay } from '../src/queue/outbox-relay.js';
import { createRedisConnection, deleteQueueKeys } from '../src/queue/redis.js';
import { startPage } from '../src/services/start-page.js';
import { REDIS_URL } from '../loopback/local-redis.js';
import { createTestDatabase, type TestDatabase } from '../loopback/local-database.js';
import { seedChapter, seedStory } from '../loopback/seed.js';

const GUILD = '300000000000000001';
const THREAD = '300000000000000002';
const WRITER = '300000000000000003';

describe('the outbox relay', () => {
  let database: TestDatabase;
  const prefix = `test-outbox-${randomBytes(3).toString('hex')}`;
  const connection = createRedisConnection(REDIS_URL, 'worker');
  const queue = new Queue(GENERATION_QUEUE, { connection, prefix });
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    database = await createTestDatabase('outbox');
    const storyId = await seedStory(database.db, { guildId: GUILD, channelId: '300000000000000009', title: 'Relay', createdBy: WRITER });
    await seedChapter(database.db, {
      storyId,
      number: 1,
      title: 'One',
      threadId: THREAD,
      createdBy: WRITER,
      members: [{ userId: WRITER, role: 'owner' }],
    });
  });
  afterAll(async () => {
    await queue.close();
    connection.disconnect();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database.drop();
  });

  it('a commit whose enqueue never happened (Redis down, or a crash) is queued exactly once later', async () => {
    // The transition commits its outbox row; the process "dies" before relaying (no relay runs).
    const { page } = await startPage(database.db, { guildId: GUILD, channelId: THREAD, userId: WRITER }, 'The Mark glows', {
      pageStartCooldownMs: 0,
      maxGenerationsPerGuild: 3,
      prices: {},
    });
    const pending = await database.db.selectFrom('outbox').selectAll().where('relayed_at', 'is', null).execute();
    expect(pending).toHaveLength(1);

    // Redis unreachable: the relay keeps the row pending and says why.
    const deadConnection = createRedisConnection('redis://127.0.0.1:1', 'producer');
    deadConnection.on('error', () => undefined);
    const deadQueue = new Queue(GENERATION_QUEUE, { connection: deadConnection, prefix });
    deadQueue.on('error', () => undefined);
    const downRelay = new OutboxRelay(database.db, deadQueue, logger, { generationAttempts: 3, enqueueTimeoutMs: 500 });
    expect(await downRelay.relayPending()).toBe(0);
    deadConnection.disconnect();
    const stillPending = await database.db.selectFrom('outbox').selectAll().where('relayed_at', 'is', null).execute();
    expect(stillPending).toHaveLength(1);
    expect(stillPending[0]?.relay_attempts).toBe(1);

    // After restart: two relays race (bot and worker), and one of them runs again for good measure.
    const relays = [0, 1].map(() => new OutboxRelay(database.db, queue, logger, { generationAttempts: 3 }));
    const relayed = await Promise.all(relays.map((relay) => relay.relayPending()));
    expect(relayed.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await relays[0]?.relayPending()).toBe(0);

    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(jobs.map((job) => job.id)).toEqual([`generate-draft-p${page.id}-narration-v${page.version}`]);
    expect(jobs[0]?.data).toEqual({ pageId: page.id, kind: 'narration', pageVersion: page.version });
  });

  it('an outbox row relayed a second time (its mark lost) queues no second job', async () => {
    await database.db.updateTable('outbox').set({ relayed_at: null }).execute();
    const relay = new OutboxRelay(database.db, queue, logger, { generationAttempts: 3 });
    expect(await relay.relayPending()).toBe(1);
    expect(await queue.getJobCounts('waiting', 'delayed', 'prioritized')).toMatchObject({ waiting: 1 });
  });
});
