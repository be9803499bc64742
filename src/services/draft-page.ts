import { classifyModelError } from '../agents/model-client.js';
import type { PageRevision, StoryPage } from '../db/database.js';
import type { PagePlace } from '../db/pages.js';
import { findRevisionAndNextVersion } from '../db/revisions.js';
import type { GenerateDraftJob } from '../domain/jobs.js';
import type { Logger } from '../logger.js';
import type { AgentContext, JobAttempt } from './agent-calls.js';
import { budgetSpentMessage, getBudgetStatus, isBudgetSpent } from './budget-service.js';
import { claimGenerationSlot } from './generation-slots.js';
import { failGeneration, recordDraft, recordRound } from './record-draft.js';
import { draftModelFor, writeOneDraft, writeTakesOfPage } from './write-draft.js';

/**
 * What a generation job's writing came to. `failed`: the page waits for a co-writer's Retry (`page`, or
 * null when it had moved on); `stale` carries the single draft's text (null for a round: no take is shown).
 */
export type DraftOutcome =
  | { status: 'failed'; userMessage: string; page: StoryPage | null }
  | { status: 'stale'; body: string | null }
  | { status: 'recorded' | 'already_recorded'; revision: PageRevision; page: StoryPage };

/** How the draft is shown while it is written: take A's text as it streams, and the end of the "being written" display. */
export interface DraftStream {
  onText: (text: string) => void;
  /** Called once, as soon as the model has answered (or failed), before anything is recorded. */
  answered: () => Promise<void>;
}

/**
 * Where a generation job stands before its draft is written: recorded by an earlier run, stale (the
 * page moved on, perhaps while the job waited its turn for draft `version`), failed (the story's budget is spent), waiting
 * for its server's cap (its place in the queue) or free to write draft `version`.
 */
export type DraftStart =
  | { status: 'already recorded'; revision: PageRevision }
  | { status: 'stale' }
  | { status: 'stale before its turn'; version: number }
  | (DraftOutcome & { status: 'failed' })
  | { status: 'waiting'; version: number; queuePlace: number }
  | { status: 'writing'; version: number };

/** One run of a generation job, its page read and its draft's message shown. */
export interface DraftRequest {
  data: GenerateDraftJob;
  /** The job's key, stored on the revision: a job that runs twice finds its draft instead of writing another. */
  generationKey: string;
  place: PagePlace;
  run: JobAttempt;
  log: Logger;
}

/** Decides whether a generation job writes its draft now: a second run, a stale job, a spent budget, a full server stop it. */
export async function startDraft(deps: AgentContext, request: Omit<DraftRequest, 'run'>): Promise<DraftStart> {
  const { data, generationKey, place, log } = request;
  const { recorded, nextVersion: version } = await findRevisionAndNextVersion(deps.db, {
    generationKey,
    pageId: place.id,
    kind: data.kind,
  });
  // A second run of a job whose draft is already stored: it is only shown.
  if (recorded) return { status: 'already recorded', revision: recorded };
  if (place.state !== `generating_${data.kind}` || place.version !== data.pageVersion) {
    log.info({ state: place.state, version: place.version }, 'stale generation job skipped');
    return { status: 'stale' };
  }
  // Every way to a new draft passes here, so a spent budget stops them all (the bot refuses what it can
  // earlier). A story without a budget has no spend to add up.
  if (place.monthly_budget_usd !== null) {
    const budget = await getBudgetStatus(deps.db, place.story_id, deps.config.prices);
    if (isBudgetSpent(budget)) {
      log.info({ storyId: place.story_id, spentUsd: budget.spentUsd }, 'monthly budget spent; draft not written');
      return failDraft(deps, request, budgetSpentMessage(budget));
    }
  }
  const slot = await claimGenerationSlot(deps.db, { ...data, guildId: place.guild_id }, deps.config.limits.maxGenerationsPerGuild);
  if (slot.status === 'stale') {
    log.info('page moved on before its draft could start; generation job skipped');
    return { status: 'stale before its turn', version };
  }
  if (slot.status === 'waiting') return { status: 'waiting', version, queuePlace: slot.place };
  return { status: 'writing', version };
}

