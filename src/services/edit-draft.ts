import type { Db } from '../db/connection.js';
import type { PageRevision, StoryPage } from '../db/database.js';
import { findPageByNumber, getPageWithPlace, getRevision, lockPage, nextRevisionVersion } from '../db/pages.js';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import { findRevisionByVersion, insertRevision, listRoundTakes } from '../db/revisions.js';
import { afterCommit, runInTransaction } from '../db/unit-of-work.js';
import { canAddTake, MAX_TAKES_PER_ROUND } from '../domain/takes.js';
import { parseScriptText, renderDialogueScript, type DialogueScript } from '../domain/dialogue-script.js';
import { describePageState, isReviewing } from '../domain/page-state-machine.js';
import { cleanTypedText } from '../domain/plain-text.js';
import { applyPageEvent, type AppliedEvent } from './apply-page-event.js';
import { addTakeToRound } from './record-draft.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { isOpenForVote, staleReason } from './decide-draft.js';
import { chapterHere } from './member-service.js';
import type { ReviewClock } from './review-schedule.js';
import { UserError } from './user-error.js';

/** A modal's text input holds at most this many characters (Discord's limit). */
export const EDIT_FORM_MAX = 4_000;
/**
 * The longest edit, in characters, by where it comes from: the form holds 4,000; a file (`/page edit`,
 * for drafts longer than the form) up to 20,000, over twice the longest narration the model may write
 * (2,180 output tokens at 800 words, some 9,000 characters). Longer text is refused whole with its
 * length and the limit, never cut.
 */
export const EDIT_LIMITS = { form: EDIT_FORM_MAX, file: 20_000 } as const;
export type EditSource = keyof typeof EDIT_LIMITS;

/** A refused edit: the reason, and the text the co-writer typed, to be given back to them. */
export class EditRefused extends UserError {
  constructor(
    reason: string,
    readonly typed: string,
  ) {
    super(reason);
    this.name = 'EditRefused';
  }
}

export interface EditedDraft extends AppliedEvent {
  revision: PageRevision;
  replaced: PageRevision;
}

/**
 * Edit: a co-writer's own text for the open draft becomes the next version, with no model call and
 * no budget spent, and goes to a vote like any draft (earlier votes stay with the version they were
 * cast on). The edit names the version it was made from: if that is no longer the open draft (a
 * second editor saved first, a vote or a deadline decided it), the edit is refused and the text given back.
 */
export async function editDraft(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; revisionId: number },
  typed: string,
  clock: ReviewClock,
  from: EditSource = 'form',
): Promise<EditedDraft> {
  const text = cleanEdit(typed, from);
  return runInTransaction(db, async (trx) => {
    const placeRow = await getPageWithPlace(trx, target.pageId);
    if (!placeRow || placeRow.guild_id !== place.guildId || placeRow.thread_id !== place.channelId)
      throw new EditRefused(NOT_IN_THIS_THREAD, typed);
    const page = await lockPage(trx, target.pageId);
    const replaced = await getRevision(trx, target.revisionId);
    if (!page || !replaced || replaced.page_id !== page.id) throw new EditRefused(NOT_IN_THIS_THREAD, typed);
    await assertCoWriter(trx, page.chapter_id, place.userId).catch((error: unknown) => {
      throw error instanceof UserError ? new EditRefused(error.message, typed) : error;
    });
    const round = await openRoundOf(trx, page, replaced);
    if (!round)
      throw new EditRefused(
        `${(await staleReason(trx, replaced, page)).replace(/ Nothing was changed\.$/, '')} Your edit was not saved.`,
        typed,
      );
    const written = readEdit(replaced.kind, text, typed);
    if (written.body === replaced.body) throw new EditRefused('Your text is the same as the draft, so nothing was changed.', typed);
    const after = afterCommit(trx);
    after.refreshProgress(page.chapter_id);
    // In a round of takes the edit is one more take: the round's vote goes on.
    if (round.length > 1) return addEditedTake(trx, { page, replaced, round, written, editorId: place.userId, typed, clock });
    after.cancelReviewJobs(replaced.id);
    const revision = await insertRevision(trx, {
      page_id: page.id,
      kind: replaced.kind,
      version: await nextRevisionVersion(trx, page.id, replaced.kind),
      body: written.body,
      structured: written.script === null ? null : JSON.stringify(written.script),
      edited_by: place.userId,
    });
    const applied = await applyPageEvent(trx, {
      page,
      event: { type: 'draft_edited', kind: replaced.kind },
      actorId: place.userId,
      details: { revisionId: revision.id, editedFromVersion: replaced.version },
      newDraft: { revision, clock },
    });
    return { ...applied, revision, replaced };
  });
}

