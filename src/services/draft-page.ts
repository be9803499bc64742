import { classifyModelError } from '../agents/model-client.js';
import type { PageRevision } from '../db/database.js';
import type { PagePlace } from '../db/pages.js';
import type { GenerateDraftJob } from '../domain/jobs.js';
import type { Logger } from '../logger.js';
import type { AgentContext, JobAttempt } from './agent-calls.js';
import { recordDraft, recordRound } from './record-draft.js';
import { draftModelFor, writeOneDraft, writeTakesOfPage } from './write-draft.js';

/** What a generation job's writing came to; `stale` carries the single draft's text (null for a round: no take is shown). */
export type DraftOutcome =
  | { status: 'failed'; userMessage: string }
  | { status: 'stale'; body: string | null }
  | { status: 'recorded' | 'already_recorded'; revision: PageRevision };

/** How the draft is shown while it is written: take A's text as it streams, and the end of the "being written" display. */
export interface DraftStream {
  onText: (text: string) => void;
  /** Called once, as soon as the model has answered (or failed), before anything is recorded. */
  answered: () => Promise<void>;
}

/** One run of a generation job, its page read and its draft's message shown. */
export interface DraftRequest {
  data: GenerateDraftJob;
  /** The job's key, stored on the revision: a job that runs twice finds its draft instead of writing another. */
  generationKey: string;
  place: PagePlace;
  run: JobAttempt;
  log: Logger;
}

/**
 * Writes a page's draft (one, or a round of the story's number of takes) and records it. A transient
 * failure with attempts left is thrown for BullMQ to retry; a failure for good is `failed`, the page's
 * failure to be recorded and shown by the caller.
 */
export async function writeAndRecordDraft(deps: AgentContext, request: DraftRequest, stream: DraftStream): Promise<DraftOutcome> {
  const { data, generationKey, place, run, log } = request;
  const call = { pageId: place.id, storyId: place.story_id, chapterId: place.chapter_id, kind: data.kind, model: draftModelFor(deps, place, data.kind), jobId: generationKey, attempt: run.attempt };
  const takes = place.takes ?? place.story_takes;
  if (takes > 1) return writeAndRecordRound(deps, request, stream, { ...call, count: takes, firstTake: 0 });
  let draft: Awaited<ReturnType<typeof writeOneDraft>>;
  try {
    draft = await writeOneDraft(deps, call, stream);
  } catch (error) {
    return failedOrRetried(request, error, { retrying: 'generation failed; BullMQ retries it with backoff', gaveUp: 'generation failed for good; the page waits for Retry' });
  }
  const result = await recordDraft(deps.db, { ...data, generationKey }, draft, deps.config.review);
  if (result.status === 'stale') {
    log.info('page moved on while the draft was written (cancelled or restarted); draft dropped');
    return { status: 'stale', body: draft.body };
  }
  return { status: result.status, revision: result.revision };
}

/** A round of several takes: one prompt, N answers, each kept take recorded as its own revision of the same version. */
async function writeAndRecordRound(deps: AgentContext, request: DraftRequest, stream: DraftStream, call: Parameters<typeof writeTakesOfPage>[1]): Promise<DraftOutcome> {
  const { data, generationKey, log } = request;
  let written: Awaited<ReturnType<typeof writeTakesOfPage>>;
  try {
    written = await writeTakesOfPage(deps, call, (take, text) => {
      // Take A streams into the draft's message; the other takes are shown when the round is recorded.
      if (take === 0 && data.kind === 'narration') stream.onText(text);
    });
  } catch (error) {
    await stream.answered();
    return failedOrRetried(request, error, { retrying: 'every take failed; BullMQ retries the round with backoff', gaveUp: 'every take failed for good; the page waits for Retry' });
  }
  await stream.answered();
  const { answer, prompt } = written;
  const kept = answer.takes.flatMap((take) => (take.ok ? [{ ...take.value, promptContext: prompt.report }] : []));
  const lost = answer.takes.length - kept.length;
  if (lost > 0) log.warn({ lost, kept: kept.length }, 'some takes failed (cut off, refused or unreadable); the round goes on with the others');
  const result = await recordRound(deps.db, { ...data, generationKey }, kept, deps.config.review);
  if (result.status === 'stale') {
    log.info('page moved on while the takes were written (cancelled or restarted); round dropped');
    return { status: 'stale', body: null };
  }
  return { status: result.status, revision: result.revision };
}

/** A transient failure with attempts left goes back to BullMQ (thrown); any other is the draft's failure for good. */
function failedOrRetried({ run, log }: DraftRequest, error: unknown, says: { retrying: string; gaveUp: string }): DraftOutcome {
  const failure = classifyModelError(error);
  if (failure.retryable && run.attempt < run.attempts) {
    log.warn({ outcome: failure.outcome, err: failure.message }, says.retrying);
    throw failure;
  }
  log.warn({ outcome: failure.outcome, err: failure.message }, says.gaveUp);
  return { status: 'failed', userMessage: failure.userMessage };
}
