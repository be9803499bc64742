import type { Db } from '../db/connection.js';
import type { MemberRole } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import {
  clearMemberRemoval,
  countChapterOwners,
  deleteChapterMember,
  getChapterByThread,
  getMemberRole,
  listChapterMembers,
  lockChapter,
  recordMemberRemoval,
  upsertChapterMember,
} from '../db/chapters.js';
import { listChapterPages } from '../db/pages.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import { isReviewing } from '../domain/page-state-machine.js';
import { isCoWriterRole } from './co-writers.js';
import { UserError } from './user-error.js';

/** Who acts, where, and whether Discord says they manage the server (they count as owners everywhere). */
export interface MemberPlace {
  guildId: string;
  channelId: string;
  userId: string;
  isAdmin: boolean;
}

export const ROLE_RIGHTS: Record<MemberRole, string> = {
  owner: 'settings, restore versions, manage members, and everything a writer does',
  writer: 'start pages, vote, send drafts back with feedback',
  viewer: 'read along; no votes',
};

export async function effectiveRole(db: Executor, chapterId: number, place: MemberPlace): Promise<MemberRole | null> {
  if (place.isAdmin) return 'owner';
  return getMemberRole(db, chapterId, place.userId);
}

/** Owners of the chapter (who opened it, or who an owner made one) and server managers. */
export async function assertChapterOwner(db: Executor, chapterId: number, place: MemberPlace, what: string): Promise<void> {
  if ((await effectiveRole(db, chapterId, place)) !== 'owner') {
    throw new UserError(`Only the chapter's owners (or members with Manage Server) can ${what}.`);
  }
}

export async function chapterHere(db: Executor, place: { guildId: string; channelId: string }) {
  const chapter = await getChapterByThread(db, place.guildId, place.channelId);
  if (!chapter) throw new UserError('Run this inside a chapter thread.');
  return chapter;
}

export interface ChapterMemberView {
  userId: string;
  role: MemberRole;
  joinedAt: Date;
}

export async function listMembers(db: Db, place: { guildId: string; channelId: string }) {
  const chapter = await chapterHere(db, place);
  const members = (await listChapterMembers(db, chapter.id)).map((m): ChapterMemberView => ({
    userId: m.user_id,
    role: m.role,
    joinedAt: m.joined_at,
  }));
  return { chapter, members };
}

/**
 * An owner gives someone a role in this chapter (adding them if they were not in it) or removes them.
 * The last owner cannot step down or be removed, so a chapter always has someone who can manage it.
 * A removal lasts until an owner gives them a role again: Join does not let them back in.
 */
export async function setMemberRole(
  db: Db,
  place: MemberPlace,
  target: { userId: string; isBot: boolean },
  role: MemberRole | 'remove',
): Promise<{ chapterTitle: string; previous: MemberRole | null; role: MemberRole | 'remove' }> {
  if (target.isBot) throw new UserError('Bots cannot be co-writers.');
  return runInTransaction(db, async (trx) => {
    const chapter = await chapterHere(trx, place);
    // Lock, then check: serialises member changes, so two owners demoting each other cannot leave the
    // chapter with none, and an owner demoted while this waited is seen as demoted.
    await lockChapter(trx, chapter.id);
    await assertChapterOwner(trx, chapter.id, place, 'change who is in the chapter');
    const previous = await getMemberRole(trx, chapter.id, target.userId);
    if (role === 'remove' && previous === null) throw new UserError(`<@${target.userId}> is not in this chapter.`);
    if (previous === 'owner' && role !== 'owner') {
      if ((await countChapterOwners(trx, chapter.id)) <= 1)
        throw new UserError('A chapter keeps at least one owner: make someone else an owner first.');
    }
    if (role === 'remove') {
      await deleteChapterMember(trx, chapter.id, target.userId);
      await recordMemberRemoval(trx, { chapterId: chapter.id, userId: target.userId, removedBy: place.userId });
    } else {
      await upsertChapterMember(trx, { chapter_id: chapter.id, user_id: target.userId, role });
      await clearMemberRemoval(trx, chapter.id, target.userId);
    }
    const after = afterCommit(trx);
    after.refreshProgress(chapter.id);
    // Whose votes count changed: the open drafts' tallies are redrawn (coalesced, after the commit).
    if (isCoWriterRole(previous) !== isCoWriterRole(role))
      for (const draft of await listOpenDraftsOfChapter(trx, chapter.id)) after.refreshRound(draft.pageId, draft.revisionId);
    return { chapterTitle: chapter.title, previous, role };
  });
}

/** The drafts up for a vote in a chapter (a round by its take A): whose tallies a change of who counts redraws. */
export async function listOpenDraftsOfChapter(db: Executor, chapterId: number): Promise<{ pageId: number; revisionId: number }[]> {
  const pages = await listChapterPages(db, chapterId);
  return pages.flatMap((page) =>
    isReviewing(page.state) && page.current_revision_id !== null ? [{ pageId: page.id, revisionId: page.current_revision_id }] : [],
  );
}
