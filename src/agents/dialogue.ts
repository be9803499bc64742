import type OpenAI from 'openai';
import type { BuiltPrompt } from '../domain/context-builder.js';
import { dialogueScriptSchema, type DialogueScript } from '../domain/dialogue-script.js';
import { AgentFailure, type ModelUsage } from './model-client.js';
import { requestStructured } from './structured-output.js';

export interface DialogueDraft {
  script: DialogueScript;
  usage: ModelUsage;
}

const UNREADABLE = 'The model answered with a script we could not read.';

/** Structured output: panels with speakers and lines, validated by the same zod schema the prompt names. */
export async function writeDialogue(
  client: OpenAI,
  options: { model: string; prompt: BuiltPrompt; cacheKey: string; maxCompletionTokens: number; signal?: AbortSignal },
): Promise<DialogueDraft> {
  const { value, usage } = await requestStructured(client, {
    ...options,
    schema: dialogueScriptSchema,
    name: 'dialogue_script',
    unreadable: UNREADABLE,
  });
  if (value.panels.length === 0) throw new AgentFailure('malformed', true, UNREADABLE, 'dialogue without panels', usage);
  return { script: value, usage };
}
