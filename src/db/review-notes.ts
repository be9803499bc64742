import type { PageRevision } from './database.js';
import type { Executor } from './executor.js';

/** Stores the continuity reviewer's notes on a draft, once: undefined when the draft already had notes. */
export function setReviewNotes(db: Executor, revisionId: number, notes: string[]): Promise<PageRevision | undefined> {
  return db
    .updateTable('page_revisions')
    .set({ review_notes: JSON.stringify(notes) })
    .where('id', '=', revisionId)
    .where('review_notes', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
