import type { DraftKind } from '../domain/page-state-machine.js';
import type { Executor } from './executor.js';

// Read model: a page's versions and what was said about them.

/** The page's newest draft of this kind. */
export function getLatestRevision(db: Executor, pageId: number, kind: DraftKind) {
  return db
    .selectFrom('page_revisions')
    .select(['id', 'version', 'body', 'status'])
    .where('page_id', '=', pageId)
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The feedback given on a draft, in the order it was given. */
export async function listFeedbackBodies(db: Executor, revisionId: number): Promise<string[]> {
  const rows = await db.selectFrom('user_feedback').select('body').where('revision_id', '=', revisionId).orderBy('id').execute();
  return rows.map((row) => row.body);
}