/** The open round a draft or take belongs to (its takes, A first), or null when it is not up for a vote. */
async function openRoundOf(trx: Executor, page: StoryPage, revision: PageRevision): Promise<PageRevision[] | null> {
  const lead = revision.take === 0 ? revision : await findRevisionByVersion(trx, page.id, revision.kind, revision.version, 0);
  if (!lead || !isOpenForVote(page, lead) || revision.status !== 'open') return null;
  return listRoundTakes(trx, lead);
}

/**
 * In a round of takes an edit becomes one more take of the round (its picks so far stand), counted
 * against the six a round holds; the round's vote goes on.
 */
async function addEditedTake(
  trx: Transaction<Database>,
  edit: {
    page: StoryPage;
    replaced: PageRevision;
    round: PageRevision[];
    written: { body: string; script: DialogueScript | null };
    editorId: string;
    typed: string;
    clock: ReviewClock;
  },
): Promise<EditedDraft> {
  const { page, replaced, round, written } = edit;
  if (!canAddTake(round.length + page.takes_pending)) {
    throw new EditRefused(
      `This round already has ${MAX_TAKES_PER_ROUND} takes (counting those being written), the most a round holds, so your edit was not saved. Pick a take or send the round back with Revise.`,
      edit.typed,
    );
  }
  const { revision, applied } = await addTakeToRound(trx, {
    page,
    round: replaced,
    take: round.length,
    body: written.body,
    structured: written.script,
    generationKey: null,
    editedBy: edit.editorId,
    editedFromTake: replaced.take,
    clock: edit.clock,
    details: { editedFromTake: replaced.take },
  });
  return { ...applied, revision, replaced };
}

/**
 * The edit cleaned (control and bidi characters out) and within its source's limit, checked before any
 * other work. Refused whole, never cut: a form's text is given back; a file the co-writer still has is
 * not sent back to them.
 */
export function cleanEdit(typed: string, from: EditSource): string {
  const text = cleanTypedText(typed);
  if (text.length <= EDIT_LIMITS[from]) return text;
  const count = (n: number) => n.toLocaleString('en-US');
  if (from === 'form')
    throw new EditRefused(
      `Your edit is ${count(text.length)} characters; the form holds at most ${count(EDIT_LIMITS.form)}. Nothing was saved.`,
      typed,
    );
  throw new EditRefused(
    `Your file is ${count(text.length)} characters; an edit from a file holds at most ${count(EDIT_LIMITS.file)}. Shorten it and send it again. Nothing was saved.`,
    '',
  );
}

/** Narration is kept as typed; a dialogue script is read back into panels, or refused with its line. */
export function readEdit(kind: PageRevision['kind'], text: string, typed: string): { body: string; script: DialogueScript | null } {
  if (text === '') throw new EditRefused('The draft cannot be empty.', typed);
  if (kind === 'narration') return { body: text, script: null };
  const parsed = parseScriptText(text);
  if (!parsed.ok) throw new EditRefused(`Line ${parsed.line} of your script: ${parsed.problem}. Nothing was saved.`, typed);
  return { body: renderDialogueScript(parsed.script), script: parsed.script };
}

/** The open draft a co-writer wants to edit, checked before the form opens. */
export async function draftToEdit(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; revisionId: number },
): Promise<{ page: StoryPage; revision: PageRevision }> {
  const page = await getPageWithPlace(db, target.pageId);
  const revision = await getRevision(db, target.revisionId);
  if (!page || !revision || revision.page_id !== page.id || page.guild_id !== place.guildId || page.thread_id !== place.channelId)
    throw new UserError(NOT_IN_THIS_THREAD);
  await assertCoWriter(db, page.chapter_id, place.userId);
  if (!(await openRoundOf(db, page, revision))) throw new UserError(await staleReason(db, revision, page));
  return { page, revision };
}

/** The draft up for a vote on a page of this thread's chapter, for `/page edit`. */
export async function openDraftOfPage(
  db: Db,
  place: InteractionPlace,
  pageNumber: number,
): Promise<{ pageId: number; revisionId: number }> {
  const chapter = await chapterHere(db, place);
  const page = await findPageByNumber(db, chapter.id, pageNumber);
  if (!page) throw new UserError(`This chapter has no page ${pageNumber}.`);
  if (page.current_revision_id === null || !isReviewing(page.state))
    throw new UserError(`Page ${pageNumber} has no draft up for a vote (${describePageState(page)}).`);
  return { pageId: page.id, revisionId: page.current_revision_id };
}
