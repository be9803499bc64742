import { sql, type Transaction } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/connection.js';
import type { Database, PageRevision, StoryPage } from '../db/database.js';
import { getChapterByThread, getMemberRole, type countCoWriters } from '../db/chapters.js';
import { countRevisions, getPageWithPlace, getRevision, lockPage, nextRevisionVersion } from '../db/pages.js';
import { describePageState, isGenerating, isReviewing, type DraftKind } from '../domain/page-state-machine.js';
import { castVote as castVoteInTally, decideDraft, parseQuorumRule, tallyVotes, type DraftDecision, type Tally, type VoteChoice } from '../domain/voting.js';
import { applyPageEvent } from './apply-page-event.js';
import { assertWithinBudget } from './budget-service.js';
import type { PriceTable } from '../domain/pricing.js';
import { scheduleDraftFollowUps, type ReviewClock } from './review-schedule.js';
import { UserError } from './user-error.js';

/** Where an interaction came from: every id it carries is checked against this. */
export interface InteractionPlace {
  guildId: string;
  channelId: string;
  userId: string;
}

export const NOT_A_CO_WRITER =
  'Only co-writers of this chapter can do that. Press Join on the chapter card or run /chapter join in the thread first.';

async function assertCoWriter(db: Db | Parameters<typeof countCoWriters>[0], chapterId: number, userId: string): Promise<void> {
  const role = await getMemberRole(db, chapterId, userId);
  if (role !== 'owner' && role !== 'writer') throw new UserError(NOT_A_CO_WRITER);
}

export interface StartedPage {
  page: StoryPage;
  chapterId: number;
  queued: string[];
}

/** Limits that protect the wallet: how often one person starts pages, how many drafts a server writes at once. */
export interface GenerationLimits {
  pageStartCooldownMs: number;
  maxGenerationsPerGuild: number;
  /** Prices the month's spend for the story's budget. */
  prices: PriceTable;
}

async function assertGuildHasGenerationRoom(trx: Parameters<typeof countCoWriters>[0], guildId: string, max: number): Promise<void> {
  const row = await trx
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('s.guild_id', '=', guildId)
    .where('p.state', 'in', ['generating_narration', 'generating_dialogue'])
    .executeTakeFirstOrThrow();
  if (Number(row.n) >= max) {
    throw new UserError(`This server already has ${max} drafts being written at once. Try again when one of them is done.`);
  }
}

/** `/page start`: the next page of the chapter whose thread this is, queued for its narration. */
export async function startPage(db: Db, place: InteractionPlace, input: string, limits: GenerationLimits): Promise<StartedPage> {
  return db.transaction().execute(async (trx) => {
    const chapter = await getChapterByThread(trx, place.guildId, place.channelId);
    if (!chapter) {
      throw new UserError('Pages are started inside a chapter thread. Open one with /chapter start in the story channel.');
    }
    if (chapter.status === 'closed') throw new UserError('This chapter is closed.');
    await assertCoWriter(trx, chapter.id, place.userId);
    if (limits.pageStartCooldownMs > 0) {
      const recent = await trx
        .selectFrom('story_pages as p')
        .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
        .innerJoin('stories as s', 's.id', 'c.story_id')
        .select('p.created_at')
        .where('s.guild_id', '=', place.guildId)
        .where('p.created_by', '=', place.userId)
        .where('p.created_at', '>', new Date(Date.now() - limits.pageStartCooldownMs))
        .orderBy('p.created_at', 'desc')
        .executeTakeFirst();
      if (recent) {
        const wait = Math.ceil((recent.created_at.getTime() + limits.pageStartCooldownMs - Date.now()) / 1000);
        throw new UserError(`You started a page moments ago. Please wait ${Math.max(1, wait)} more second${wait === 1 ? '' : 's'}.`);
      }
    }
    await assertGuildHasGenerationRoom(trx, place.guildId, limits.maxGenerationsPerGuild);
    await assertWithinBudget(trx, chapter.story_id, limits.prices);
    // Locking the chapter serialises page numbering: two starts at once cannot take the same number.
    await trx.selectFrom('chapters').select('id').where('id', '=', chapter.id).forUpdate().execute();
    const unfinished = await trx
      .selectFrom('story_pages')
      .selectAll()
      .where('chapter_id', '=', chapter.id)
      .where('state', '!=', 'page_approved')
      .orderBy('number')
      .executeTakeFirst();
    if (unfinished) {
      throw new UserError(
        `Page ${unfinished.number} is still in progress (${describePageState(unfinished)}). Finish it before starting the next page.`,
      );
    }
    const last = await trx
      .selectFrom('story_pages')
      .select((eb) => eb.fn.max<number | null>('number').as('max'))
      .where('chapter_id', '=', chapter.id)
      .executeTakeFirstOrThrow();
    const page = await trx
      .insertInto('story_pages')
      .values({ chapter_id: chapter.id, number: (last.max ?? 0) + 1, input, state: 'awaiting_user_input', created_by: place.userId })
      .returningAll()
      .executeTakeFirstOrThrow();
    const applied = await applyPageEvent(trx, page, { type: 'input_submitted' }, place.userId);
    return { page: applied.page, chapterId: chapter.id, queued: applied.queued };
  });
}

