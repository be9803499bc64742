import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { addToOutbox } from '../db/outbox.js';

export interface ReviewClock {
  /** How long a "minute" of the story's reminder and deadline settings lasts: 60 000 ms except in tests and demos. */
  minuteMs: number;
  /** Run the continuity reviewer on narration drafts. */
  continuityReview: boolean;
}

/**
 * What follows a draft put up for a vote, written to the outbox in the same transaction: the
 * continuity review, the reminder and the deadline. Kept in Postgres and relayed as delayed jobs,
 * so they survive restarts of every process; each checks when it runs that the draft is still open.
 */
export async function scheduleDraftFollowUps(
  trx: Transaction<Database>,
  page: { id: number; chapter_id: number },
  revision: { id: number; kind: 'narration' | 'dialogue' },
  clock: ReviewClock,
): Promise<string[]> {
  const story = await trx
    .selectFrom('chapters as c')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select(['s.reminder_minutes', 's.deadline_minutes'])
    .where('c.id', '=', page.chapter_id)
    .executeTakeFirstOrThrow();
  const queued: string[] = [];
  const job = { pageId: page.id, revisionId: revision.id };
  if (revision.kind === 'narration' && clock.continuityReview) queued.push(await addToOutbox(trx, 'review-draft', job));
  const at = (minutes: number) => new Date(Date.now() + minutes * clock.minuteMs);
  // A reminder after the deadline would never be seen: only remind when it comes first.
  if (story.reminder_minutes !== null && (story.deadline_minutes === null || story.reminder_minutes < story.deadline_minutes)) {
    queued.push(await addToOutbox(trx, 'review-reminder', job, { runAt: at(story.reminder_minutes) }));
  }
  if (story.deadline_minutes !== null) queued.push(await addToOutbox(trx, 'review-deadline', job, { runAt: at(story.deadline_minutes) }));
  return queued;
}
