import OpenAI from 'openai';
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/core/error';
import type { Config } from '../config/config.js';
import type { AgentOutcome } from '../db/database.js';

/** Any OpenAI-compatible server: the SDK's own retries stay low because BullMQ attempts sit on top. */
export function createModelClient(model: Config['model']): OpenAI {
  return new OpenAI({
    apiKey: model.apiKey,
    ...(model.baseUrl ? { baseURL: model.baseUrl } : {}),
    timeout: model.timeoutMs,
    maxRetries: model.maxRetries,
  });
}

export interface ModelUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export const NO_USAGE: ModelUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };

export function usageFrom(usage: OpenAI.CompletionUsage | null | undefined): ModelUsage {
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/**
 * A model answer that went wrong, classified once: `retryable` failures go back to BullMQ for another
 * attempt with backoff; the others (a refusal, an answer cut off by length) fail the page at once.
 */
export class AgentFailure extends Error {
  constructor(
    readonly outcome: AgentOutcome,
    readonly retryable: boolean,
    /** Plain words for the thread. */
    readonly userMessage: string,
    message: string,
    readonly usage: ModelUsage = NO_USAGE,
  ) {
    super(message);
    this.name = 'AgentFailure';
  }
}

export function classifyModelError(error: unknown): AgentFailure {
  if (error instanceof AgentFailure) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new AgentFailure('timeout', true, 'The model did not answer in time.', error.message);
  }
  if (error instanceof OpenAI.RateLimitError) {
    return new AgentFailure('rate_limited', true, 'The model service is busy (rate limited).', error.message);
  }
  if (error instanceof LengthFinishReasonError) {
    return new AgentFailure('length', false, 'The model ran out of room before finishing the draft.', error.message);
  }
  if (error instanceof ContentFilterFinishReasonError) {
    return new AgentFailure('refused', false, "The model's content filter stopped this draft.", error.message);
  }
  if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError) {
    return new AgentFailure(
      'error',
      false,
      'The model service refused our credentials; an admin needs to check OPENAI_API_KEY.',
      error.message,
    );
  }
  if (error instanceof OpenAI.NotFoundError || error instanceof OpenAI.BadRequestError) {
    return new AgentFailure('error', false, 'The model service rejected the request (is the model name right?).', error.message);
  }
  if (error instanceof OpenAI.APIError) {
    return new AgentFailure('error', true, 'The model service had an error.', error.message);
  }
  if (error instanceof SyntaxError) {
    return new AgentFailure('malformed', true, 'The model answered in a shape we could not read.', error.message);
  }
  return new AgentFailure(
    'error',
    true,
    'Something went wrong while writing the draft.',
    error instanceof Error ? error.message : String(error),
  );
}
