import type OpenAI from 'openai';
import type { BuiltPrompt } from '../domain/context-builder.js';
import { continuityReviewSchema, formatReviewNotes } from '../domain/continuity-review.js';
import type { ModelUsage } from './model-client.js';
import { requestStructured } from './structured-output.js';

/** Advisory notes on a narration draft: contradictions, names spelled two ways, dropped threads. */
export async function reviewContinuity(
  client: OpenAI,
  options: { model: string; prompt: BuiltPrompt; cacheKey: string },
): Promise<{ notes: string[]; usage: ModelUsage }> {
  const { value, usage } = await requestStructured(client, {
    ...options,
    schema: continuityReviewSchema,
    name: 'continuity_review',
    unreadable: 'The continuity reviewer answered in a shape we could not read.',
  });
  return { notes: formatReviewNotes(value), usage };
}
