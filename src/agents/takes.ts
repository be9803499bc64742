import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { AgentFailure, classifyModelError, NO_USAGE, usageFrom, type ModelUsage } from './model-client.js';

// Several takes of one draft. The cheap way is one request with `n` choices: the prompt is read and
// billed once. Servers differ: some answer with fewer choices (Ollama ignores `n`), some refuse it
// (older llama.cpp: a 500 "Only one completion choice is allowed"). Those get one-choice requests in
// parallel for the missing takes, and the process remembers the server so later rounds go straight
// to parallel requests. One take cut off, refused or unreadable does not throw away the others.

/** `auto`: `n` until a server shows it cannot; `n` and `parallel` force one way. */
export type TakesStrategy = 'auto' | 'n' | 'parallel';

/** Servers (base URL and model) seen answering `n` with fewer choices or an error, for this process. */
export class MultipleChoicesMemory {
  private readonly needParallel = new Set<string>();

  needsParallel(server: string): boolean {
    return this.needParallel.has(server);
  }

  remember(server: string): void {
    this.needParallel.add(server);
  }
}

/** `sharesRequest`: the take came in one `n` request with an earlier take, so it is not a request of its own. */
export type TakeOutcome<T> = ({ ok: true; value: T; usage: ModelUsage } | { ok: false; failure: AgentFailure; usage: ModelUsage }) & {
  sharesRequest?: boolean;
};

export interface TakesAnswer<T> {
  /** One per take asked for, in take order (A first). */
  takes: TakeOutcome<T>[];
  /** The whole round's usage: with `n`, the prompt counted once. */
  usage: ModelUsage;
  /** Requests sent: 1 with `n` answered in full. */
  requests: number;
  /** True when some or all takes came from one-choice requests. */
  usedParallel: boolean;
}

export interface TakesRequest<T> {
  /** The request body without `n` and streaming fields. */
  body: Omit<ChatCompletionCreateParamsStreaming, 'n' | 'stream' | 'stream_options'>;
  count: number;
  strategy: TakesStrategy;
  memory: MultipleChoicesMemory;
  /** What identifies the server for the memory: its base URL and the model. */
  server: string;
  /** Turns one finished choice's text into the take, or throws an AgentFailure (empty, unreadable). */
  read: (text: string) => T;
  /** Each take's text so far, by take index, while it streams. */
  onText?: (take: number, textSoFar: string) => void;
  signal?: AbortSignal;
}

interface StreamedChoice {
  text: string;
  refusal: string;
  finishReason: string | null;
}

/** Writes `count` takes; throws only when every take failed (the first failure, classified). */
export async function writeTakes<T>(client: OpenAI, request: TakesRequest<T>): Promise<TakesAnswer<T>> {
  const count = Math.max(1, Math.floor(request.count));
  const useN = count > 1 && (request.strategy === 'n' || (request.strategy === 'auto' && !request.memory.needsParallel(request.server)));
  const takes: (TakeOutcome<T> | undefined)[] = new Array<TakeOutcome<T> | undefined>(count).fill(undefined);
  let usage = NO_USAGE;
  let requests = 0;
  let usedParallel = false;

  if (useN) {
    requests += 1;
    try {
      const answer = await streamChoices(client, request, count, 0);
      usage = addUsage(usage, answer.usage);
      const answered = answer.choices.slice(0, count);
      const shares = shareCompletionTokens(
        answer.usage,
        answered.map((choice) => choice ?? { text: '', refusal: '' }),
      );
      const first = answered.findIndex((choice) => choice !== undefined);
      answered.forEach((choice, index) => {
        if (choice) takes[index] = { ...readChoice(request, choice, shares[index] ?? NO_USAGE), sharesRequest: index > first };
      });
      if (takes.includes(undefined) && request.strategy === 'auto') request.memory.remember(request.server);
    } catch (error) {
      const failure = classifyModelError(error);
      if (!(request.strategy === 'auto' && refusesMultipleChoices(error))) throw failure;
      request.memory.remember(request.server);
    }
  }

  const missing = takes.flatMap((take, index) => (take === undefined ? [index] : []));
  if (missing.length > 0) {
    usedParallel = count > 1;
    requests += missing.length;
    const answers = await Promise.allSettled(missing.map((index) => streamChoices(client, request, 1, index)));
    answers.forEach((settled, position) => {
      const index = missing[position] as number;
      if (settled.status === 'rejected') {
        takes[index] = { ok: false, failure: classifyModelError(settled.reason), usage: NO_USAGE };
        return;
      }
      usage = addUsage(usage, settled.value.usage);
      const [choice] = settled.value.choices;
      takes[index] = choice
        ? readChoice(request, choice, settled.value.usage)
        : {
            ok: false,
            failure: new AgentFailure('malformed', true, 'The model returned an empty draft.', 'no choice'),
            usage: settled.value.usage,
          };
    });
  }

  const finished = takes.map(
    (take) =>
      take ?? { ok: false as const, failure: new AgentFailure('error', true, 'A take was not written.', 'missing take'), usage: NO_USAGE },
  );
  const firstFailure = finished.find((take): take is Extract<TakeOutcome<T>, { ok: false }> => !take.ok);
  if (firstFailure && finished.every((take) => !take.ok)) {
    const { failure } = firstFailure;
    throw new AgentFailure(failure.outcome, failure.retryable, failure.userMessage, failure.message, usage);
  }
  return { takes: finished, usage, requests, usedParallel };
}

