import type { Job } from 'bullmq';
import { getPageWithPlace } from '../db/pages.js';
import { findPanelRender, listLatestPanelRenders, markRenderDone, markRenderFailed, markRenderSubmitted, type PanelRender } from '../db/panel-renders.js';
import { describeRenderProgress } from '../views/panels-message.js';
import { applyWorkflowMapping } from '../domain/comfyui-mapping.js';
import { renderPanelJob } from '../domain/jobs.js';
import { ComfyUnreachableError, ComfyValidationError, failingNodes } from '../comfyui/comfyui-errors.js';
import { postgresImageStore } from '../db/image-store.js';
import { readPngSize } from '../comfyui/png-size.js';
import { renderPanel, type PanelRenderResult } from '../comfyui/draw-panel.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import { whileChapterReachable } from './page-views.js';
import { showPanels, showPanelsStatus } from './panels-view.js';
import { ProgressEditor } from './progress-editor.js';

/** What the room reads when a render ends without an image. */
function describeFailure(result: Exclude<PanelRenderResult, { kind: 'done' }>): string {
  switch (result.kind) {
    case 'error':
      return `ComfyUI stopped at node ${result.nodeId} (${result.nodeType}): ${result.message || 'no message'}`;
    case 'interrupted':
      return 'the render was interrupted on the ComfyUI server';
    case 'timeout':
      return 'the render took longer than the time allowed and was stopped';
    case 'lost':
      return 'ComfyUI restarted twice during the render';
  }
}

/**
 * One panel's render: the prompt id was stored with the row before the job was queued, so a job that
 * runs again (a worker killed mid-render) follows the prompt ComfyUI already has instead of sending
 * it twice. Progress is edited into the page's panels message; the image goes to the image store.
 */
export async function processRenderPanel(deps: WorkerDeps, job: Job): Promise<string> {
  const { pageId, renderId } = renderPanelJob.parse(job.data);
  const render = await findPanelRender(deps.db, renderId);
  const place = await getPageWithPlace(deps.db, pageId);
  if (!render || !place || render.page_id !== pageId) return 'render gone';
  if (render.status === 'done' || render.status === 'failed') return `already ${render.status}`;
  if (!deps.comfy || !deps.config.render) {
    await markRenderFailed(deps.db, renderId, 'rendering is off on this bot (no ComfyUI server)', 'off');
    return 'rendering is off';
  }
  const log = deps.logger.child({ pageId, renderId, jobId: job.id, comfyPromptId: render.comfy_prompt_id });
  return whileChapterReachable(deps, place.chapter_id, log, async () => {
    const outcome = await draw(deps, job, place, render);
    await showPanels(deps, place);
    return outcome;
  });
}

async function draw(deps: WorkerDeps, job: Job, place: PagePlace, render: PanelRender): Promise<string> {
  const comfy = deps.comfy;
  const settings = deps.config.render;
  if (!comfy || !settings) return 'rendering is off';
  const log = deps.logger.child({ pageId: place.id, renderId: render.id, jobId: job.id, comfyPromptId: render.comfy_prompt_id });
  const workflow = applyWorkflowMapping(settings.workflow.graph, settings.workflow.mapping, {
    positive: render.prompt,
    negative: render.negative_prompt,
    seed: Number(render.seed),
    width: render.width,
    height: render.height,
  });
  const panelCount = (await listLatestPanelRenders(deps.db, place.id)).length;
  const editor = new ProgressEditor(deps.streamEditIntervalMs, (text) => showPanelsStatus(deps, place, text), (error) => log.warn({ err: error }, 'could not show render progress'));
  const alreadySubmitted = render.status === 'submitted';
  await markRenderSubmitted(deps.db, render.id);
  editor.push(describeRenderProgress({ panel: render.panel_number, of: panelCount, step: null, ahead: 0 }));
  let result: PanelRenderResult;
  try {
    result = await renderPanel({
      client: comfy,
      promptId: render.comfy_prompt_id,
      workflow,
      alreadySubmitted,
      timeoutMs: settings.timeoutMs,
      onProgress: (progress) => editor.push(describeRenderProgress({ panel: render.panel_number, of: panelCount, ...progress })),
    });
  } catch (error) {
    await editor.close();
    if (error instanceof ComfyValidationError) {
      log.error({ nodes: failingNodes(error.body), summary: error.summary, comfyError: error.body }, 'ComfyUI refused the workflow; not retried');
      await markRenderFailed(deps.db, render.id, `ComfyUI refused the workflow: ${error.summary}`, 'refused');
      return 'refused';
    }
    const attempts = job.opts.attempts ?? 1;
    if (error instanceof ComfyUnreachableError && job.attemptsMade + 1 >= attempts) {
      log.warn({ err: error.message }, 'ComfyUI unreachable; attempts used up');
      await markRenderFailed(deps.db, render.id, `ComfyUI could not be reached after ${attempts} attempts`, 'unreachable');
      return 'unreachable';
    }
    // Unreachable with attempts left (BullMQ backs off), or a fault of ours: the job runs again.
    if (error instanceof ComfyUnreachableError) await showPanelsStatus(deps, place, `ComfyUI cannot be reached; trying again (attempt ${job.attemptsMade + 1} of ${attempts})`);
    throw error;
  }
  await editor.close();
  if (result.kind !== 'done') {
    log.warn({ outcome: result }, 'render ended without an image');
    await markRenderFailed(deps.db, render.id, describeFailure(result), result.kind);
    return result.kind;
  }
  const bytes = result.images[0];
  const size = bytes ? readPngSize(bytes) : null;
  if (!bytes || !size) {
    await markRenderFailed(deps.db, render.id, 'ComfyUI returned no PNG image (does the workflow end in SaveImage?)', 'no_image');
    return 'no image';
  }
  const hash = await postgresImageStore(deps.db).put({ bytes, contentType: 'image/png', ...size });
  await markRenderDone(deps.db, render.id, hash);
  return 'rendered';
}
