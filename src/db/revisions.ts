import type { DraftKind } from '../domain/page-state-machine.js';
import type { NewPageRevision, PageRevision, RevisionStatus } from './database.js';
import type { Executor } from './executor.js';

/** The revision a generation job wrote, if it already ran once: a job that runs twice records one draft. */
export function findRevisionByGenerationKey(db: Executor, generationKey: string): Promise<PageRevision | undefined> {
  return db.selectFrom('page_revisions').selectAll().where('generation_key', '=', generationKey).executeTakeFirst();
}

export function findRevisionByVersion(db: Executor, pageId: number, kind: DraftKind, version: number): Promise<PageRevision | undefined> {
  return db.selectFrom('page_revisions').selectAll().where('page_id', '=', pageId).where('kind', '=', kind).where('version', '=', version).executeTakeFirst();
}

/** A page's versions of one kind, newest first, for autocomplete. */
export function listRevisionVersions(db: Executor, pageId: number, kind: DraftKind, limit: number): Promise<Pick<PageRevision, 'version' | 'status' | 'restored_from_version'>[]> {
  return db.selectFrom('page_revisions').select(['version', 'status', 'restored_from_version']).where('page_id', '=', pageId).where('kind', '=', kind).orderBy('version', 'desc').limit(limit).execute();
}

export function insertRevision(db: Executor, revision: NewPageRevision): Promise<PageRevision> {
  return db.insertInto('page_revisions').values(revision).returningAll().executeTakeFirstOrThrow();
}

/** Ends a draft's vote: approved, sent back or superseded. */
export function closeRevision(db: Executor, revisionId: number, status: Exclude<RevisionStatus, 'open'>): Promise<PageRevision> {
  return db.updateTable('page_revisions').set({ status, decided_at: new Date() }).where('id', '=', revisionId).returningAll().executeTakeFirstOrThrow();
}

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

export async function markRevisionReminded(db: Executor, revisionId: number): Promise<void> {
  await db.updateTable('page_revisions').set({ reminded_at: new Date() }).where('id', '=', revisionId).execute();
}
