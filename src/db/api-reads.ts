import type { Selectable } from 'kysely';
import type { PageStatusSummaryView } from './database.js';
import type { Executor } from './executor.js';

// Read model for the HTTP API: rows already in the shape its JSON answers use.

/** Every chapter with its counts, by story and number; only one guild's when `guildId` is given. */
export function listChaptersForApi(db: Executor, guildId: string | null) {
  let query = db
    .selectFrom('chapter_progress as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'p.story_id')
    .select([
      'p.chapter_id as id',
      'p.story_id as storyId',
      's.title as storyTitle',
      's.guild_id as guildId',
      'c.thread_id as threadId',
      'p.number',
      'p.title',
      'p.status',
      'p.pages',
      'p.approved_pages as approvedPages',
      'p.pages_in_review as pagesInReview',
      'p.pages_generating as pagesGenerating',
      'p.pages_failed as pagesFailed',
      'p.co_writers as coWriters',
    ])
    .orderBy('p.story_id')
    .orderBy('p.number');
  if (guildId) query = query.where('s.guild_id', '=', guildId);
  return query.execute();
}

export function listPageStatusesForApi(db: Executor, chapterId: number) {
  return db
    .selectFrom('page_status_summary')
    .select([
      'page_id as id',
      'number',
      'state',
      'stage',
      'version',
      'current_kind as currentKind',
      'current_version as currentVersion',
      'narration_versions as narrationVersions',
      'dialogue_versions as dialogueVersions',
      'approvals',
      'revise_votes as reviseVotes',
      'updated_at as updatedAt',
    ])
    .where('chapter_id', '=', chapterId)
    .orderBy('number')
    .execute();
}

export function getPageStatusSummary(db: Executor, pageId: number): Promise<Selectable<PageStatusSummaryView> | undefined> {
  return db.selectFrom('page_status_summary').selectAll().where('page_id', '=', pageId).executeTakeFirst();
}
