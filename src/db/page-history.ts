import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DraftKind } from '../domain/page-state-machine.js';
import type { StoryPage } from './database.js';
import type { Executor } from './executor.js';

// Read model: a page's versions and what was said about them.

/** The page's newest draft of this kind. */
export function getLatestRevision(db: Executor, pageId: number, kind: DraftKind) {
  return (
    db
      .selectFrom('page_revisions')
      .select(['id', 'version', 'body', 'status'])
      .where('page_id', '=', pageId)
      .where('kind', '=', kind)
      // A round's votes and feedback are on its take A.
      .where('take', '=', 0)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst()
  );
}

/**
 * The feedback a new version answers: each co-writer's latest on the draft, in the order given. A
 * co-writer who submits Revise again replaces their feedback for the prompt; every submission stays in
 * the page's history.
 */
export async function listLatestFeedbackBodies(db: Executor, revisionId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('user_feedback')
    .distinctOn('user_id')
    .select(['id', 'body'])
    .where('revision_id', '=', revisionId)
    .orderBy('user_id')
    .orderBy('id', 'desc')
    .execute();
  return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((row) => row.body);
}

export function getPageByNumber(db: Executor, chapterId: number, pageNumber: number): Promise<StoryPage | undefined> {
  return db.selectFrom('story_pages').selectAll().where('chapter_id', '=', chapterId).where('number', '=', pageNumber).executeTakeFirst();
}

/** The chapter's newest page. */
export function getLatestPage(db: Executor, chapterId: number): Promise<StoryPage | undefined> {
  return db.selectFrom('story_pages').selectAll().where('chapter_id', '=', chapterId).orderBy('number', 'desc').limit(1).executeTakeFirst();
}

/** Every version of a page in the order written, each with its votes and feedback. */
export function listPageVersions(db: Executor, pageId: number) {
  return db
    .selectFrom('page_revisions as r')
    .select((eb) => [
      'r.kind',
      'r.version',
      'r.take',
      eb
        .selectFrom('page_revisions as t')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('t.page_id', '=', 'r.page_id')
        .whereRef('t.kind', '=', 'r.kind')
        .whereRef('t.version', '=', 'r.version')
        .as('takes_in_round'),
      'r.status',
      'r.body',
      'r.created_at',
      'r.prompt_context',
      'r.restored_from_version',
      'r.edited_by',
      'r.edited_from_take',
      'r.review_notes',
      jsonArrayFrom(
        eb
          .selectFrom('votes as v')
          .select(['v.user_id as userId', 'v.choice', 'v.pick'])
          .whereRef('v.revision_id', '=', 'r.id')
          .orderBy('v.created_at'),
      ).as('votes'),
      jsonArrayFrom(
        eb
          .selectFrom('user_feedback as f')
          .select(['f.user_id as userId', 'f.body'])
          .whereRef('f.revision_id', '=', 'r.id')
          .orderBy('f.id'),
      ).as('feedback'),
    ])
    .where('r.page_id', '=', pageId)
    .orderBy('r.created_at')
    .orderBy('r.id')
    .execute();
}
