import type OpenAI from 'openai';
import type { BuiltPrompt } from '../domain/context-builder.js';
import { AgentFailure, NO_USAGE, usageFrom, type ModelUsage } from './model-client.js';

export interface NarrationDraft {
  text: string;
  usage: ModelUsage;
}

/**
 * Streams the narration so the thread can watch it being written; `onText` gets the text so far.
 * A refusal or a cut-off answer is final; an empty answer is worth another attempt.
 */
export async function writeNarration(
  client: OpenAI,
  options: {
    model: string;
    prompt: BuiltPrompt;
    cacheKey: string;
    maxCompletionTokens: number;
    onText?: (textSoFar: string) => void;
    signal?: AbortSignal;
  },
): Promise<NarrationDraft> {
  const stream = await client.chat.completions.create(
    {
      model: options.model,
      messages: options.prompt.messages,
      stream: true,
      stream_options: { include_usage: true },
      prompt_cache_key: options.cacheKey,
      max_completion_tokens: options.maxCompletionTokens,
    },
    options.signal ? { signal: options.signal } : {},
  );
  let text = '';
  let refusal = '';
  let finishReason: string | null = null;
  let usage: ModelUsage = NO_USAGE;
  for await (const chunk of stream) {
    if (chunk.usage) usage = usageFrom(chunk.usage);
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta.refusal) refusal += choice.delta.refusal;
    if (choice.delta.content) {
      text += choice.delta.content;
      options.onText?.(text);
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  if (refusal) throw new AgentFailure('refused', false, `The model declined to write this: ${refusal}`, 'refusal', usage);
  if (finishReason === 'length') {
    throw new AgentFailure('length', false, 'The model ran out of room before finishing the narration.', 'finish_reason length', usage);
  }
  if (finishReason === 'content_filter') {
    throw new AgentFailure('refused', false, "The model's content filter stopped this draft.", 'content_filter', usage);
  }
  if (text.trim().length === 0) throw new AgentFailure('malformed', true, 'The model returned an empty draft.', 'empty narration', usage);
  return { text: text.trim(), usage };
}
