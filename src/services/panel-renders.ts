import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../db/connection.js';
import type { NewPanelPrompt, PanelPrompt } from '../db/database.js';
import type { Executor } from '../db/executor.js';
import { writeToOutbox, type OutboxJob } from '../db/outbox.js';
import { insertPanelPrompts } from '../db/panel-prompts.js';
import { insertPanelRender } from '../db/panel-renders.js';
import { describeJob } from '../domain/jobs.js';

/** What a render is drawn with, from the configuration; null when rendering is off (no COMFYUI_URL). */
export interface RenderSettings {
  workflowHash: string;
  width: number;
  height: number;
}

/** Below 2^32: every sampler takes it, and it is exact in JavaScript and in the seed column. */
export function newSeed(): number {
  return randomInt(0, 2 ** 32);
}

/** A render row (seed, prompt, ComfyUI prompt id) and its job, in the caller's transaction. */
async function queueRender(trx: Executor, panel: PanelPrompt, settings: RenderSettings, requestedBy: string | null): Promise<OutboxJob> {
  const render = await insertPanelRender(trx, {
    pageId: panel.page_id,
    panelPromptId: panel.id,
    panelNumber: panel.panel_number,
    seed: newSeed(),
    prompt: panel.prompt,
    negativePrompt: panel.negative_prompt,
    width: settings.width,
    height: settings.height,
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
