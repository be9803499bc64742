import type { Job } from 'bullmq';
import type OpenAI from 'openai';
import type { Config } from '../config/config.js';
import type { Db } from '../db/connection.js';
import type { AgentOutcome, PageRevision, StoryPage } from '../db/database.js';
import { countCoWriters } from '../db/chapters.js';
import { getPageWithPlace, nextRevisionVersion } from '../db/pages.js';
import { buildDialoguePrompt, buildNarrationPrompt, type PromptReport } from '../domain/context-builder.js';
import { countTokens } from '../agents/tokens.js';
import { renderDialogueScript } from '../domain/dialogue-script.js';
import { parseQuorumRule, tallyVotes } from '../domain/voting.js';
import { classifyModelError, type ModelUsage } from '../agents/model-client.js';
import { writeDialogue } from '../agents/dialogue.js';
import { writeNarration } from '../agents/narrator.js';
import { draftViewOf, renderDraftMessage, renderFailureMessage, renderPageCard, type DraftPhase, type DraftView } from '../discord/render/page-messages.js';
import type { Logger } from '../logger.js';
import { generateDraftJob, type GenerateDraftJob } from '../domain/jobs.js';
import { failGeneration, recordDraft } from '../services/page-service.js';
import { budgetSpentMessage, getBudgetStatus, isBudgetSpent } from '../services/budget-service.js';
import { loadDialogueContext, loadNarrationContext } from '../services/prompt-context.js';
import { recordAgentExecution } from './agent-log.js';
import { ChapterUnreachableError, type DiscordMessages, type MessageTarget } from './discord-messages.js';
import { ProgressEditor } from './progress-editor.js';

export interface WorkerDeps {
  db: Db;
  model: OpenAI;
  config: Readonly<Config>;
  messages: DiscordMessages;
  logger: Logger;
  /** Minimum time between streamed edits of a draft message. */
  streamEditIntervalMs: number;
  /** After a commit that wrote to the outbox: relay it now rather than at the next tick. */
  kickRelay: () => void;
  /** Ask for the chapter's pinned progress message to be redrawn. */
  progress: { refresh(chapterId: number): void };
}

export type PagePlace = NonNullable<Awaited<ReturnType<typeof getPageWithPlace>>>;

/** Draft a narration or dialogue: show progress, call the model, record the revision, show it for a vote. */
export async function processGenerateDraft(deps: WorkerDeps, job: Job): Promise<string> {
  const data = generateDraftJob.parse(job.data);
  const generationKey = job.id ?? `generate-draft-p${data.pageId}-${data.kind}-v${data.pageVersion}`;
  const log = deps.logger.child({ pageId: data.pageId, jobId: generationKey, kind: data.kind, attempt: job.attemptsMade + 1 });
  const place = await getPageWithPlace(deps.db, data.pageId);
  if (!place || place.thread_id === null) return 'page gone';
  try {
    return await generateDraft(deps, job, data, generationKey, place, log);
  } catch (error) {
    if (error instanceof ChapterUnreachableError) return markChapterNeedsAttention(deps, place.chapter_id, error, log);
    throw error;
  }
}

