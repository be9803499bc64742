import { zodResponseFormat } from 'openai/helpers/zod';
import { writeDialogue } from '../agents/dialogue.js';
import { AgentFailure, classifyModelError, type ModelUsage } from '../agents/model-client.js';
import { writeNarration } from '../agents/narrator.js';
import { writeTakes, type TakesAnswer } from '../agents/takes.js';
import { countTokens } from '../agents/tokens.js';
import type { AgentOutcome } from '../db/database.js';
import { buildDialoguePrompt, buildNarrationPrompt, type BuiltPrompt, type PromptReport } from '../domain/context-builder.js';
import { dialogueScriptSchema, renderDialogueScript } from '../domain/dialogue-script.js';
import { allowedOrDefault } from '../domain/model-allowlist.js';
import { outputTokenCap } from '../domain/output-budget.js';
import type { DraftKind } from '../domain/page-state-machine.js';
import { recordAgentExecution, type AgentContext } from './agent-calls.js';
import { loadDialogueContext, loadNarrationContext } from './prompt-context.js';

// The model calls that write a page's draft: one draft (narration streamed), or a round of several
// takes of one prompt (one request with `n`, or parallel requests where the server cannot). Each call
// is logged; recording the answer is the caller's (draft-page.ts, another-take.ts).

/** One take as the model wrote it: the text shown and, for dialogue, the script. */
export interface WrittenTake {
  body: string;
  structured: unknown;
}

/** Which page a draft is written for, and which run of which job asks. */
export interface DraftCall {
  pageId: number;
  storyId: number;
  chapterId: number;
  kind: DraftKind;
  model: string;
  jobId: string;
  attempt: number;
}

const UNREADABLE_SCRIPT = 'The model answered with a script we could not read.';

/** Reads one finished answer into a take, or throws an AgentFailure that costs only that take. */
function readTake(kind: DraftKind, text: string): WrittenTake {
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
  if (!parsed.success || parsed.data.panels.length === 0)
    throw new AgentFailure('malformed', true, UNREADABLE_SCRIPT, 'dialogue_script schema mismatch');
  return { body: renderDialogueScript(parsed.data), structured: parsed.data };
}

/** The model a page's draft of this kind is written with: the story's choice if the operator allows it, else the default. */
export function draftModelFor(
  deps: Pick<AgentContext, 'config'>,
  place: { narrator_model: string | null; dialogue_model: string | null },
  kind: DraftKind,
): string {
  const { model } = deps.config;
  return kind === 'narration'
    ? allowedOrDefault(place.narrator_model, model.narratorModel, model.allowedModels)
    : allowedOrDefault(place.dialogue_model, model.dialogueModel, model.allowedModels);
}

/** The prompt of a draft of this kind, and the most it may write. */
async function promptFor(
  deps: AgentContext,
  pageId: number,
  kind: DraftKind,
): Promise<{ prompt: BuiltPrompt; maxCompletionTokens: number }> {
  const budget = { totalTokens: deps.config.model.promptTokenBudget, bibleTokens: deps.config.model.bibleTokenBudget };
  if (kind === 'narration') {
    const input = await loadNarrationContext(deps.db, pageId, budget);
    return {
      prompt: buildNarrationPrompt(input, countTokens),
      maxCompletionTokens: outputTokenCap('narration', input.settings.narrationWords),
    };
  }
  const input = await loadDialogueContext(deps.db, pageId, budget);
  return {
    prompt: buildDialoguePrompt(input, countTokens),
    maxCompletionTokens: outputTokenCap('dialogue', input.settings.narrationWords),
  };
}

/**
 * Asks for one draft, narration streamed through `onText`, and logs the call. A failure is logged and
 * thrown classified (an AgentFailure); `answered` runs first, once the model has answered either way.
 */
export async function writeOneDraft(
  deps: AgentContext,
  call: DraftCall,
  display: { onText: (text: string) => void; answered: () => Promise<void> },
): Promise<WrittenTake & { promptContext: PromptReport }> {
  const started = Date.now();
  let firstTokenMs: number | null = null;
  const logCall = (callUsage: ModelUsage | null, outcome: AgentOutcome, error: string | null) =>
    recordAgentExecution(deps, {
      storyId: call.storyId,
      chapterId: call.chapterId,
      pageId: call.pageId,
      agent: call.kind === 'narration' ? 'narrator' : 'dialogue',
      model: call.model,
      jobId: call.jobId,
      attempt: call.attempt,
      usage: callUsage,
      latencyMs: Date.now() - started,
      firstTokenMs,
      outcome,
      error,
    });
  let written: WrittenTake & { promptContext: PromptReport; usage: ModelUsage };
  try {
    const { prompt, maxCompletionTokens } = await promptFor(deps, call.pageId, call.kind);
    const request = { model: call.model, prompt, cacheKey: `story-${call.storyId}`, maxCompletionTokens };
    if (call.kind === 'narration') {
      const draft = await writeNarration(deps.model, {
        ...request,
        onText: (text) => {
          firstTokenMs ??= Date.now() - started;
          display.onText(text);
        },
      });
      written = { body: draft.text, structured: null, promptContext: prompt.report, usage: draft.usage };
    } else {
      const draft = await writeDialogue(deps.model, request);
      written = { body: renderDialogueScript(draft.script), structured: draft.script, promptContext: prompt.report, usage: draft.usage };
    }
  } catch (error) {
    await display.answered();
    const failure = classifyModelError(error);
    await logCall(failure.usage, failure.outcome, failure.message);
    throw failure;
  }
  await display.answered();
  await logCall(written.usage, 'ok', null);
  return { body: written.body, structured: written.structured, promptContext: written.promptContext };
}

/**
 * Asks for `count` takes of one prompt. Each take's call is logged with its share of the tokens (with
 * `n` the prompt is charged to take A: it was read once). Throws only when every take failed.
 */
export async function writeTakesOfPage(
  deps: AgentContext,
  request: DraftCall & { count: number; firstTake: number },
  onText?: (take: number, text: string) => void,
): Promise<{ answer: TakesAnswer<WrittenTake>; prompt: BuiltPrompt }> {
  const { prompt, maxCompletionTokens } = await promptFor(deps, request.pageId, request.kind);
  const started = Date.now();
  let firstTokenMs: number | null = null;
  const log = (take: number | null, usage: ModelUsage | null, failure: AgentFailure | null, sharesRequest = false) =>
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
      sharesRequest,
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
  for (const [index, take] of answer.takes.entries())
    await log(request.firstTake + index, take.usage, take.ok ? null : take.failure, take.sharesRequest === true);
  return { answer, prompt };
}
