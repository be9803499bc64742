import { DelayedError, type Job } from 'bullmq';
import type { AgentOutcome } from '../db/database.js';
import { getPage, getPageWithPlace, nextRevisionVersion } from '../db/pages.js';
import { findRevisionByGenerationKey } from '../db/revisions.js';
import { buildDialoguePrompt, buildNarrationPrompt, type PromptReport } from '../domain/context-builder.js';
import { outputTokenCap } from '../domain/output-budget.js';
import { countTokens } from '../agents/tokens.js';
import { renderDialogueScript } from '../domain/dialogue-script.js';
import { classifyModelError, type ModelUsage } from '../agents/model-client.js';
import { writeDialogue } from '../agents/dialogue.js';
import { writeNarration } from '../agents/narrator.js';
import { describeQueuePlace, renderDraftMessage, renderFailureMessage, type DraftView } from '../views/page-messages.js';
import { generateDraftJob, jobKeyFor } from '../domain/jobs.js';
import { failGeneration, recordDraft } from '../services/record-draft.js';
import { budgetSpentMessage, getBudgetStatus, isBudgetSpent } from '../services/budget-service.js';
import { claimGenerationSlot } from '../services/generation-slots.js';
import { loadDialogueContext, loadNarrationContext } from '../services/prompt-context.js';
import { recordAgentExecution } from '../services/agent-calls.js';
import type { WorkerDeps } from './deps.js';
import type { MessageTarget } from './discord-messages.js';
import type { DraftDisplay, DraftRun } from './draft-run.js';
import { draftModelFor, writeAndRecordRound } from './write-round.js';
import { showDraft, updatePageCard, whileChapterReachable } from './page-views.js';
import { ProgressEditor } from './progress-editor.js';

/** Draft a narration or dialogue: show progress, call the model, record the revision, show it for a vote. */
export async function processGenerateDraft(deps: WorkerDeps, job: Job, token?: string): Promise<string> {
  const data = generateDraftJob.parse(job.data);
  const generationKey = job.id ?? jobKeyFor('generate-draft', data);
  const log = deps.logger.child({ pageId: data.pageId, jobId: generationKey, kind: data.kind, attempt: job.attemptsMade + 1 });
  const place = await getPageWithPlace(deps.db, data.pageId);
  if (!place || place.thread_id === null) return 'page gone';
  const run: DraftRun = { deps, job, token, data, generationKey, place: { ...place, thread_id: place.thread_id }, log };
  return whileChapterReachable(deps, place.chapter_id, log, () => generateDraft(run));
}

async function generateDraft(run: DraftRun): Promise<string> {
  const { deps, data, generationKey, place, log } = run;
  const recorded = await findRevisionByGenerationKey(deps.db, generationKey);
  if (recorded) {
    // A second run of a job whose draft is already stored: only make sure it is shown.
    await showDraft(deps, { place, revision: recorded, generationKey });
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
    await markFailed(run, budgetSpentMessage(budget));
    return 'over budget';
  }

  const version = await nextRevisionVersion(deps.db, place.id, data.kind);
  const view: DraftView = { pageId: place.id, pageNumber: place.number, kind: data.kind, version, revisionId: null, text: '' };
  const target = { channelId: place.thread_id, purpose: 'draft' as const, chapterId: place.chapter_id, pageId: place.id, revisionId: null, generationKey };
  const slot = await claimGenerationSlot(deps.db, data, deps.config.limits.maxGenerationsPerGuild);
  if (slot.status === 'stale') {
    log.info('page moved on before its draft could start; generation job skipped');
    // A draft that showed its place in the queue says it will not be written after all.
    if (shownQueuePlace(run.job) !== null) await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, { phase: 'dropped', reason: 'Cancelled or restarted before its turn came.' }));
    return 'stale';
  }
  if (slot.status === 'waiting') return waitForSlot(run, target, view, slot.place);
  // Mutable on purpose: once the draft is slow, every later progress edit keeps offering Retry and Cancel.
  const writing: { phase: 'writing'; queuePosition: null; slowPageVersion?: number } = { phase: 'writing', queuePosition: null };
  let textSoFar = '';
  await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, writing));
  await updatePageCard(deps, place, `${data.kind === 'narration' ? 'Narration' : 'Dialogue'} v${version} is being written…`);
  let slowEdit: Promise<void> = Promise.resolve();
  const slowTimer = setTimeout(() => {
    writing.slowPageVersion = data.pageVersion;
    slowEdit = deps.messages
      .upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, text: textSoFar }, writing))
      .then(
        () => undefined,
        (error: unknown) => log.warn({ err: error }, 'could not offer Retry and Cancel on a slow draft'),
      );
  }, deps.config.worker.slowGenerationMs);
  // Once the model has answered, no "still writing" edit may land after what follows (the draft, a failure notice).
  const stopWriting = async () => {
    clearTimeout(slowTimer);
    await slowEdit;
  };
  try {
    return await writeAndRecord(run, { target, view, writing, onText: (text) => (textSoFar = text), stopWriting });
  } finally {
    clearTimeout(slowTimer);
  }
}

/**
 * Over its server's cap: the draft shows its place in the queue (when it changed) and its job goes
 * back to BullMQ, delayed, to ask again; the first in line asks most often.
 */