/** The draft could not be written: the page waits for a co-writer's Retry. */
async function failDraft(
  deps: AgentContext,
  { data }: Pick<DraftRequest, 'data'>,
  userMessage: string,
): Promise<DraftOutcome & { status: 'failed' }> {
  return { status: 'failed', userMessage, page: await failGeneration(deps.db, data, userMessage) };
}

/**
 * Writes a page's draft (one, or a round of the story's number of takes) and records it. A transient
 * failure with attempts left is thrown for BullMQ to retry; a failure for good is `failed`, the page's
 * failure to be recorded and shown by the caller.
 */
export async function writeAndRecordDraft(deps: AgentContext, request: DraftRequest, stream: DraftStream): Promise<DraftOutcome> {
  const { data, generationKey, place, run, log } = request;
  const call = {
    pageId: place.id,
    storyId: place.story_id,
    chapterId: place.chapter_id,
    kind: data.kind,
    model: draftModelFor(deps, place, data.kind),
    jobId: generationKey,
    attempt: run.attempt,
  };
  const takes = place.takes ?? place.story_takes;
  if (takes > 1) return writeAndRecordRound(deps, request, stream, { ...call, count: takes, firstTake: 0 });
  let draft: Awaited<ReturnType<typeof writeOneDraft>>;
  try {
    draft = await writeOneDraft(deps, call, stream);
  } catch (error) {
    return failedOrRetried(deps, request, error, {
      retrying: 'generation failed; BullMQ retries it with backoff',
      gaveUp: 'generation failed for good; the page waits for Retry',
    });
  }
  const result = await recordDraft(deps.db, { ...data, generationKey }, draft, deps.config.review);
  if (result.status === 'stale') {
    log.info('page moved on while the draft was written (cancelled or restarted); draft dropped');
    return { status: 'stale', body: draft.body };
  }
  return { status: result.status, revision: result.revision, page: result.page };
}

/** A round of several takes: one prompt, N answers, each kept take recorded as its own revision of the same version. */
async function writeAndRecordRound(
  deps: AgentContext,
  request: DraftRequest,
  stream: DraftStream,
  call: Parameters<typeof writeTakesOfPage>[1],
): Promise<DraftOutcome> {
  const { data, generationKey, log } = request;
  let written: Awaited<ReturnType<typeof writeTakesOfPage>>;
  try {
    written = await writeTakesOfPage(deps, call, (take, text) => {
      // Take A streams into the draft's message; the other takes are shown when the round is recorded.
      if (take === 0 && data.kind === 'narration') stream.onText(text);
    });
  } catch (error) {
    await stream.answered();
    return failedOrRetried(deps, request, error, {
      retrying: 'every take failed; BullMQ retries the round with backoff',
      gaveUp: 'every take failed for good; the page waits for Retry',
    });
  }
  await stream.answered();
  const { answer, prompt } = written;
  const kept = answer.takes.flatMap((take) => (take.ok ? [{ ...take.value, promptContext: prompt.report }] : []));
  const lost = answer.takes.length - kept.length;
  if (lost > 0)
    log.warn({ lost, kept: kept.length }, 'some takes failed (cut off, refused or unreadable); the round goes on with the others');
  const result = await recordRound(deps.db, { ...data, generationKey }, kept, deps.config.review);
  if (result.status === 'stale') {
    log.info('page moved on while the takes were written (cancelled or restarted); round dropped');
    return { status: 'stale', body: null };
  }
  return { status: result.status, revision: result.revision, page: result.page };
}

/** A transient failure with attempts left goes back to BullMQ (thrown); any other is the draft's failure for good. */
async function failedOrRetried(
  deps: AgentContext,
  request: DraftRequest,
  error: unknown,
  says: { retrying: string; gaveUp: string },
): Promise<DraftOutcome> {
  const { run, log } = request;
  const failure = classifyModelError(error);
  if (failure.retryable && run.attempt < run.attempts) {
    log.warn({ outcome: failure.outcome, err: failure.message }, says.retrying);
    throw failure;
  }
  log.warn({ outcome: failure.outcome, err: failure.message }, says.gaveUp);
  return failDraft(deps, request, failure.userMessage);
}
