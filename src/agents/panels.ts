import type OpenAI from 'openai';
import type { BuiltPrompt } from '../domain/context-builder.js';
import { panelPromptsSchema, toPanelRows, type PanelPromptRow } from '../domain/panel-prompts.js';
import { AgentFailure, type ModelUsage } from './model-client.js';
import { requestStructured } from './structured-output.js';

const UNREADABLE = 'The panels agent answered in a shape we could not read.';

/** Per panel: scene, characters, camera, mood, and an image prompt with its negative prompt. */
export async function writePanelPrompts(
  client: OpenAI,
  options: { model: string; prompt: BuiltPrompt; cacheKey: string },
): Promise<{ panels: PanelPromptRow[]; usage: ModelUsage }> {
  const { value, usage } = await requestStructured(client, {
    ...options,
    schema: panelPromptsSchema,
    name: 'panel_prompts',
    unreadable: UNREADABLE,
  });
  const panels = toPanelRows(value);
  if (!panels) throw new AgentFailure('malformed', true, UNREADABLE, 'a panel without an image prompt', usage);
  return { panels, usage };
}
