import { zodResponseFormat } from 'openai/helpers/zod';
import { AgentFailure, classifyModelError, type ModelUsage } from '../agents/model-client.js';
import { writeTakes, type TakesAnswer } from '../agents/takes.js';
import { countTokens } from '../agents/tokens.js';
import { getPage } from '../db/pages.js';
import { renderDraftMessage, renderFailureMessage } from '../views/page-messages.js';
import { buildDialoguePrompt, buildNarrationPrompt, type BuiltPrompt } from '../domain/context-builder.js';
import { dialogueScriptSchema, renderDialogueScript } from '../domain/dialogue-script.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import { outputTokenCap } from '../domain/output-budget.js';
import { recordRound } from '../services/record-draft.js';
import { loadDialogueContext, loadNarrationContext } from '../services/prompt-context.js';
import { recordAgentExecution } from '../services/agent-calls.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import { allowedOrDefault } from '../domain/model-allowlist.js';
import type { DraftDisplay, DraftRun } from './draft-run.js';
import { showDraft } from './page-views.js';
import { ProgressEditor } from './progress-editor.js';

// A round of several takes: one prompt, N answers (one request with `n`, or parallel requests where the
// server cannot), each take recorded as its own revision of the same version. Take A streams into
// the draft's message; the others appear with it when the round is recorded.

/** One take as the model wrote it: the text shown and, for dialogue, the script. */
export interface WrittenTake {
  body: string;
  structured: unknown;
}

const UNREADABLE_SCRIPT = 'The model answered with a script we could not read.';

