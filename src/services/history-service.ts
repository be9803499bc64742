import type { Db } from '../db/connection.js';
import { getLatestPage, getPageByNumber, listPageVersions } from '../db/page-history.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import type { PromptReport } from '../domain/context-builder.js';
import { getChapterByThread } from '../db/chapters.js';
import { UserError } from './user-error.js';

export interface VersionHistory {
  kind: DraftKind;
  version: number;
  /** The take (0 is A) and how many its round had: "v2 B" when more than one. */
  take: number;
  takesInRound: number;
  status: string;
  body: string;
  restoredFrom: number | null;
  /** The co-writer who wrote this version by hand, if one did. */
  editedBy: string | null;
  /** A take made by editing another take: that take (0 is A). */
  editedFrom: number | null;
  reviewNotes: string[] | null;
  createdAt: Date;
  /** In a round of takes, `pick` is the take an approving vote picked (votes are kept on take A). */
  votes: { userId: string; choice: string; pick: number | null }[];
  feedback: { userId: string; body: string }[];
  prompt: PromptReport | null;
}

/** Every narration and dialogue version of a page in this thread, with its votes, feedback and prompt. */
export async function getPageHistory(db: Db, place: { guildId: string; channelId: string }, pageNumber: number | null) {
  const chapter = await getChapterByThread(db, place.guildId, place.channelId);
  if (!chapter) throw new UserError('Page history is shown inside a chapter thread.');
  const page = pageNumber === null ? await getLatestPage(db, chapter.id) : await getPageByNumber(db, chapter.id, pageNumber);
  if (!page) throw new UserError(pageNumber === null ? 'This chapter has no pages yet.' : `This chapter has no page ${pageNumber}.`);
  const versions = await loadVersions(db, page.id);
  return { page, versions };
}

/** Every version of a page, oldest first, with its votes, feedback and the prompt it was written from. */
export async function loadVersions(db: Db, pageId: number): Promise<VersionHistory[]> {
  const revisions = await listPageVersions(db, pageId);
  const versions: VersionHistory[] = revisions.map((r) => ({
    kind: r.kind,
    version: r.version,
    take: r.take,
    takesInRound: Number(r.takes_in_round ?? 1),
    status: r.status,
    body: r.body,
    restoredFrom: r.restored_from_version,
    editedBy: r.edited_by,
    editedFrom: r.edited_from_take,
    reviewNotes: r.review_notes,
    createdAt: r.created_at,
    votes: r.votes,
    feedback: r.feedback,
    prompt: (r.prompt_context as PromptReport | null) ?? null,
  }));
  return versions;
}
