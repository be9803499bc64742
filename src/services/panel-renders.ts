import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../db/connection.js';
import type { NewPanelPrompt, PanelPrompt } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import { writeToOutbox, type OutboxJob } from '../db/outbox.js';
import { getPageWithPlace, lockPage } from '../db/pages.js';
import { getPanelPrompt, insertPanelPrompts } from '../db/panel-prompts.js';
import { hasRenderInProgress, insertPanelRender } from '../db/panel-renders.js';
import { getPanelSizeOfPage } from '../db/stories.js';
import { describeJob } from '../domain/jobs.js';
import { panelPixels } from '../domain/panel-size.js';
import { assertCoWriter, NOT_IN_THIS_THREAD, type InteractionPlace } from './co-writers.js';
import { UserError } from './user-error.js';

/**
 * What a render is drawn with, from the configuration; null when rendering is off (no COMFYUI_URL).
 * The picture's size is the story's own (/settings panel_shape and panel_size), read with the panel.
 */
export interface RenderSettings {
  workflowHash: string;
}

/** The settings renders are queued with, from the render configuration (null: rendering is off). */
export function renderSettingsOf(render: { workflow: { hash: string } } | null): RenderSettings | null {
  return render ? { workflowHash: render.workflow.hash } : null;
}

/** Below 2^32: every sampler takes it, and it is exact in JavaScript and in the seed column. */
export function newSeed(): number {
  return randomInt(0, 2 ** 32);
}

/** A render row (seed, prompt, ComfyUI prompt id) and its job, in the caller's transaction. */
async function queueRender(trx: Executor, panel: PanelPrompt, settings: RenderSettings, requestedBy: string | null): Promise<OutboxJob> {
  const story = await getPanelSizeOfPage(trx, panel.page_id);
  const { width, height } = panelPixels(story?.panel_shape ?? 'portrait', story?.panel_size ?? 'standard');
  const render = await insertPanelRender(trx, {
    pageId: panel.page_id,
    panelPromptId: panel.id,
    panelNumber: panel.panel_number,
    seed: newSeed(),
    prompt: panel.prompt,
    negativePrompt: panel.negative_prompt,
    width,
    height,
    workflowHash: settings.workflowHash,
    comfyPromptId: randomUUID(),
    requestedBy,
  });
  const [job] = await writeToOutbox(trx, [describeJob('render-panel', { pageId: panel.page_id, renderId: render.id })]);
  return job as OutboxJob;
}

/**
 * The panels agent's prompts for an approved page, and (rendering on) one render per panel, written in
 * one transaction with their jobs: a crash after the commit loses nothing, and a second run of the
 * panels job (its prompts already stored) queues nothing.
 */
export async function recordPanelPrompts(db: Db, panels: NewPanelPrompt[], render: RenderSettings | null): Promise<{ panels: PanelPrompt[]; queued: OutboxJob[] }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await insertPanelPrompts(trx, panels);
    const queued: OutboxJob[] = [];
    if (render) for (const panel of inserted) queued.push(await queueRender(trx, panel, render, null));
    return { panels: inserted, queued };
  });
}

/**
 * Reroll: a new render of one panel with a new seed (ComfyUI caches an unchanged graph, so only a new
 * seed draws a new picture). Earlier renders are kept. Co-writers only; one render per panel at a time.
 */
export async function rerollPanel(db: Db, place: InteractionPlace, panelId: number, render: RenderSettings | null): Promise<{ panelNumber: number; queued: OutboxJob[] }> {
  if (!render) throw new UserError('Rendering is off on this bot (no ComfyUI server is configured). Nothing was changed.');
  return db.transaction().execute(async (trx) => {
    const panel = await getPanelPrompt(trx, panelId);
    const page = panel ? await getPageWithPlace(trx, panel.page_id) : undefined;
    if (!panel || !page || page.guild_id !== place.guildId || page.thread_id !== place.channelId) throw new UserError(NOT_IN_THIS_THREAD);
    // The page lock serialises two clicks on the same panel.
    await lockPage(trx, page.id);
    await assertCoWriter(trx, page.chapter_id, place.userId);
    if (await hasRenderInProgress(trx, panel.id)) throw new UserError(`Panel ${panel.panel_number} is still rendering; reroll it when it is done. Nothing was changed.`);
    const job = await queueRender(trx, panel, render, place.userId);
    return { panelNumber: panel.panel_number, queued: [job] };
  });
}
