import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToOutbox } from '../src/db/outbox.js';
import {
  afterCommit,
  runInTransaction,
  setCommitFollowUps,
  type CommitFollowUps,
  type InTransactionFinisher,
} from '../src/db/unit-of-work.js';
import type { OutboxJob } from '../src/domain/jobs.js';
import { createTestDatabase, type TestDatabase } from '../loopback/local-database.js';

/** What the process was handed, in order. */
function recorder(): CommitFollowUps & { seen: string[]; jobs: OutboxJob[] } {
  const seen: string[] = [];
  const jobs: OutboxJob[] = [];
  return {
    seen,
    jobs,
    relay: (written) => {
      jobs.push(...written);
      seen.push(`relay ${written.map((job) => job.key).join(' ')}`);
    },
    refreshProgress: (chapterId) => seen.push(`progress c${chapterId}`),
    refreshRound: (pageId, leadRevisionId) => seen.push(`round p${pageId} r${leadRevisionId}`),
    refreshPanels: (pageId) => seen.push(`panels p${pageId}`),
    cancelReviewJobs: (revisionId) => seen.push(`cancel r${revisionId}`),
  };
}

describe('a unit of work', () => {
  let database: TestDatabase;
  const followUps = recorder();

  beforeAll(async () => {
    database = await createTestDatabase('uow');
    setCommitFollowUps(database.db, followUps);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('hands the outbox jobs written inside it and the redraws it asked for to the process only after COMMIT', async () => {
    followUps.seen.length = 0;
    const committedBeforeFollowUps = await runInTransaction(database.db, async (trx) => {
      await addToOutbox(trx, 'summarise-chapter', { chapterId: 7, approvedPage: 1 });
      afterCommit(trx).refreshProgress(7);
      afterCommit(trx).cancelReviewJobs(11);
      await addToOutbox(trx, 'announce-page', { pageId: 3, pageVersion: 2 });
      // Inside the transaction nothing has been handed on yet.
      expect(followUps.seen).toEqual([]);
      return 'done';
    });
    expect(committedBeforeFollowUps).toBe('done');
    expect(followUps.seen).toEqual(['relay summarise-chapter-c7-p1 announce-page-p3-v2', 'progress c7', 'cancel r11']);
    const rows = await database.db
      .selectFrom('outbox')
      .select('job_key')
      .where('job_key', 'in', ['summarise-chapter-c7-p1', 'announce-page-p3-v2'])
      .execute();
    expect(rows).toHaveLength(2);
  });

  it('hands nothing on when it rolls back, and its outbox rows are gone with it', async () => {
    followUps.seen.length = 0;
    await expect(
      runInTransaction(database.db, async (trx) => {
        await addToOutbox(trx, 'summarise-chapter', { chapterId: 8, approvedPage: 1 });
        afterCommit(trx).refreshProgress(8);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(followUps.seen).toEqual([]);
    expect(await database.db.selectFrom('outbox').select('id').where('job_key', '=', 'summarise-chapter-c8-p1').execute()).toEqual([]);
  });

  it('runs its in-transaction finishers after the work and before COMMIT, so they commit or roll back with it', async () => {
    followUps.seen.length = 0;
    const finisher: InTransactionFinisher = async (trx) => {
      await addToOutbox(trx, 'summarise-chapter', { chapterId: 9, approvedPage: 1 });
    };
    await runInTransaction(database.db, async (trx) => addToOutbox(trx, 'announce-page', { pageId: 9, pageVersion: 1 }), {
      finishers: [finisher],
    });
    expect(followUps.seen).toEqual(['relay announce-page-p9-v1 summarise-chapter-c9-p1']);
    await expect(
      runInTransaction(database.db, (trx) => addToOutbox(trx, 'announce-page', { pageId: 10, pageVersion: 1 }), {
        finishers: [
          async (trx) => {
            await addToOutbox(trx, 'summarise-chapter', { chapterId: 10, approvedPage: 1 });
            throw new Error('finisher failed');
          },
        ],
      }),
    ).rejects.toThrow('finisher failed');
    expect(
      await database.db
        .selectFrom('outbox')
        .select('id')
        .where('job_key', 'in', ['announce-page-p10-v1', 'summarise-chapter-c10-p1'])
        .execute(),
    ).toEqual([]);
    expect(followUps.seen).toEqual(['relay announce-page-p9-v1 summarise-chapter-c9-p1']);
  });

  it('a follow-up asked for on the database itself (a single statement, already committed) goes at once', () => {
    followUps.seen.length = 0;
    afterCommit(database.db).refreshRound(4, 5);
    expect(followUps.seen).toEqual(['round p4 r5']);
  });
});