async function waitForSlot(run: DraftRun, target: MessageTarget, view: DraftView, queuePlace: number): Promise<never> {
  const { deps, job, token, place, log } = run;
  if (shownQueuePlace(job) !== queuePlace) {
    log.info({ queuePlace }, 'server at its cap of drafts written at once; draft waits its turn');
    await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, { phase: 'writing', queuePosition: queuePlace }));
    await updatePageCard(deps, place, describeQueuePlace(queuePlace));
    await job.updateProgress({ queuePlace });
  }
  if (token === undefined) throw new Error('a draft waiting for a slot needs its job lock token');
  await job.moveToDelayed(Date.now() + Math.min(queuePlace, 5) * SLOT_POLL_MS, token);
  throw new DelayedError();
}

/** The place in the queue this job's draft message shows, kept in the job's progress; null before it waited. */
function shownQueuePlace(job: Job): number | null {
  const progress: unknown = job.progress;
  return typeof progress === 'object' && progress !== null && 'queuePlace' in progress && typeof progress.queuePlace === 'number' ? progress.queuePlace : null;
}

/** How often the first draft in a server's queue asks for a slot again (later ones ask less often). */
const SLOT_POLL_MS = 500;

/** Asks the model for the draft (streaming narration into its message), then records and shows it. */
async function writeAndRecord(run: DraftRun, display: DraftDisplay): Promise<string> {
  const { deps, job, data, generationKey, place, log } = run;
  const { target, view } = display;
  const model = draftModelFor(deps, place, data.kind);
  const takes = place.takes ?? place.story_takes;
  if (takes > 1) return writeAndRecordRound(run, display, model, takes, (userMessage) => markFailed(run, userMessage));
  const started = Date.now();
  let firstTokenMs: number | null = null;
  const logCall = (callUsage: ModelUsage | null, outcome: AgentOutcome, error: string | null) =>
    recordAgentExecution(deps, {
      storyId: place.story_id,
      chapterId: place.chapter_id,
      pageId: place.id,
      agent: data.kind === 'narration' ? 'narrator' : 'dialogue',
      model,
      jobId: generationKey,
      attempt: job.attemptsMade + 1,
      usage: callUsage,
      latencyMs: Date.now() - started,
      firstTokenMs,
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
      const input = await loadNarrationContext(deps.db, place.id, budget);
      const prompt = buildNarrationPrompt(input, countTokens);
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
          maxCompletionTokens: outputTokenCap('narration', input.settings.narrationWords),
          onText: (text) => {
            firstTokenMs ??= Date.now() - started;
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
      const input = await loadDialogueContext(deps.db, place.id, budget);
      const prompt = buildDialoguePrompt(input, countTokens);
      report = prompt.report;
      const draft = await writeDialogue(deps.model, { model, prompt, cacheKey: `story-${place.story_id}`, maxCompletionTokens: outputTokenCap('dialogue', input.settings.narrationWords) });
      structured = draft.script;
      body = renderDialogueScript(draft.script);
      usage = draft.usage;
    }
  } catch (error) {
    await display.stopWriting();
    const failure = classifyModelError(error);
    await logCall(failure.usage, failure.outcome, failure.message);
    const attempts = job.opts.attempts ?? 1;
    if (failure.retryable && job.attemptsMade + 1 < attempts) {
      log.warn({ outcome: failure.outcome, err: failure.message }, 'generation failed; BullMQ retries it with backoff');
      throw failure;
    }
    log.warn({ outcome: failure.outcome, err: failure.message }, 'generation failed for good; the page waits for Retry');
    await markFailed(run, failure.userMessage);
    return 'failed';
  }

  await display.stopWriting();
  await logCall(usage, 'ok', null);
  const result = await recordDraft(deps.db, { ...data, generationKey }, { body, structured, promptContext: report }, deps.config.review);
  if (result.status === 'stale') {
    log.info('page moved on while the draft was written (cancelled or restarted); draft dropped');
    const page = await getPage(deps.db, place.id);
    // Cancelled: the message is the page's failure notice now, and keeps its Retry.
    const shown =
      page?.state === 'generation_failed'
        ? renderFailureMessage(page, page.stage, 'Cancelled before it finished; this text was not kept.')
        : renderDraftMessage({ ...view, text: body }, { phase: 'dropped', reason: 'Cancelled or restarted before it finished; this text was not kept.' });
    await deps.messages.upsert(target, { by: 'generation_key' }, shown);
    return 'stale';
  }
  await showDraft(deps, { place, revision: result.revision, generationKey });
  return result.status;
}

/** The draft could not be written: the page waits for a co-writer's Retry, shown on a failure notice. */
async function markFailed(run: DraftRun, userMessage: string): Promise<void> {
  const { deps, data, place, generationKey } = run;
  const page = await failGeneration(deps.db, data, userMessage);
  if (!page) return;
  // The message that showed the draft being written becomes the notice: no "being written" is left behind.
  const target = { channelId: place.thread_id, purpose: 'draft' as const, chapterId: place.chapter_id, pageId: place.id, revisionId: null, generationKey };
  await deps.messages.upsert(target, { by: 'generation_key' }, renderFailureMessage(page, data.kind, userMessage));
  await updatePageCard(deps, { ...place, ...page }, null);
}
