import { sql } from 'kysely';
import type { Executor } from './executor.js';

// What the sweeper looks for: work that Postgres says is due but that may have been lost in Redis.

/**
 * Takes a transaction-scoped advisory lock if no one holds it: one sweeper at a time across every
 * worker process, released when the transaction ends.
 */
export async function tryAdvisoryTransactionLock(trx: Executor, key: number): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${key}) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

/** Pages that have been generating since before `startedBefore`: their job may be gone. */
export function listPagesGeneratingSince(db: Executor, startedBefore: Date) {
  return db
    .selectFrom('story_pages')
    .select(['id', 'state', 'stage', 'version'])
    .where('state', 'in', ['generating_narration', 'generating_dialogue'])
    .where('generation_started_at', '<', startedBefore)
    .execute();
}

/** Renders not yet ended: submitted to ComfyUI before `before`, or queued (never sent) since before it. Their job may be gone or dead. */
export function listRendersUnfinishedBefore(db: Executor, before: Date) {
  return db
    .selectFrom('panel_renders')
    .select(['id', 'page_id', 'status'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'submitted'), eb('submitted_at', '<', before)]),
        eb.and([eb('status', '=', 'queued'), eb('created_at', '<', before)]),
      ]),
    )
    .orderBy('id')
    .execute();
}

/** Open drafts of stories that schedule reminders or deadlines, with what their schedule needs. */
export function listOpenDraftsWithReviewSchedule(db: Executor) {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as r', 'r.id', 'p.current_revision_id')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select(['p.id as pageId', 'r.id as revisionId', 'r.created_at', 'r.reminded_at', 's.reminder_minutes', 's.deadline_minutes'])
    .where('p.state', 'in', ['user_reviewing_narration', 'user_reviewing_dialogue'])
    .where('r.status', '=', 'open')
    .where((eb) => eb.or([eb('s.deadline_minutes', 'is not', null), eb('s.reminder_minutes', 'is not', null)]))
    .execute();
}

/** Open drafts (every take of an open round) in open chapters, older than `createdBefore`, that have no message to vote on. */
export function listOpenDraftsWithoutMessage(db: Executor, createdBefore: Date) {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('page_revisions as r', 'r.id', 'p.current_revision_id')
    .innerJoin('page_revisions as t', (join) =>
      join.onRef('t.page_id', '=', 'r.page_id').onRef('t.kind', '=', 'r.kind').onRef('t.version', '=', 'r.version'),
    )
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .select(['p.id as pageId', 't.id as revisionId'])
    .where('p.state', 'in', ['user_reviewing_narration', 'user_reviewing_dialogue'])
    .where('r.status', '=', 'open')
    .where('t.status', '=', 'open')
    .where('c.status', '=', 'open')
    .where('t.created_at', '<', createdBefore)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('discord_messages as m').select('m.id').whereRef('m.revision_id', '=', 't.id').where('m.purpose', '=', 'draft'),
        ),
      ),
    )
    .execute();
}
