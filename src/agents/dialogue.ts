import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { BuiltPrompt } from '../domain/context-builder.js';
import { dialogueScriptSchema, type DialogueScript } from '../domain/dialogue-script.js';
import { AgentFailure, usageFrom, type ModelUsage } from './model-client.js';

export interface DialogueDraft {
  script: DialogueScript;
  usage: ModelUsage;
}

/** Structured output: panels with speakers and lines, validated by the same zod schema the prompt names. */
export async function writeDialogue(
  client: OpenAI,
  options: { model: string; prompt: BuiltPrompt; cacheKey: string; signal?: AbortSignal },
): Promise<DialogueDraft> {
  let completion;
  try {
    completion = await client.chat.completions.parse(
      {
        model: options.model,
        messages: options.prompt.messages,
        response_format: zodResponseFormat(dialogueScriptSchema, 'dialogue_script'),
        prompt_cache_key: options.cacheKey,
      },
      options.signal ? { signal: options.signal } : {},
    );
  } catch (error) {
    // The SDK parses the content itself: unreadable JSON or a schema mismatch surfaces here.
    if (error instanceof SyntaxError || (error instanceof Error && error.name === 'ZodError')) {
      throw new AgentFailure('malformed', true, 'The model answered with a script we could not read.', error.message);
    }
    throw error;
  }
  const usage = usageFrom(completion.usage);
  const message = completion.choices[0]?.message;
  if (message?.refusal) throw new AgentFailure('refused', false, `The model declined to write this: ${message.refusal}`, 'refusal', usage);
  const parsed = dialogueScriptSchema.safeParse(message?.parsed ?? null);
  if (!parsed.success || parsed.data.panels.length === 0) {
    throw new AgentFailure('malformed', true, 'The model answered with a script we could not read.', 'dialogue schema mismatch', usage);
  }
  return { script: parsed.data, usage };
}