/** Reads one finished answer into a take, or throws an AgentFailure that costs only that take. */
export function readTake(kind: DraftKind, text: string): WrittenTake {
  if (kind === 'narration') {
    if (text.trim().length === 0) throw new AgentFailure('malformed', true, 'The model returned an empty draft.', 'empty narration');
    return { body: text.trim(), structured: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AgentFailure('malformed', true, UNREADABLE_SCRIPT, error instanceof Error ? error.message : 'unreadable JSON');
  }
  const parsed = dialogueScriptSchema.safeParse(json);
  if (!parsed.success || parsed.data.panels.length === 0) throw new AgentFailure('malformed', true, UNREADABLE_SCRIPT, 'dialogue_script schema mismatch');
  return { body: renderDialogueScript(parsed.data), structured: parsed.data };
}

/** The model a page's draft of this kind is written with: the story's choice if the operator allows it, else the default. */
export function draftModelFor(deps: Pick<WorkerDeps, 'config'>, place: Pick<PagePlace, 'narrator_model' | 'dialogue_model'>, kind: DraftKind): string {
  const { model } = deps.config;
  return kind === 'narration' ? allowedOrDefault(place.narrator_model, model.narratorModel, model.allowedModels) : allowedOrDefault(place.dialogue_model, model.dialogueModel, model.allowedModels);
}

/** The prompt of a draft of this kind, and the most it may write. */
async function promptFor(deps: WorkerDeps, pageId: number, kind: DraftKind): Promise<{ prompt: BuiltPrompt; maxCompletionTokens: number }> {
  const budget = { totalTokens: deps.config.model.promptTokenBudget, bibleTokens: deps.config.model.bibleTokenBudget };
  if (kind === 'narration') {
    const input = await loadNarrationContext(deps.db, pageId, budget);
    return { prompt: buildNarrationPrompt(input, countTokens), maxCompletionTokens: outputTokenCap('narration', input.settings.narrationWords) };
  }
  const input = await loadDialogueContext(deps.db, pageId, budget);
  return { prompt: buildDialoguePrompt(input, countTokens), maxCompletionTokens: outputTokenCap('dialogue', input.settings.narrationWords) };
}

/**
 * Asks for `count` takes of one prompt. Each take's call is logged with its share of the tokens (with
 * `n` the prompt is charged to take A: it was read once). Throws only when every take failed.
 */
export async function writeTakesOfPage(
  deps: WorkerDeps,
  request: { pageId: number; storyId: number; chapterId: number; kind: DraftKind; model: string; count: number; jobId: string; attempt: number; firstTake: number },
  onText?: (take: number, text: string) => void,
): Promise<{ answer: TakesAnswer<WrittenTake>; prompt: BuiltPrompt }> {
  const { prompt, maxCompletionTokens } = await promptFor(deps, request.pageId, request.kind);
  const started = Date.now();
  let firstTokenMs: number | null = null;
  const log = (take: number | null, usage: ModelUsage | null, failure: AgentFailure | null) =>
    recordAgentExecution(deps, {
      storyId: request.storyId,
      chapterId: request.chapterId,
      pageId: request.pageId,
      agent: request.kind === 'narration' ? 'narrator' : 'dialogue',
      model: request.model,
      jobId: request.jobId,
      attempt: request.attempt,
      usage,
      latencyMs: Date.now() - started,
      firstTokenMs,
      outcome: failure ? failure.outcome : 'ok',
      error: failure ? failure.message : null,
      take,
    });
  const body = {
    model: request.model,
    messages: prompt.messages,
    prompt_cache_key: `story-${request.storyId}`,
    max_completion_tokens: maxCompletionTokens,
    ...(request.kind === 'dialogue' ? { response_format: zodResponseFormat(dialogueScriptSchema, 'dialogue_script') } : {}),
  };
  let answer: TakesAnswer<WrittenTake>;
  try {
    answer = await writeTakes(deps.model, {
      body,
      count: request.count,
      strategy: deps.config.model.takesStrategy,
      memory: deps.takesMemory,
      server: `${deps.config.model.baseUrl ?? 'https://api.openai.com/v1'} ${request.model}`,
      read: (text) => readTake(request.kind, text),
      onText: (take, text) => {
        firstTokenMs ??= Date.now() - started;
        onText?.(take, text);
      },
    });
  } catch (error) {
    const failure = classifyModelError(error);
    await log(null, failure.usage, failure);
    throw failure;
  }
  for (const [index, take] of answer.takes.entries()) await log(request.firstTake + index, take.usage, take.ok ? null : take.failure);
  return { answer, prompt };
}

/** A generation job for a page whose rounds have several takes: write them, record the round, show it. */
export async function writeAndRecordRound(run: DraftRun, display: DraftDisplay, model: string, count: number, markFailed: (userMessage: string) => Promise<void>): Promise<string> {
  const { deps, job, data, generationKey, place, log } = run;
  const { target, view } = display;
  const editor = new ProgressEditor(
    deps.streamEditIntervalMs,
    async (text) => {
      await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, take: 0, text: `${text} ▍` }, display.writing));
    },
    (error) => log.warn({ err: error }, 'progress edit failed'),
  );
  let written: Awaited<ReturnType<typeof writeTakesOfPage>>;
  try {
    written = await writeTakesOfPage(
      deps,
      { pageId: place.id, storyId: place.story_id, chapterId: place.chapter_id, kind: data.kind, model, count, jobId: generationKey, attempt: job.attemptsMade + 1, firstTake: 0 },
      (take, text) => {
        // Take A streams into the draft's message; the other takes are shown when the round is recorded.
        if (take !== 0 || data.kind !== 'narration') return;
        display.onText(text);
        editor.push(text);
      },
    );
  } catch (error) {
    await editor.close();
    await display.stopWriting();
    const failure = classifyModelError(error);
    if (failure.retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
      log.warn({ outcome: failure.outcome, err: failure.message }, 'every take failed; BullMQ retries the round with backoff');
      throw failure;
    }
    log.warn({ outcome: failure.outcome, err: failure.message }, 'every take failed for good; the page waits for Retry');
    await markFailed(failure.userMessage);
    return 'failed';
  }
  await editor.close();
  await display.stopWriting();
  const { answer, prompt } = written;
  const kept = answer.takes.flatMap((take) => (take.ok ? [{ ...take.value, promptContext: prompt.report }] : []));
  const lost = answer.takes.length - kept.length;
  if (lost > 0) log.warn({ lost, kept: kept.length }, 'some takes failed (cut off, refused or unreadable); the round goes on with the others');
  const result = await recordRound(deps.db, { ...data, generationKey }, kept, deps.config.review);
  if (result.status === 'stale') {
    log.info('page moved on while the takes were written (cancelled or restarted); round dropped');
    const page = await getPage(deps.db, place.id);
    const shown =
      page?.state === 'generation_failed'
        ? renderFailureMessage(page, page.stage, 'Cancelled before it finished; these takes were not kept.')
        : renderDraftMessage(view, { phase: 'dropped', reason: 'Cancelled or restarted before it finished; these takes were not kept.' });
    await deps.messages.upsert(target, { by: 'generation_key' }, shown);
    return 'stale';
  }
  await showDraft(deps, { place, revision: result.revision, generationKey });
  return result.status;
}