async function generateDraft(deps: WorkerDeps, job: Job, data: GenerateDraftJob, generationKey: string, place: PagePlace, log: Logger): Promise<string> {
  if (place.thread_id === null) return 'page gone';

  const recorded = await deps.db.selectFrom('page_revisions').selectAll().where('generation_key', '=', generationKey).executeTakeFirst();
  if (recorded) {
    // A second run of a job whose draft is already stored: only make sure it is shown.
    await showOpenDraft(deps, place, recorded, generationKey);
    return 'already recorded';
  }
  if (place.state !== `generating_${data.kind}` || place.version !== data.pageVersion) {
    log.info({ state: place.state, version: place.version }, 'stale generation job skipped');
    return 'stale';
  }

  // Every way to a new draft passes here, so a spent budget stops them all (the bot refuses what it can earlier).
  const budget = await getBudgetStatus(deps.db, place.story_id, deps.config.prices);
  if (isBudgetSpent(budget)) {
    log.info({ storyId: place.story_id, spentUsd: budget.spentUsd }, 'monthly budget spent; draft not written');
    await markFailed(deps, place, data, budgetSpentMessage(budget));
    return 'over budget';
  }

  const version = await nextRevisionVersion(deps.db, place.id, data.kind);
  const view: DraftView = { pageId: place.id, pageNumber: place.number, kind: data.kind, version, revisionId: null, text: '' };
  const target = {
    channelId: place.thread_id,
    purpose: 'draft' as const,
    chapterId: place.chapter_id,
    pageId: place.id,
    revisionId: null,
    generationKey,
  };
  // Mutable on purpose: once the draft is slow, every later progress edit keeps offering Retry and Cancel.
  const writing: { phase: 'writing'; queuePosition: null; slowPageVersion?: number } = { phase: 'writing', queuePosition: null };
  let textSoFar = '';
  await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, writing));
  await updatePageCard(deps, place, `${data.kind === 'narration' ? 'Narration' : 'Dialogue'} v${version} is being written…`);
  const slowTimer = setTimeout(() => {
    writing.slowPageVersion = data.pageVersion;
    deps.messages
      .upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, text: textSoFar }, writing))
      .catch((error: unknown) => log.warn({ err: error }, 'could not offer Retry and Cancel on a slow draft'));
  }, deps.config.worker.slowGenerationMs);
  try {
    return await writeAndRecord(deps, job, data, generationKey, place, log, { target, view, writing, onText: (text) => (textSoFar = text) });
  } finally {
    clearTimeout(slowTimer);
  }
}

interface DraftDisplay {
  target: MessageTarget;
  view: DraftView;
  writing: DraftPhase;
  onText: (text: string) => void;
}

async function writeAndRecord(deps: WorkerDeps, job: Job, data: GenerateDraftJob, generationKey: string, place: PagePlace, log: Logger, display: DraftDisplay): Promise<string> {
  const { target, view } = display;

  const model = data.kind === 'narration' ? (place.narrator_model ?? deps.config.model.narratorModel) : (place.dialogue_model ?? deps.config.model.dialogueModel);
  const started = Date.now();
  const logCall = (callUsage: ModelUsage | null, outcome: AgentOutcome, error: string | null) =>
    recordAgentExecution(deps.db, {
      storyId: place.story_id,
      chapterId: place.chapter_id,
      pageId: place.id,
      agent: data.kind === 'narration' ? 'narrator' : 'dialogue',
      model,
      jobId: generationKey,
      attempt: job.attemptsMade + 1,
      usage: callUsage,
      latencyMs: Date.now() - started,
      outcome,
      error,
    });
  let usage: ModelUsage | null = null;
  let body: string;
  let structured: unknown = null;
  let report: PromptReport | null = null;
  const budget = { totalTokens: deps.config.model.promptTokenBudget, bibleTokens: deps.config.model.bibleTokenBudget };
  try {
    if (data.kind === 'narration') {
      const prompt = buildNarrationPrompt(await loadNarrationContext(deps.db, place.id, budget), countTokens);
      report = prompt.report;
      const editor = new ProgressEditor(
        deps.streamEditIntervalMs,
        async (text) => {
          await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, text: `${text} ▍` }, display.writing));
        },
        (error) => log.warn({ err: error }, 'progress edit failed'),
      );
      try {
        const draft = await writeNarration(deps.model, {
          model,
          prompt,
          cacheKey: `story-${place.story_id}`,
          onText: (text) => {
            display.onText(text);
            editor.push(text);
          },
        });
        body = draft.text;
        usage = draft.usage;
      } finally {
        await editor.close();
      }
    } else {
      const prompt = buildDialoguePrompt(await loadDialogueContext(deps.db, place.id, budget), countTokens);
      report = prompt.report;
      const draft = await writeDialogue(deps.model, { model, prompt, cacheKey: `story-${place.story_id}` });
      structured = draft.script;
      body = renderDialogueScript(draft.script);
      usage = draft.usage;
    }
  } catch (error) {
    const failure = classifyModelError(error);
    await logCall(failure.usage, failure.outcome, failure.message);
    const attempts = job.opts.attempts ?? 1;
    if (failure.retryable && job.attemptsMade + 1 < attempts) {
      log.warn({ outcome: failure.outcome, err: failure.message }, 'generation failed; BullMQ retries it with backoff');
      throw failure;
    }
    log.warn({ outcome: failure.outcome, err: failure.message }, 'generation failed for good; the page waits for Retry');
    await markFailed(deps, place, data, failure.userMessage);
    return 'failed';
  }

  await logCall(usage, 'ok', null);
  const result = await recordDraft(deps.db, { ...data, generationKey }, { body, structured, promptContext: report }, deps.config.review);
  if (result.status === 'stale') {
    log.info('page moved on while the draft was written (cancelled or restarted); draft dropped');
    await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, text: body }, { phase: 'dropped', reason: 'Cancelled or restarted before it finished; this text was not kept.' }));
    return 'stale';
  }
  await showOpenDraft(deps, place, result.revision, generationKey);
  return result.status;
}

