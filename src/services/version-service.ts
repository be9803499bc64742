import type { Db } from '../db/connection.js';
import type { PageRevision, StoryPage } from '../db/database.js';
import { lockPage, nextRevisionVersion } from '../db/pages.js';
import { isReviewing, type DraftKind } from '../domain/page-state-machine.js';
import { applyPageEvent, type AppliedEvent } from './apply-page-event.js';
import { assertChapterOwner, chapterHere, type MemberPlace } from './member-service.js';
import { scheduleDraftFollowUps, type ReviewClock } from './review-schedule.js';
import { UserError } from './user-error.js';

async function findPage(db: Db, chapterId: number, pageNumber: number): Promise<StoryPage> {
  const page = await db.selectFrom('story_pages').selectAll().where('chapter_id', '=', chapterId).where('number', '=', pageNumber).executeTakeFirst();
  if (!page) throw new UserError(`This chapter has no page ${pageNumber}.`);
  return page;
}

async function findVersion(db: Db, page: StoryPage, kind: DraftKind, version: number): Promise<PageRevision> {
  const revision = await db.selectFrom('page_revisions').selectAll().where('page_id', '=', page.id).where('kind', '=', kind).where('version', '=', version).executeTakeFirst();
  if (revision) return revision;
  const latest = await nextRevisionVersion(db, page.id, kind);
  throw new UserError(
    latest === 1 ? `Page ${page.number} has no ${kind} yet.` : `Page ${page.number} has ${kind} versions 1 to ${latest - 1}; there is no v${version}.`,
  );
}

/** Two versions of one page's narration or dialogue, for `/page diff`. */
export async function getTwoVersions(db: Db, place: { guildId: string; channelId: string }, pageNumber: number, kind: DraftKind, from: number, to: number) {
  const chapter = await chapterHere(db, place);
  const page = await findPage(db, chapter.id, pageNumber);
  return { page, from: await findVersion(db, page, kind, from), to: await findVersion(db, page, kind, to) };
}

export interface RestoredVersion extends AppliedEvent {
  revision: PageRevision;
  restoredFrom: PageRevision;
  supersededRevisionId: number | null;
}

/**
 * `/page restore`: an earlier version's text becomes the current draft again, as a new version that
 * says where it came from, and goes back to a vote. Nothing is deleted: the draft it replaces is
 * marked superseded, and the transition log records the restore.
 */
export async function restoreVersion(db: Db, place: MemberPlace, pageNumber: number, kind: DraftKind, version: number, clock: ReviewClock): Promise<RestoredVersion> {
  return db.transaction().execute(async (trx) => {
    const chapter = await chapterHere(trx, place);
    await assertChapterOwner(trx, chapter.id, place, 'restore an earlier version');
    const found = await trx.selectFrom('story_pages').select('id').where('chapter_id', '=', chapter.id).where('number', '=', pageNumber).executeTakeFirst();
    if (!found) throw new UserError(`This chapter has no page ${pageNumber}.`);
    const page = await lockPage(trx, found.id);
    if (!page) throw new UserError(`This chapter has no page ${pageNumber}.`);
    const source = await trx.selectFrom('page_revisions').selectAll().where('page_id', '=', page.id).where('kind', '=', kind).where('version', '=', version).executeTakeFirst();
    if (!source) throw new UserError(`Page ${pageNumber} has no ${kind} v${version}.`);
    const current = page.current_revision_id === null ? undefined : await trx.selectFrom('page_revisions').selectAll().where('id', '=', page.current_revision_id).executeTakeFirst();
    if (current && current.id === source.id && current.status === 'open' && isReviewing(page.state)) {
      throw new UserError(`${kind === 'narration' ? 'Narration' : 'Dialogue'} v${version} is already the draft up for a vote.`);
    }
    const revision = await trx
      .insertInto('page_revisions')
      .values({
        page_id: page.id,
        kind,
        version: await nextRevisionVersion(trx, page.id, kind),
        body: source.body,
        structured: source.structured === null ? null : JSON.stringify(source.structured),
        restored_from_version: source.version,
        prompt_context: source.prompt_context === null ? null : JSON.stringify(source.prompt_context),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    let supersededRevisionId: number | null = null;
    if (current && current.status === 'open' && isReviewing(page.state)) {
      await trx.updateTable('page_revisions').set({ status: 'superseded', decided_at: new Date() }).where('id', '=', current.id).execute();
      supersededRevisionId = current.id;
    }
    // Going back to the narration re-opens the whole page: its approved dialogue no longer follows from it.
    await trx
      .updateTable('story_pages')
      .set(kind === 'narration' ? { current_revision_id: revision.id, approved_narration_id: null, approved_dialogue_id: null } : { current_revision_id: revision.id, approved_dialogue_id: null })
      .where('id', '=', page.id)
      .execute();
    const applied = await applyPageEvent(trx, { ...page, current_revision_id: revision.id }, { type: 'version_restored', kind }, place.userId, {
      revisionId: revision.id,
      restoredFromVersion: source.version,
      supersededRevisionId,
    });
    const followUps = await scheduleDraftFollowUps(trx, page, revision, clock);
    return { ...applied, queued: [...applied.queued, ...followUps], revision, restoredFrom: source, supersededRevisionId };
  });
}
