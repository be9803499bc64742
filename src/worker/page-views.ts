import { countCoWriters, markChapterNeedsAttention } from '../db/chapters.js';
import type { PageRevision, StoryPage } from '../db/database.js';
import { getPage } from '../db/pages.js';
import { findLastDecidedRevision, listRoundTakes } from '../db/revisions.js';
import { countedVotesAndCoWriters, listCountedRoundVotes } from '../db/votes.js';
import { draftViewOf, renderDraftMessage, renderPageCard, type DraftPhase } from '../views/page-messages.js';
import { MAX_TAKES_PER_ROUND, tallyRound } from '../domain/takes.js';
import { parseQuorumRule, tallyVotes } from '../domain/voting.js';
import type { Logger } from '../logger.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import { ChapterUnreachableError } from './message-targets.js';

// The messages every job keeps in step with Postgres: a draft with its tally, the page card.

/**
 * Shows a stored draft as it now stands (open with its tally, or decided), posting it when it has no
 * message yet, and the page card with it (with `cardNote` as its status when given).
 */
export async function showDraft(
  deps: WorkerDeps,
  shown: {
    place: PagePlace;
    revision: PageRevision;
    generationKey: string | null;
    cardNote?: string | null;
    /** The page as the transaction that recorded the draft left it, when the caller has it (no second read). */
    page?: StoryPage;
  },
): Promise<void> {
  const { place, revision } = shown;
  const cardNote = shown.cardNote ?? null;
  const takes = await listRoundTakes(deps.db, revision);
  if (takes.length > 1) return showRound(deps, place, takes, cardNote);
  // A generated draft is always found by its job's key, under one lock, whoever shows it.
  const generationKey = shown.generationKey ?? revision.generation_key;
  if (place.thread_id === null) return;
  const { votes, coWriters } = await countedVotesAndCoWriters(deps.db, revision.id, place.chapter_id);
  const tally = tallyVotes(votes, parseQuorumRule(place.quorum) ?? { kind: 'majority' }, coWriters);
  const phase =
    revision.status === 'open'
      ? { phase: 'open' as const, tally }
      : revision.status === 'superseded'
        ? { phase: 'superseded' as const }
        : { phase: revision.status, tally };
  await deps.messages.upsert(
    { channelId: place.thread_id, purpose: 'draft', chapterId: place.chapter_id, pageId: place.id, revisionId: revision.id, generationKey },
    { by: generationKey ? 'generation_key' : 'revision' },
    renderDraftMessage(draftViewOf(place.number, revision), phase),
  );
  const page = shown.page ?? (await getPage(deps.db, place.id));
  if (page) await updatePageCard(deps, { ...place, ...page }, cardNote);
}

/**
 * Every take of a round as it now stands: open with the round's picks, or how the round was decided.
 * Each take has its own message, found by the key of the job that wrote it (or by its revision).
 */
async function showRound(deps: WorkerDeps, place: PagePlace, takes: readonly PageRevision[], cardNote: string | null): Promise<void> {
  const [lead] = takes;
  if (!lead || place.thread_id === null) return;
  const coWriters = await countCoWriters(deps.db, place.chapter_id);
  const round = tallyRound(
    await listCountedRoundVotes(deps.db, lead.id),
    takes.length,
    parseQuorumRule(place.quorum) ?? { kind: 'majority' },
    coWriters,
  );
  const page = await getPage(deps.db, place.id);
  const picked = takes.find((take) => take.status === 'approved');
  const takeIds = takes.map((take) => take.id);
  const phase: DraftPhase =
    lead.status === 'open'
      ? { phase: 'takes_open', round, takeIds, full: takes.length + (page?.takes_pending ?? 0) >= MAX_TAKES_PER_ROUND }
      : picked
        ? { phase: 'take_picked', round, takeIds, picked: picked.take }
        : lead.status === 'revision_requested'
          ? { phase: 'takes_sent_back', round, takeIds }
          : { phase: 'superseded' };
  for (const take of takes) {
    const generationKey = take.generation_key;
    await deps.messages.upsert(
      { channelId: place.thread_id, purpose: 'draft', chapterId: place.chapter_id, pageId: place.id, revisionId: take.id, generationKey },
      { by: generationKey ? 'generation_key' : 'revision' },
      renderDraftMessage({ ...draftViewOf(place.number, take), take: take.take }, phase),
    );
  }
  if (page) await updatePageCard(deps, { ...place, ...page }, cardNote);
}

/**
 * Before a new draft or round appears, the one decided before it is drawn as decided (its takes "Not
 * picked", its buttons off), so no message says "Up for a vote" once the next one is in the thread. The
 * coalesced refresh job draws the same committed state; whichever lands last shows the same. Whether
 * the page card was drawn with it (with `cardNote`).
 */
export async function showLastDecided(deps: WorkerDeps, place: PagePlace, cardNote: string | null = null): Promise<boolean> {
  const decided = await findLastDecidedRevision(deps.db, place.id);
  if (!decided || decided.status === 'open') return false;
  await showDraft(deps, { place, revision: decided, generationKey: null, cardNote });
  return true;
}

/** The page card follows the page's state, and so does the chapter's pinned progress. */
export async function updatePageCard(
  deps: Pick<WorkerDeps, 'messages' | 'progress'>,
  place: PagePlace | (PagePlace & StoryPage),
  note: string | null,
): Promise<void> {
  if (place.thread_id === null) return;
  deps.progress.refresh(place.chapter_id);
  await deps.messages.upsert(
    {
      channelId: place.thread_id,
      purpose: 'page_card',
      chapterId: place.chapter_id,
      pageId: place.id,
      revisionId: null,
      generationKey: null,
    },
    { by: 'page_card' },
    renderPageCard(place, note),
  );
}

/**
 * Runs a job's Discord work; when the thread is gone or we lost access, retrying cannot help, so the
 * chapter is marked as needing attention (an admin recovers it) and the job ends without a retry.
 */
export async function whileChapterReachable(
  deps: Pick<WorkerDeps, 'db'>,
  chapterId: number,
  log: Logger,
  work: () => Promise<string>,
): Promise<string> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ChapterUnreachableError)) throw error;
    log.error({ chapterId, code: error.code, err: error.message }, 'chapter thread unreachable; marked as needing attention, not retried');
    await markChapterNeedsAttention(deps.db, chapterId, `Discord error ${error.code}: ${error.message}`);
    return 'chapter needs attention';
  }
}
