import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { z } from 'zod';
import type { BuiltPrompt } from '../domain/context-builder.js';
import { AgentFailure, usageFrom, type ModelUsage } from './model-client.js';

export interface StructuredAnswer<T> {
  value: T;
  usage: ModelUsage;
}

/**
 * One structured-output call: the zod schema becomes the response format and checks the answer again,
 * so a server that ignores strict mode still cannot hand us a shape we did not ask for.
 */
export async function requestStructured<S extends z.ZodType>(
  client: OpenAI,
  options: {
    model: string;
    prompt: BuiltPrompt;
    cacheKey: string;
    schema: S;
    name: string;
    unreadable: string;
    maxCompletionTokens?: number;
    signal?: AbortSignal;
  },
): Promise<StructuredAnswer<z.infer<S>>> {
  let completion;
  try {
    completion = await client.chat.completions.parse(
      {
        model: options.model,
        messages: options.prompt.messages,
        response_format: zodResponseFormat(options.schema, options.name),
        prompt_cache_key: options.cacheKey,
        ...(options.maxCompletionTokens ? { max_completion_tokens: options.maxCompletionTokens } : {}),
      },
      options.signal ? { signal: options.signal } : {},
    );
  } catch (error) {
    // The SDK parses the content itself: unreadable JSON or a schema mismatch surfaces here.
    if (error instanceof SyntaxError || (error instanceof Error && error.name === 'ZodError')) {
      throw new AgentFailure('malformed', true, options.unreadable, error.message);
    }
    throw error;
  }
  const usage = usageFrom(completion.usage);
  const message = completion.choices[0]?.message;
  if (message?.refusal) throw new AgentFailure('refused', false, `The model declined to write this: ${message.refusal}`, 'refusal', usage);
  const parsed = options.schema.safeParse(message?.parsed ?? null);
  if (!parsed.success) throw new AgentFailure('malformed', true, options.unreadable, `${options.name} schema mismatch`, usage);
  return { value: parsed.data, usage };
}