export interface VoteOutcome {
  page: StoryPage;
  revision: PageRevision;
  tally: Tally;
  decision: DraftDecision;
  /** The co-writer had voted differently before: this click changed their vote. */
  changed: boolean;
  queued: string[];
  /** The draft was decided and its story schedules reminders or deadlines: their jobs can be dropped. */
  reviewJobsPending: boolean;
}

/**
 * A co-writer's vote on a draft, with optional feedback. One transaction: checks the draft is the
 * page's open one, records or changes the vote, and applies the decision when the quorum is reached.
 */
export async function castVote(
  db: Db,
  place: InteractionPlace,
  target: { pageId: number; revisionId: number },
  choice: VoteChoice,
  feedback: string | null,
): Promise<VoteOutcome> {
  return db.transaction().execute(async (trx) => {
    // Lock first, then read: in READ COMMITTED a statement that waits for a lock still reads its other
    // rows (votes, the draft's status) from before the wait. The hot path is five round trips in all.
    await trx.selectFrom('story_pages').select('id').where('id', '=', target.pageId).forUpdate().execute();
    const row = await trx
      .selectFrom('story_pages as p')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .innerJoin('stories as s', 's.id', 'c.story_id')
      .selectAll('p')
      .select((eb) => [
        'c.thread_id',
        's.guild_id',
        's.quorum',
        's.max_revisions',
        's.reminder_minutes',
        's.deadline_minutes',
        jsonObjectFrom(eb.selectFrom('page_revisions as r').selectAll('r').where('r.id', '=', target.revisionId).whereRef('r.page_id', '=', 'p.id')).as('revision'),
        eb.selectFrom('chapter_members as m').select('m.role').whereRef('m.chapter_id', '=', 'p.chapter_id').where('m.user_id', '=', place.userId).as('role'),
        eb
          .selectFrom('chapter_members as m')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('m.chapter_id', '=', 'p.chapter_id')
          .where('m.role', 'in', ['owner', 'writer'])
          .as('co_writers'),
        jsonArrayFrom(eb.selectFrom('votes as v').select(['v.user_id as userId', 'v.choice']).where('v.revision_id', '=', target.revisionId)).as('votes'),
      ])
      .where('p.id', '=', target.pageId)
      .executeTakeFirst();
    if (!row || row.guild_id !== place.guildId || row.thread_id !== place.channelId || !row.revision) {
      throw new UserError('That button does not belong to a page in this thread.');
    }
    const {
      revision: revisionJson,
      role,
      votes: earlier,
      co_writers: coWriters,
      thread_id: _thread,
      guild_id: _guild,
      quorum,
      max_revisions: maxRevisions,
      reminder_minutes: reminderMinutes,
      deadline_minutes: deadlineMinutes,
      ...pageColumns
    } = row;
    const page: StoryPage = pageColumns;
    // JSON carries timestamps as text.
    const revision: PageRevision = {
      ...revisionJson,
      created_at: new Date(revisionJson.created_at),
      decided_at: revisionJson.decided_at ? new Date(revisionJson.decided_at) : null,
      reminded_at: revisionJson.reminded_at ? new Date(revisionJson.reminded_at) : null,
    };
    if (role !== 'owner' && role !== 'writer') throw new UserError(NOT_A_CO_WRITER);
    if (revision.status !== 'open' || page.current_revision_id !== revision.id || !isReviewing(page.state) || page.stage !== revision.kind) {
      throw new UserError(staleDraftReason(revision, page));
    }
    const previous = earlier.find((vote) => vote.userId === place.userId);
    await trx
      .insertInto('votes')
      .values({ revision_id: revision.id, user_id: place.userId, choice })
      .onConflict((oc) => oc.columns(['revision_id', 'user_id']).doUpdateSet({ choice, updated_at: sql`now()` }))
      .execute();
    if (feedback) {
      await trx.insertInto('user_feedback').values({ revision_id: revision.id, user_id: place.userId, body: feedback }).execute();
    }
    const votes = castVoteInTally(earlier, { userId: place.userId, choice });
    const tally = tallyVotes(votes, parseQuorumRule(quorum) ?? { kind: 'majority' }, Number(coWriters ?? 0));
    const decision = decideDraft(tally);
    let queued: string[] = [];
    let decidedPage = page;
    let decidedRevision: PageRevision = revision;
    if (decision !== 'open') {
      ({ page: decidedPage, revision: decidedRevision, queued } = await applyDraftDecision(trx, page, revision, decision, maxRevisions, place.userId, {}));
    }
    return {
      page: decidedPage,
      revision: decidedRevision,
      tally,
      decision,
      changed: previous !== undefined && previous.choice !== choice,
      queued,
      reviewJobsPending: decision !== 'open' && (reminderMinutes !== null || deadlineMinutes !== null),
    };
  });
}