/** Shows a stored draft as it now stands (open with its tally, or decided), posting it when it has no message yet. */
export async function showOpenDraft(deps: WorkerDeps, place: PagePlace, revision: PageRevision, generationKey: string | null): Promise<void> {
  if (place.thread_id === null) return;
  const coWriters = await countCoWriters(deps.db, place.chapter_id);
  const votes = await deps.db.selectFrom('votes').select(['user_id as userId', 'choice']).where('revision_id', '=', revision.id).execute();
  const tally = tallyVotes(votes, parseQuorumRule(place.quorum) ?? { kind: 'majority' }, coWriters);
  const view = draftViewOf(place.number, revision);
  const phase = revision.status === 'open' ? { phase: 'open' as const, tally } : revision.status === 'superseded' ? { phase: 'superseded' as const } : { phase: revision.status, tally };
  await deps.messages.upsert(
    { channelId: place.thread_id, purpose: 'draft', chapterId: place.chapter_id, pageId: place.id, revisionId: revision.id, generationKey },
    { by: generationKey ? 'generation_key' : 'revision' },
    renderDraftMessage(view, phase),
  );
  const page = await deps.db.selectFrom('story_pages').selectAll().where('id', '=', place.id).executeTakeFirstOrThrow();
  await updatePageCard(deps, { ...place, ...page }, null);
}

/** The page card follows the page's state, and so does the chapter's pinned progress. */
export async function updatePageCard(deps: Pick<WorkerDeps, 'messages' | 'progress'>, place: PagePlace | (PagePlace & StoryPage), note: string | null): Promise<void> {
  if (place.thread_id === null) return;
  deps.progress.refresh(place.chapter_id);
  await deps.messages.upsert(
    { channelId: place.thread_id, purpose: 'page_card', chapterId: place.chapter_id, pageId: place.id, revisionId: null, generationKey: null },
    { by: 'page_card' },
    renderPageCard(place, note),
  );
}

async function markFailed(deps: WorkerDeps, place: PagePlace, data: GenerateDraftJob, userMessage: string): Promise<void> {
  const page = await failGeneration(deps.db, data, userMessage);
  if (!page || place.thread_id === null) return;
  await deps.messages.post(place.thread_id, renderFailureMessage(page, data.kind, userMessage));
  await updatePageCard(deps, { ...place, ...page }, null);
}

/** The thread is gone or we lost access: retrying cannot help, so the chapter waits for an admin. */
export async function markChapterNeedsAttention(deps: Pick<WorkerDeps, 'db'>, chapterId: number, error: ChapterUnreachableError, log: Logger): Promise<string> {
  log.error({ chapterId, code: error.code, err: error.message }, 'chapter thread unreachable; marked as needing attention, not retried');
  await deps.db
    .updateTable('chapters')
    .set({ status: 'needs_attention', attention_reason: `Discord error ${error.code}: ${error.message}` })
    .where('id', '=', chapterId)
    .execute();
  return 'chapter needs attention';
}
