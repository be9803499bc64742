import type { Job } from 'bullmq';
import { writePanelPrompts } from '../agents/panels.js';
import { countTokens } from '../agents/tokens.js';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { hasPanelPrompts } from '../db/panel-prompts.js';
import { buildPanelsPrompt } from '../domain/context-builder.js';
import { generatePanelsJob } from '../domain/jobs.js';
import { recordPanelPrompts, renderSettingsOf } from '../services/panel-renders.js';
import { loadDialogueContext } from '../services/prompt-context.js';
import { budgetOf, callAdvisory, overBudget, tellGaveUp } from './advisory-call.js';
import type { WorkerDeps } from './deps.js';
import { whileChapterReachable } from './page-views.js';
import { showPanels } from './panels-view.js';

// The comic pipeline's entry: an approved page's dialogue becomes image prompts, one per panel, and
// (rendering on) each panel's render job (render-panel.ts); the set is then voted on (approve-panels).

/**
 * After a page is approved: image prompts per panel, stored in panel_prompts for /chapter export, and
 * with rendering on, one render job per panel written with them. The page's panels message follows.
 */
export async function processComicPanelPrompts(deps: WorkerDeps, job: Job): Promise<string> {
  const data = generatePanelsJob.parse(job.data);
  const { pageId, dialogueRevisionId } = data;
  if (!deps.config.review.panelPrompts) return 'panel prompts are turned off';
  const place = await getPageWithPlace(deps.db, pageId);
  const dialogue = await getRevision(deps.db, dialogueRevisionId);
  if (!place || !dialogue || dialogue.page_id !== pageId || dialogue.kind !== 'dialogue') return 'page gone';
  if (await hasPanelPrompts(deps.db, dialogueRevisionId)) return 'already written';
  if (await overBudget(deps, place.story_id)) return 'over budget';
  const prompt = buildPanelsPrompt(await loadDialogueContext(deps.db, pageId, budgetOf(deps)), dialogue.body, countTokens);
  const model = deps.config.model.panelsModel;
  const result = await callAdvisory(deps, job, { agent: 'panels', model, place }, () => writePanelPrompts(deps.model, { model, prompt, cacheKey: `story-${place.story_id}` }));
  if ('gaveUp' in result) {
    await tellGaveUp(deps, { agent: 'panels', place, revisionId: dialogueRevisionId, label: `dialogue v${dialogue.version}`, reason: result.gaveUp, round: data.round ?? 0 });
    return 'panels failed';
  }
  // A second run of the job (a false stall) finds the first one's rows and keeps them.
  const render = deps.config.render;
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
    renderSettingsOf(render),
  );
  if (recorded.panels.length === 0) return 'already written';
  const status = render ? `${recorded.panels.length} panels queued for rendering` : 'Rendering is off: this bot has no ComfyUI server. The prompts are in /chapter export format:comfyui.';
  return whileChapterReachable(deps, place.chapter_id, deps.logger.child({ pageId, jobId: job.id }), async () => {
    await showPanels(deps, place, status);
    return `${result.panels.length} panel(s)`;
  });
}
