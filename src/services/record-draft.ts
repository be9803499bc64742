import type { Db } from '../db/connection.js';
import type { PageRevision, StoryPage } from '../db/database.js';
import type { OutboxJob } from '../db/outbox.js';
import { lockPage, nextRevisionVersion } from '../db/pages.js';
import { findRevisionByGenerationKey, insertRevision } from '../db/revisions.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import { applyPageEvent } from './apply-page-event.js';
import type { ReviewClock } from './review-schedule.js';

export type RecordDraftResult =
  | { status: 'recorded'; page: StoryPage; revision: PageRevision; queued: readonly OutboxJob[] }
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
  draft: { body: string; structured: unknown; promptContext: unknown },
  clock: ReviewClock,
): Promise<RecordDraftResult> {
  return db.transaction().execute(async (trx) => {
    const page = await lockPage(trx, job.pageId);
    if (!page) return { status: 'stale', page: null };
    const existing = await findRevisionByGenerationKey(trx, job.generationKey);
    if (existing) return { status: 'already_recorded', page, revision: existing };
    if (page.state !== `generating_${job.kind}` || page.version !== job.pageVersion) return { status: 'stale', page };
    const revision = await insertRevision(trx, {
      page_id: page.id,
      kind: job.kind,
      version: await nextRevisionVersion(trx, page.id, job.kind),
      body: draft.body,
      structured: draft.structured === null ? null : JSON.stringify(draft.structured),
      prompt_context: draft.promptContext === null ? null : JSON.stringify(draft.promptContext),
      generation_key: job.generationKey,
    });
    const applied = await applyPageEvent(trx, {
      page,
      event: { type: 'draft_recorded', kind: job.kind },
      actorId: null,
      details: { revisionId: revision.id },
      newDraft: { revision, clock },
    });
    return { status: 'recorded', page: applied.page, revision, queued: applied.queued };
  });
}

/** Attempts exhausted or an answer that retrying cannot fix: the page waits for a co-writer's Retry. */
export async function failGeneration(db: Db, job: GenerationJob, reason: string): Promise<StoryPage | null> {
  return db.transaction().execute(async (trx) => {
    const page = await lockPage(trx, job.pageId);
    if (!page || page.state !== `generating_${job.kind}` || page.version !== job.pageVersion) return null;
    const applied = await applyPageEvent(trx, { page, event: { type: 'generation_failed', kind: job.kind }, actorId: null, details: { reason } });
    return applied.page;
  });
}