/**
 * Closes an open draft as approved or sent back, and moves the page on: the quorum's decision on a
 * click, or the votes cast when a review deadline passes. Runs on the caller's locked page.
 */
export async function applyDraftDecision(
  trx: Transaction<Database>,
  page: StoryPage,
  revision: PageRevision,
  decision: 'approved' | 'revision_requested',
  maxRevisions: number,
  actorId: string | null,
  details: Record<string, unknown>,
): Promise<{ page: StoryPage; revision: PageRevision; queued: string[] }> {
  const decidedRevision = await trx
    .updateTable('page_revisions')
    .set({ status: decision, decided_at: new Date() })
    .where('id', '=', revision.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (decision === 'approved') {
    await trx
      .updateTable('story_pages')
      .set(revision.kind === 'narration' ? { approved_narration_id: revision.id } : { approved_dialogue_id: revision.id })
      .where('id', '=', page.id)
      .execute();
    const applied = await applyPageEvent(trx, page, { type: 'draft_approved', kind: revision.kind }, actorId, { revisionId: revision.id, ...details });
    return { page: applied.page, revision: decidedRevision, queued: applied.queued };
  }
  const drafted = await countRevisions(trx, page.id, revision.kind);
  const applied = await applyPageEvent(
    trx,
    page,
    { type: 'revision_requested', kind: revision.kind, revisionsSoFar: drafted - 1, maxRevisions },
    actorId,
    { revisionId: revision.id, ...details },
  );
  return { page: applied.page, revision: decidedRevision, queued: applied.queued };
}

function staleDraftReason(revision: PageRevision, page: StoryPage): string {
  const label = `${revision.kind} v${revision.version}`;
  switch (revision.status) {
    case 'approved':
      return `The ${label} draft was already approved.`;
    case 'revision_requested':
      return `The ${label} draft was already sent back for revision.`;
    case 'superseded':
      return `The ${label} draft was superseded by a newer version.`;
    case 'open':
      return `The ${label} draft is not up for a vote any more (${describePageState(page)}).`;
  }
}

/** The draft under review and its open feedback, for a click that only needs to check it (Revise opens a modal). */
export async function assertDraftOpenForVote(db: Db, place: InteractionPlace, target: { pageId: number; revisionId: number }) {
  const placeRow = await getPageWithPlace(db, target.pageId);
  const revision = await getRevision(db, target.revisionId);
  if (!placeRow || !revision || revision.page_id !== placeRow.id || placeRow.guild_id !== place.guildId || placeRow.thread_id !== place.channelId) {
    throw new UserError('That button does not belong to a page in this thread.');
  }
  await assertCoWriter(db, placeRow.chapter_id, place.userId);
  if (revision.status !== 'open' || placeRow.current_revision_id !== revision.id || !isReviewing(placeRow.state)) {
    throw new UserError(staleDraftReason(revision, placeRow));
  }
  return { page: placeRow, revision };
}

/** The locked page a Retry or Cancel button points at, checked against where and by whom it was pressed. */
async function lockButtonPage(trx: Parameters<typeof lockPage>[0], place: InteractionPlace, target: { pageId: number; pageVersion: number }) {
  const placeRow = await getPageWithPlace(trx, target.pageId);
  if (!placeRow || placeRow.guild_id !== place.guildId || placeRow.thread_id !== place.channelId) {
    throw new UserError('That button does not belong to a page in this thread.');
  }
  const page = await lockPage(trx, target.pageId);
  if (!page) throw new UserError('That page no longer exists.');
  await assertCoWriter(trx, page.chapter_id, place.userId);
  if (page.version !== target.pageVersion) throw new UserError(`This page has moved on since then (${describePageState(page)}).`);
  return page;
}

/**
 * Retry: after a failure, or while a slow draft is still being written (then the running draft is
 * cancelled first and a fresh one queued). Co-writers only; the button carries the page version.
 */
export async function retryGeneration(db: Db, place: InteractionPlace, target: { pageId: number; pageVersion: number }, limits: GenerationLimits) {
  return db.transaction().execute(async (trx) => {
    let page = await lockButtonPage(trx, place, target);
    if (isGenerating(page.state)) {
      page = (await applyPageEvent(trx, page, { type: 'generation_cancelled' }, place.userId, { reason: 'restarted by a co-writer' })).page;
    } else {
      await assertGuildHasGenerationRoom(trx, place.guildId, limits.maxGenerationsPerGuild);
    }
    const chapter = await trx.selectFrom('chapters').select('story_id').where('id', '=', page.chapter_id).executeTakeFirstOrThrow();
    await assertWithinBudget(trx, chapter.story_id, limits.prices);
    return applyPageEvent(trx, page, { type: 'retry_requested' }, place.userId);
  });
}

/** Cancel a draft being written: the page waits with a Retry button; the running job's result is dropped. */
export async function cancelGeneration(db: Db, place: InteractionPlace, target: { pageId: number; pageVersion: number }) {
  return db.transaction().execute(async (trx) => {
    const page = await lockButtonPage(trx, place, target);
    return applyPageEvent(trx, page, { type: 'generation_cancelled' }, place.userId, { reason: 'Cancelled by a co-writer.' });
  });
}

/** Drafts queued or being written before this page's, across every server: its place in the queue. */
export async function countDraftsAhead(db: Db, page: StoryPage): Promise<number> {
  if (!page.generation_started_at) return 0;
  const row = await db
    .selectFrom('story_pages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', 'in', ['generating_narration', 'generating_dialogue'])
    .where('generation_started_at', '<', page.generation_started_at)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type RecordDraftResult =
  | { status: 'recorded' | 'already_recorded'; page: StoryPage; revision: PageRevision }
  | { status: 'stale'; page: StoryPage | null };

/**
 * The worker's result: a new revision and the page moved to review, in one transaction.
 * The generation key makes a job that runs twice find its first revision instead of writing another.
 */
export async function recordDraft(
  db: Db,
  job: { pageId: number; kind: DraftKind; pageVersion: number; generationKey: string },
  draft: { body: string; structured: unknown; promptContext: unknown },
  clock: ReviewClock,
): Promise<RecordDraftResult> {
  return db.transaction().execute(async (trx) => {
    const page = await lockPage(trx, job.pageId);
    if (!page) return { status: 'stale', page: null };
    const existing = await trx.selectFrom('page_revisions').selectAll().where('generation_key', '=', job.generationKey).executeTakeFirst();
    if (existing) return { status: 'already_recorded', page, revision: existing };
    if (page.state !== `generating_${job.kind}` || page.version !== job.pageVersion) return { status: 'stale', page };
    const revision = await trx
      .insertInto('page_revisions')
      .values({
        page_id: page.id,
        kind: job.kind,
        version: await nextRevisionVersion(trx, page.id, job.kind),
        body: draft.body,
        structured: draft.structured === null ? null : JSON.stringify(draft.structured),
        prompt_context: draft.promptContext === null ? null : JSON.stringify(draft.promptContext),
        generation_key: job.generationKey,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.updateTable('story_pages').set({ current_revision_id: revision.id }).where('id', '=', page.id).execute();
    const applied = await applyPageEvent(trx, { ...page, current_revision_id: revision.id }, { type: 'draft_recorded', kind: job.kind }, null, {
      revisionId: revision.id,
    });
    await scheduleDraftFollowUps(trx, page, revision, clock);
    return { status: 'recorded', page: applied.page, revision };
  });
}

/** Attempts exhausted or an answer that retrying cannot fix: the page waits for a co-writer's Retry. */
export async function failGeneration(
  db: Db,
  job: { pageId: number; kind: DraftKind; pageVersion: number },
  reason: string,
): Promise<StoryPage | null> {
  return db.transaction().execute(async (trx) => {
    const page = await lockPage(trx, job.pageId);
    if (!page || page.state !== `generating_${job.kind}` || page.version !== job.pageVersion) return null;
    const applied = await applyPageEvent(trx, page, { type: 'generation_failed', kind: job.kind }, null, { reason });
    return applied.page;
  });
}