/** One streamed request; choices are told apart by the chunk's index (offset by `firstTake` for the text callback). */
async function streamChoices<T>(
  client: OpenAI,
  request: TakesRequest<T>,
  n: number,
  firstTake: number,
): Promise<{ choices: (StreamedChoice | undefined)[]; usage: ModelUsage }> {
  const stream = await client.chat.completions.create(
    { ...request.body, ...(n > 1 ? { n } : {}), stream: true, stream_options: { include_usage: true } },
    request.signal ? { signal: request.signal } : {},
  );
  // Indexed by the chunk's choice index; a server that skips an index leaves that take missing.
  const choices: (StreamedChoice | undefined)[] = [];
  let usage = NO_USAGE;
  for await (const chunk of stream) {
    if (chunk.usage) usage = usageFrom(chunk.usage);
    for (const delta of chunk.choices) {
      if (delta.index < 0 || delta.index >= n) continue;
      const choice = (choices[delta.index] ??= { text: '', refusal: '', finishReason: null });
      if (delta.delta.refusal) choice.refusal += delta.delta.refusal;
      if (delta.delta.content) {
        choice.text += delta.delta.content;
        request.onText?.(firstTake + delta.index, choice.text);
      }
      if (delta.finish_reason) choice.finishReason = delta.finish_reason;
    }
  }
  return { choices, usage };
}

function readChoice<T>(request: TakesRequest<T>, choice: StreamedChoice, usage: ModelUsage): TakeOutcome<T> {
  try {
    if (choice.refusal) throw new AgentFailure('refused', false, `The model declined to write this: ${choice.refusal}`, 'refusal');
    if (choice.finishReason === 'length')
      throw new AgentFailure('length', false, 'The model ran out of room before finishing this take.', 'finish_reason length');
    if (choice.finishReason === 'content_filter')
      throw new AgentFailure('refused', false, "The model's content filter stopped this take.", 'content_filter');
    return { ok: true, value: request.read(choice.text), usage };
  } catch (error) {
    return { ok: false, failure: classifyModelError(error), usage };
  }
}

/**
 * A server that cannot do `n`: it says so with a 400-class or 500 answer. A rate limit, a timeout or a
 * dropped connection says nothing about `n` and goes back to the caller's retries.
 */
function refusesMultipleChoices(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError) || error instanceof OpenAI.RateLimitError) return false;
  if (error instanceof OpenAI.APIConnectionError) return false;
  const status: number = typeof error.status === 'number' ? error.status : 0;
  return status === 400 || status === 422 || status === 500 || status === 501;
}

/**
 * With `n` the server reports one usage for the request: the input is charged to the first take (it
 * was read once) and the output split by each choice's share of the text, so the takes sum to the whole.
 */
export function shareCompletionTokens(usage: ModelUsage, choices: readonly Pick<StreamedChoice, 'text' | 'refusal'>[]): ModelUsage[] {
  if (choices.length === 0) return [];
  const lengths = choices.map((choice) => choice.text.length + choice.refusal.length);
  const total = lengths.reduce((sum, length) => sum + length, 0);
  let given = 0;
  return choices.map((_, index) => {
    const last = index === choices.length - 1;
    const share = last
      ? usage.completionTokens - given
      : total === 0
        ? 0
        : Math.floor((usage.completionTokens * (lengths[index] ?? 0)) / total);
    given += share;
    return index === 0 ? { ...usage, completionTokens: share } : { promptTokens: 0, cachedTokens: 0, completionTokens: share };
  });
}

function addUsage(a: ModelUsage, b: ModelUsage): ModelUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
  };
}
