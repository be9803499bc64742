import type { Job } from 'bullmq';
import { getPageWithPlace } from '../db/pages.js';
import { findPanelRender, listLatestPanelRenders, markRenderDone, markRenderFailed, markRenderSubmitted, type PanelRender } from '../db/panel-renders.js';
import { describeRenderProgress } from '../views/panels-message.js';
import { applyWorkflowMapping } from '../domain/comfyui-mapping.js';
import { renderPanelJob } from '../domain/jobs.js';
import { ComfyBadResponseError, ComfyUnreachableError, ComfyValidationError, failingNodes, isMissingModel } from '../comfyui/comfyui-errors.js';
import { postgresImageStore } from '../db/image-store.js';
import { renderPanel, type PanelRenderResult } from '../comfyui/draw-panel.js';
import type { PagePlace, WorkerDeps } from './deps.js';
import { whileChapterReachable } from './page-views.js';
import { showPanels, showPanelsStatus } from './panels-view.js';
import { ProgressEditor } from './progress-editor.js';

const BAD_ANSWER = 'ComfyUI sent an image storyroom does not accept (too large, a redirect, or an impossible size); ask whoever runs the bot. Retry works once it is fixed';

const FAILED_ON_OUR_SIDE = 'the render could not be finished after several attempts; Retry may work, or ask whoever runs the bot (the details are in its log)';

/**
 * ComfyUI's error text names server paths, model files and node ids: the room reads what happened and
 * who can fix it, and the operator's log has the text itself.
 */
function describeExecutionError(message: string): string {
  if (/out of memory/i.test(message)) return 'ComfyUI ran out of memory drawing this panel; Retry may work when it is less busy, or ask whoever runs the bot';
  if (/no such file|not found|does not exist/i.test(message)) return 'ComfyUI is missing a file the workflow needs (a model, perhaps); ask whoever runs the bot. Retry works once it is fixed';
  return 'ComfyUI failed while drawing this panel; Retry may work, or ask whoever runs the bot (the details are in its log)';
}

function describeRefusal(body: unknown): string {
  return isMissingModel(body)
    ? 'ComfyUI is missing a model the workflow needs; ask whoever runs the bot. Reroll works once it is fixed'
    : "ComfyUI refused the bot's workflow; ask whoever runs the bot to check its setup. Reroll works once it is fixed";
}

/** What the room reads when a render ends without an image. */
function describeFailure(result: Exclude<PanelRenderResult, { kind: 'done' }>): string {
  switch (result.kind) {
    case 'error':
      return describeExecutionError(result.message);
    case 'interrupted':
      return 'the render was interrupted on the ComfyUI server';
    case 'timeout':
      return 'the render took longer than the time allowed and was stopped';
    case 'lost':
      return 'ComfyUI restarted twice during the render';
    case 'no_image':
      return 'ComfyUI returned no PNG image (does the workflow end in SaveImage?)';
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
  const log = deps.logger.child({ pageId, renderId, jobId: job.id, comfyPromptId: render.comfy_prompt_id });
  if (render.status === 'done') return 'already done';
  // Failed by the sweeper (its job lost or dead): this run only shows it.
  if (render.status === 'failed') {
    return whileChapterReachable(deps, place.chapter_id, log, async () => {
      await showPanels(deps, place);
      return 'already failed';
    });
  }
  if (!deps.comfy || !deps.config.render) {
    await markRenderFailed(deps.db, renderId, 'rendering is off on this bot (no ComfyUI server)', 'off');
    return 'rendering is off';
  }
  return whileChapterReachable(deps, place.chapter_id, log, async () => {
    let outcome: string;
    try {
      outcome = await draw(deps, job, place, render);
    } catch (error) {
      if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw error;
      // The last attempt: whatever went wrong, the render ends. One left `submitted` would block its
      // panel's Reroll, hide it from Retry and count against the server's cap for good.
      log.error({ err: error }, 'render failed on its last attempt');
      await markRenderFailed(deps.db, renderId, FAILED_ON_OUR_SIDE, 'error');
      outcome = 'failed';
    }
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
      size: { width: render.width, height: render.height },
      onProgress: (progress) => editor.push(describeRenderProgress({ panel: render.panel_number, of: panelCount, ...progress })),
    });
  } catch (error) {
    await editor.close();
    if (error instanceof ComfyValidationError) {
      log.error({ nodes: failingNodes(error.body), summary: error.summary, comfyError: error.body }, 'ComfyUI refused the workflow; not retried');
      await markRenderFailed(deps.db, render.id, describeRefusal(error.body), 'refused');
      return 'refused';
    }
    if (error instanceof ComfyBadResponseError) {
      log.error({ err: error.message }, 'ComfyUI sent an answer that was refused; not retried');
      await markRenderFailed(deps.db, render.id, BAD_ANSWER, 'no_image');
      return 'bad answer';
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
  const hash = await postgresImageStore(deps.db).put({ bytes: result.image, contentType: 'image/png', width: result.width, height: result.height });
  await markRenderDone(deps.db, render.id, hash);
  return 'rendered';
}
