import type { Executor } from '../db/executor.js';
import { getReviewRules } from '../db/stories.js';
import { describeJob, type OutboxJob } from '../domain/jobs.js';

export interface ReviewClock {
  /** How long a "minute" of the story's reminder and deadline settings lasts: 60 000 ms except in tests and demos. */
  minuteMs: number;
  /** Run the continuity reviewer on narration drafts. */
  continuityReview: boolean;
}

/**
 * The continuity review of a narration draft or take the model wrote. A draft or take a co-writer
 * wrote by hand is not reviewed: an edit makes no model call and spends no budget.
 */
export function reviewJobs(
  page: { id: number },
  revision: { id: number; kind: 'narration' | 'dialogue'; edited_by: string | null },
  clock: Pick<ReviewClock, 'continuityReview'>,
): OutboxJob[] {
  if (revision.kind !== 'narration' || !clock.continuityReview || revision.edited_by !== null) return [];
  return [describeJob('review-draft', { pageId: page.id, revisionId: revision.id })];
}

/**
 * What follows a draft put up for a vote: the continuity review, the reminder and the deadline, for
 * the caller to write to the outbox in its transaction. Kept in Postgres and relayed as delayed
 * jobs, they survive restarts of every process; each checks when it runs that the draft is still open.
 */
export async function draftFollowUps(
  db: Executor,
  page: { id: number; chapter_id: number },
  revision: { id: number; kind: 'narration' | 'dialogue'; edited_by: string | null },
  clock: ReviewClock,
): Promise<OutboxJob[]> {
  const rules = await getReviewRules(db, page.chapter_id);
  const jobs: OutboxJob[] = reviewJobs(page, revision, clock);
  const job = { pageId: page.id, revisionId: revision.id };
  const at = (minutes: number) => new Date(Date.now() + minutes * clock.minuteMs);
  // A reminder after the deadline would never be seen: only remind when it comes first.
  if (rules.reminder_minutes !== null && (rules.deadline_minutes === null || rules.reminder_minutes < rules.deadline_minutes)) {
    jobs.push(describeJob('review-reminder', job, { runAt: at(rules.reminder_minutes) }));
  }
  if (rules.deadline_minutes !== null) jobs.push(describeJob('review-deadline', job, { runAt: at(rules.deadline_minutes) }));
  return jobs;
}
