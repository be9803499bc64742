import { lockChapter } from '../db/chapters.js';
import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import type { PageRevision, StoryPage } from '../db/database.js';
import { findPageByNumber, getRevision, lockPage, nextRevisionVersion } from '../db/pages.js';
import { findRevisionByVersion, insertRevision } from '../db/revisions.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import { isReviewing, type DraftKind } from '../domain/page-state-machine.js';
import { takeLetter } from '../domain/takes.js';
import { applyPageEvent, type AppliedEvent } from './apply-page-event.js';
import { assertChapterOwner, chapterHere, type MemberPlace } from './member-service.js';
import type { ReviewClock } from './review-schedule.js';
import { UserError } from './user-error.js';

async function findPage(db: Executor, chapterId: number, pageNumber: number): Promise<StoryPage> {
  const page = await findPageByNumber(db, chapterId, pageNumber);
  if (!page) throw new UserError(`This chapter has no page ${pageNumber}.`);
  return page;
}

/** A version and its take ("v2 B"); take 0 is A, the only take of a version written as one draft. */
export interface VersionAndTake {
  version: number;
  take: number;
}

async function findVersion(db: Executor, page: StoryPage, kind: DraftKind, { version, take }: VersionAndTake): Promise<PageRevision> {
  const revision = await findRevisionByVersion(db, page.id, kind, version, take);
  if (revision) return revision;
  if (take > 0 && (await findRevisionByVersion(db, page.id, kind, version, 0)))
    throw new UserError(`Page ${page.number}'s ${kind} v${version} has no take ${takeLetter(take)}.`);
  const latest = await nextRevisionVersion(db, page.id, kind);
  throw new UserError(
    latest === 1
      ? `Page ${page.number} has no ${kind} yet.`
      : `Page ${page.number} has ${kind} versions 1 to ${latest - 1}; there is no v${version}.`,
  );
}

/** Two versions of one page's narration or dialogue, for `/page diff`. */
export async function getTwoVersions(
  db: Db,
  place: { guildId: string; channelId: string },
  pageNumber: number,
  kind: DraftKind,
  from: VersionAndTake,
  to: VersionAndTake,
) {
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
export async function restoreVersion(
  db: Db,
  place: MemberPlace,
  pageNumber: number,
  kind: DraftKind,
  from: number | VersionAndTake,
  clock: ReviewClock,
): Promise<RestoredVersion> {
  const { version, take } = typeof from === 'number' ? { version: from, take: 0 } : from;
  return runInTransaction(db, async (trx) => {
    const chapter = await chapterHere(trx, place);
    // Lock, then check: the chapter lock is the one member changes take, so the role read is current.
    await lockChapter(trx, chapter.id);
    await assertChapterOwner(trx, chapter.id, place, 'restore an earlier version');
    const found = await findPageByNumber(trx, chapter.id, pageNumber);
    const page = found && (await lockPage(trx, found.id));
    if (!page) throw new UserError(`This chapter has no page ${pageNumber}.`);
    const source = await findRevisionByVersion(trx, page.id, kind, version, take);
    if (!source) throw new UserError(`Page ${pageNumber} has no ${kind} v${version}${take > 0 ? ` ${takeLetter(take)}` : ''}.`);
    const current = page.current_revision_id === null ? undefined : await getRevision(trx, page.current_revision_id);
    const draftOpen = current !== undefined && current.status === 'open' && isReviewing(page.state);
    if (draftOpen && current.id === source.id) {
      throw new UserError(`${kind === 'narration' ? 'Narration' : 'Dialogue'} v${version} is already the draft up for a vote.`);
    }
    const revision = await insertRevision(trx, {
      page_id: page.id,
      kind,
      version: await nextRevisionVersion(trx, page.id, kind),
      body: source.body,
      structured: source.structured === null ? null : JSON.stringify(source.structured),
      restored_from_version: source.version,
      prompt_context: source.prompt_context === null ? null : JSON.stringify(source.prompt_context),
    });
    const supersededRevisionId = draftOpen ? current.id : null;
    const applied = await applyPageEvent(trx, {
      page,
      event: { type: 'version_restored', kind },
      actorId: place.userId,
      details: { revisionId: revision.id, restoredFromVersion: source.version, supersededRevisionId },
      newDraft: { revision, clock },
    });
    const after = afterCommit(trx);
    if (supersededRevisionId !== null) after.cancelReviewJobs(supersededRevisionId);
    after.refreshProgress(page.chapter_id);
    return { ...applied, revision, restoredFrom: source, supersededRevisionId };
  });
}
