import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { REDIS_URL } from '../../loopback/local-redis.js';
import { GENERATION_QUEUE } from '../../src/queue/jobs.js';
import { createRedisConnection, deleteQueueKeys } from '../../src/queue/redis.js';
import { sweepLostWork } from '../../src/queue/sweeper.js';

const DAY = 86_400_000;

describe('retention', () => {
  let database: TestDatabase;
  let queue: Queue;
  let connection: ReturnType<typeof createRedisConnection>;
  const prefix = `test-retention-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase('retention');
    connection = createRedisConnection(REDIS_URL, 'producer');
    queue = new Queue(GENERATION_QUEUE, { connection, prefix });
  });
  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
  });

  it('the sweeper prunes interaction receipts and finished outbox rows past the retention period, and nothing else', async () => {
    const db = database.db;
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    await db
      .insertInto('interaction_receipts')
      .values([
        { interaction_id: 'old-1', received_at: ago(10) },
        { interaction_id: 'old-2', received_at: ago(8) },
        { interaction_id: 'recent', received_at: ago(1) },
      ])
      .execute();
    const row = (key: string, relayedDaysAgo: number | null, runAt: Date | null = null) => ({
      job_name: 'post-draft',
      job_key: key,
      payload: JSON.stringify({ pageId: 1, revisionId: 1 }),
      created_at: ago(30),
      relayed_at: relayedDaysAgo === null ? null : ago(relayedDaysAgo),
      completed_at: relayedDaysAgo === null ? null : ago(relayedDaysAgo),
      run_at: runAt,
    });
    await db
      .insertInto('outbox')
      .values([
        row('finished-long-ago', 9),
        row('finished-recently', 1),
        row('never-relayed', null),
        // A delayed job still due in the future (a long review deadline) is kept until it is past retention too.
        row('due-later', 9, new Date(Date.now() + DAY)),
      ])
      .execute();

    await sweepLostWork(db, queue, pino({ level: 'silent' }), {
      stuckPageMs: 120_000,
      minuteMs: 60_000,
      graceMs: 30_000,
      retentionMs: 7 * DAY,
    });

    const receipts = await db.selectFrom('interaction_receipts').select('interaction_id').orderBy('interaction_id').execute();
    expect(receipts.map((r) => r.interaction_id)).toEqual(['recent']);
    const outbox = await db.selectFrom('outbox').select('job_key').orderBy('job_key').execute();
    expect(outbox.map((r) => r.job_key)).toEqual(['due-later', 'finished-recently', 'never-relayed']);
  });
});
