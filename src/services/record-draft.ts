import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database, PageRevision, StoryPage } from '../db/database.js';
import { getRevision, lockPage } from '../db/pages.js';
import { findRevisionAndNextVersion, findRevisionByGenerationKey, insertRevision, listRoundTakes } from '../db/revisions.js';
import { runInTransaction } from '../db/unit-of-work.js';
import { isOpenForVote } from './decide-draft.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import { MAX_TAKES_PER_ROUND, takeLetter } from '../domain/takes.js';
import { applyPageEvent, type AppliedEvent } from './apply-page-event.js';
import { reviewJobs, type ReviewClock } from './review-schedule.js';
import { writeToOutbox } from '../db/outbox.js';

export type RecordDraftResult =
  | { status: 'recorded'; page: StoryPage; revision: PageRevision }
  | { status: 'already_recorded'; page: StoryPage; revision: PageRevision }
  | { status: 'stale'; page: StoryPage | null };

type GenerationJob = { pageId: number; kind: DraftKind; pageVersion: number };

/**
 * The worker's result: a new revision and the page moved to review, in one transaction.
 * The generation key makes a job that runs twice find its first revision instead of writing another.
 */
export async function recordDraft(
  db: Db,
  job: GenerationJob & { generationKey: string },
  draft: WrittenDraft,
  clock: ReviewClock,
): Promise<RecordDraftResult> {
  return recordRound(db, job, [draft], clock);
}

type WrittenDraft = { body: string; structured: unknown; promptContext: unknown };

/** The generation key of a round's take: A keeps its job's key (its message streamed under it), the others add their letter. */
export function takeGenerationKey(jobKey: string, take: number): string {
  return take === 0 ? jobKey : `${jobKey}-take-${takeLetter(take)}`;
}

/**
 * A round of takes (one or more drafts of the same version, A first), recorded at once: take A becomes
 * the page's current draft and the round goes to a vote.
 */
export async function recordRound(
  db: Db,
  job: GenerationJob & { generationKey: string },
  drafts: readonly WrittenDraft[],
  clock: ReviewClock,
): Promise<RecordDraftResult> {
  return runInTransaction(db, async (trx) => {
    const page = await lockPage(trx, job.pageId);
    if (!page) return { status: 'stale', page: null };
    const { recorded: existing, nextVersion: version } = await findRevisionAndNextVersion(trx, { ...job, pageId: page.id });
    if (existing) return { status: 'already_recorded', page, revision: existing };
    if (page.state !== `generating_${job.kind}` || page.version !== job.pageVersion) return { status: 'stale', page };
    const takes = await Promise.all(
      drafts.map((draft, take) =>
        insertRevision(trx, {
          page_id: page.id,
          kind: job.kind,
          version,
          take,
          body: draft.body,
          structured: draft.structured === null ? null : JSON.stringify(draft.structured),
          // The prompt is the same for every take: kept once, on take A.
          prompt_context: take > 0 || draft.promptContext === null ? null : JSON.stringify(draft.promptContext),
          generation_key: takeGenerationKey(job.generationKey, take),
        }),
      ),
    );
    const [revision] = takes;
    if (!revision) throw new Error(`a round of page ${page.id} needs at least one take`);
    const applied = await applyPageEvent(trx, {
      page,
      event: { type: 'draft_recorded', kind: job.kind },
      actorId: null,
      details: { revisionId: revision.id, ...(takes.length > 1 ? { takes: takes.length } : {}) },
      newDraft: { revision, clock },
    });
    // Take A's review follows it up for a vote; every other take is reviewed on its own text too.
    await writeToOutbox(
      trx,
      takes.slice(1).flatMap((take) => reviewJobs(page, take, clock)),
    );
    return { status: 'recorded', page: applied.page, revision };
  });
}

/** Attempts exhausted or an answer that retrying cannot fix: the page waits for a co-writer's Retry. */
export async function failGeneration(db: Db, job: GenerationJob, reason: string): Promise<StoryPage | null> {
  return runInTransaction(db, async (trx) => {
    const page = await lockPage(trx, job.pageId);
    if (!page || page.state !== `generating_${job.kind}` || page.version !== job.pageVersion) return null;
    const applied = await applyPageEvent(trx, {
      page,
      event: { type: 'generation_failed', kind: job.kind },
      actorId: null,
      details: { reason },
    });
    return applied.page;
  });
}

/**
 * Another take, written: it joins its round if the round is still open, with the next letter. A round
 * decided (or replaced) while it was written drops it.
 */
export async function recordAddedTake(
  db: Db,
  job: { pageId: number; leadRevisionId: number; generationKey: string },
  draft: WrittenDraft,
  clock: ReviewClock,
): Promise<RecordDraftResult> {
  return runInTransaction(db, async (trx) => {
    const page = await lockPage(trx, job.pageId);
    if (!page) return { status: 'stale', page: null };
    const existing = await findRevisionByGenerationKey(trx, job.generationKey);
    if (existing) return { status: 'already_recorded', page, revision: existing };
    const lead = await getRevision(trx, job.leadRevisionId);
    if (!lead || !isOpenForVote(page, lead)) return { status: 'stale', page };
    const takes = await listRoundTakes(trx, lead);
    if (takes.length >= MAX_TAKES_PER_ROUND) return { status: 'stale', page };
    const { revision, applied } = await addTakeToRound(trx, {
      page,
      round: lead,
      take: takes.length,
      body: draft.body,
      structured: draft.structured,
      generationKey: job.generationKey,
      editedBy: null,
      clock,
    });
    return { status: 'recorded', page: applied.page, revision };
  });
}

/**
 * One more take in an open round (the caller locked the page and checked the round's room): the
 * model's Another take, or a co-writer's edit of a take. The round's vote goes on.
 */
export async function addTakeToRound(
  trx: Transaction<Database>,
  added: {
    page: StoryPage;
    round: Pick<PageRevision, 'kind' | 'version'>;
    take: number;
    body: string;
    structured: unknown;
    generationKey: string | null;
    editedBy: string | null;
    /** The take an edit was made from (0 is A). */
    editedFromTake?: number;
    clock: ReviewClock;
    details?: Record<string, unknown>;
  },
): Promise<{ revision: PageRevision; applied: AppliedEvent }> {
  const { page, round } = added;
  const revision = await insertRevision(trx, {
    page_id: page.id,
    kind: round.kind,
    version: round.version,
    take: added.take,
    body: added.body,
    structured: added.structured === null ? null : JSON.stringify(added.structured),
    generation_key: added.generationKey,
    edited_by: added.editedBy,
    edited_from_take: added.editedFromTake ?? null,
  });
  const applied = await applyPageEvent(trx, {
    page,
    event: { type: 'take_recorded', kind: round.kind, byHand: added.editedBy !== null },
    actorId: added.editedBy,
    details: { revisionId: revision.id, take: revision.take, ...added.details },
    newDraft: { revision, clock: added.clock },
  });
  return { revision, applied };
}
