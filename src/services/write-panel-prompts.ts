import { writePanelPrompts } from '../agents/panels.js';
import { countTokens } from '../agents/tokens.js';
import type { PageRevision } from '../db/database.js';
import { getPageWithPlace, getRevision, type PagePlace } from '../db/pages.js';
import { hasPanelPrompts } from '../db/panel-prompts.js';
import { buildPanelsPrompt } from '../domain/context-builder.js';
import type { JobData } from '../domain/jobs.js';
import type { AgentContext, JobAttempt } from './agent-calls.js';
import { budgetOf, callAdvisory, overBudget } from './advisory-call.js';
import { recordPanelPrompts, renderSettingsOf } from './panel-renders.js';
import { loadDialogueContext } from './prompt-context.js';

// The comic pipeline's entry: an approved page's dialogue becomes image prompts, one per panel, and
// (rendering on) each panel's render job (render-panel); the set is then voted on (approve-panels).

/** What writing a page's panel prompts came to: prompts stored, the agent gave up, or nothing to do (the reason). */
export type PanelPromptsOutcome =
  | { status: 'written'; place: PagePlace; panels: number; recorded: number }
  | { status: 'gave up'; place: PagePlace; dialogue: PageRevision; reason: string }
  | { status: 'skipped'; reason: string };

/**
 * After a page is approved: image prompts per panel, stored in panel_prompts for /chapter export, and
 * with rendering on, one render job per panel written with them.
 */
export async function writePagePanelPrompts(
  deps: AgentContext,
  data: JobData<'generate-panels'>,
  run: JobAttempt,
): Promise<PanelPromptsOutcome> {
  const { pageId, dialogueRevisionId } = data;
  if (!deps.config.review.panelPrompts) return { status: 'skipped', reason: 'panel prompts are turned off' };
  const place = await getPageWithPlace(deps.db, pageId);
  const dialogue = await getRevision(deps.db, dialogueRevisionId);
  if (!place || !dialogue || dialogue.page_id !== pageId || dialogue.kind !== 'dialogue') return { status: 'skipped', reason: 'page gone' };
  if (await hasPanelPrompts(deps.db, dialogueRevisionId)) return { status: 'skipped', reason: 'already written' };
  if (await overBudget(deps, place.story_id)) return { status: 'skipped', reason: 'over budget' };
  const prompt = buildPanelsPrompt(await loadDialogueContext(deps.db, pageId, budgetOf(deps)), dialogue.body, countTokens);
  const model = deps.config.model.panelsModel;
  const result = await callAdvisory(deps, run, { agent: 'panels', model, place }, () =>
    writePanelPrompts(deps.model, { model, prompt, cacheKey: `story-${place.story_id}` }),
  );
  if ('gaveUp' in result) return { status: 'gave up', place, dialogue, reason: result.gaveUp };
  // A second run of the job (a false stall) finds the first one's rows and keeps them.
  const recorded = await recordPanelPrompts(
    deps.db,
    result.panels.map((panel) => ({
      page_id: pageId,
      revision_id: dialogueRevisionId,
      panel_number: panel.panelNumber,
      scene: panel.scene,
      characters: panel.characters,
      camera: panel.camera,
      mood: panel.mood,
      prompt: panel.prompt,
      negative_prompt: panel.negativePrompt,
    })),
    renderSettingsOf(deps.config.render),
  );
  if (recorded.panels.length === 0) return { status: 'skipped', reason: 'already written' };
  return { status: 'written', place, panels: result.panels.length, recorded: recorded.panels.length };
}
