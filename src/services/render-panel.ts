import {
  ComfyBadResponseError,
  ComfyUnreachableError,
  ComfyValidationError,
  failingNodes,
  isMissingModel,
} from '../comfyui/comfyui-errors.js';
import type { ComfyClient, RenderProgress } from '../comfyui/comfyui-client.js';
import { renderPanel, type PanelRenderResult } from '../comfyui/draw-panel.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/connection.js';
import { postgresImageStore } from '../db/image-store.js';
import {
  findPanelRender,
  listLatestPanelRenders,
  markRenderDone,
  markRenderFailed,
  markRenderSubmitted,
  markRenderUnreachable,
  type PanelRender,
} from '../db/panel-renders.js';
import { getPageWithPlace, type PagePlace } from '../db/pages.js';
import { applyWorkflowMapping } from '../domain/comfyui-mapping.js';
import type { JobData } from '../domain/jobs.js';
import type { Logger } from '../logger.js';
import type { JobAttempt } from './agent-calls.js';
import { RENDER_FAILURE_TEXTS as FAILED } from './render-failures.js';
import { withReferenceImages } from './render-references.js';

// One panel's render through ComfyUI: the prompt id was stored with the row before the job was queued,
// so a job that runs again (a worker killed mid-render) follows the prompt ComfyUI already has instead
// of sending it twice. The image goes to the image store; what the room reads is the caller's to show.

/** A render use case's dependencies: the worker's one ComfyUI client (null when rendering is off). */
export interface RenderContext {
  db: Db;
  config: Readonly<Config>;
  comfy: ComfyClient | null;
}

/** How a render's progress is shown while ComfyUI draws. */
export interface RenderDisplay {
  progress(step: RenderProgress & { panel: number; of: number }): void;
  /** Called once ComfyUI has answered (or failed), before anything else is shown. */
  answered(): Promise<void>;
  /** ComfyUI could not be reached and BullMQ tries again; the render records the attempt first. */
  unreachable(): Promise<void>;
}

/**
 * ComfyUI's error text names server paths, model files and node ids: the room reads what happened and
 * who can fix it, and the operator's log has the text itself.
 */
function describeExecutionError(message: string): string {
  if (/out of memory/i.test(message)) return FAILED.error.outOfMemory;
  if (/no such file|not found|does not exist/i.test(message)) return FAILED.error.missingFile;
  return FAILED.error.drawingFailed;
}

/** What the room reads when a render ends without an image. */
function describeFailure(result: Exclude<PanelRenderResult, { kind: 'done' }>): string {
  switch (result.kind) {
    case 'error':
      return describeExecutionError(result.message);
    case 'interrupted':
      return FAILED.interrupted.stopped;
    case 'timeout':
      return FAILED.timeout.tooLong;
    case 'lost':
      return FAILED.lost.restartedTwice;
    case 'no_image':
      return FAILED.no_image.noPicture;
  }
}

/** The render a job asks for, and whether it is still to be drawn; with rendering off it is failed here. */
export async function findRenderToDraw(
  deps: RenderContext,
  data: JobData<'render-panel'>,
): Promise<
  | { status: 'draw'; render: PanelRender; place: PagePlace }
  | { status: 'already failed'; render: PanelRender; place: PagePlace }
  | { status: 'skipped'; reason: string }
> {
  const render = await findPanelRender(deps.db, data.renderId);
  const place = await getPageWithPlace(deps.db, data.pageId);
  if (!render || !place || render.page_id !== data.pageId) return { status: 'skipped', reason: 'render gone' };
  if (render.status === 'done') return { status: 'skipped', reason: 'already done' };
  // Failed by the sweeper (its job lost or dead): this run only shows it.
  if (render.status === 'failed') return { status: 'already failed', render, place };
  if (!deps.comfy || !deps.config.render) {
    await markRenderFailed(deps.db, render.id, FAILED.off.noServer, 'off');
    return { status: 'skipped', reason: 'rendering is off' };
  }
  return { status: 'draw', render, place };
}

/**
 * Draws one panel and stores its image; the render ends failed (with what the room reads) when ComfyUI
 * refuses it or gives up, or when the job's last attempt fails whatever went wrong: one left
 * `submitted` would block its panel's Reroll, hide it from Retry and count against the server's cap for good.
 */
export async function drawPanelRender(
  deps: RenderContext,
  request: { place: PagePlace; render: PanelRender; run: JobAttempt; log: Logger },
  display: RenderDisplay,
): Promise<string> {
  try {
    return await draw(deps, request, display);
  } catch (error) {
    if (request.run.attempt < request.run.attempts) throw error;
    request.log.error({ err: error }, 'render failed on its last attempt');
    await markRenderFailed(deps.db, request.render.id, FAILED.error.notFinished, 'error');
    return 'failed';
  }
}

async function draw(
  deps: RenderContext,
  { place, render, run, log }: { place: PagePlace; render: PanelRender; run: JobAttempt; log: Logger },
  display: RenderDisplay,
): Promise<string> {
  const comfy = deps.comfy;
  const settings = deps.config.render;
  if (!comfy || !settings) return 'rendering is off';
  const mapped = applyWorkflowMapping(settings.workflow.graph, settings.workflow.mapping, {
    positive: render.prompt,
    negative: render.negative_prompt,
    seed: Number(render.seed),
    width: render.width,
    height: render.height,
  });
  const panelCount = (await listLatestPanelRenders(deps.db, place.id)).length;
  const alreadySubmitted = render.status === 'submitted';
  await markRenderSubmitted(deps.db, render.id);
  let outage = render.unreachable_attempt !== null;
  display.progress({ panel: render.panel_number, of: panelCount, step: null, ahead: 0 });
  let result: PanelRenderResult;
  try {
    const { workflow, reupload } = await withReferenceImages(deps.db, comfy, mapped, settings.workflow.slots, render.references);
    result = await renderPanel({
      client: comfy,
      promptId: render.comfy_prompt_id,
      workflow,
      ...(reupload ? { reupload } : {}),
      alreadySubmitted,
      timeoutMs: settings.timeoutMs,
      size: { width: render.width, height: render.height },
      onProgress: (progress) => {
        // ComfyUI answers again: the panels message stops saying it cannot be reached.
        if (outage) {
          outage = false;
          markRenderUnreachable(deps.db, render.id, null).catch((error: unknown) => log.warn({ err: error }, 'could not clear the outage'));
        }
        display.progress({ panel: render.panel_number, of: panelCount, ...progress });
      },
    });
  } catch (error) {
    await display.answered();
    if (error instanceof ComfyValidationError) {
      log.error(
        { nodes: failingNodes(error.body), summary: error.summary, comfyError: error.body },
        'ComfyUI refused the workflow; not retried',
      );
      await markRenderFailed(
        deps.db,
        render.id,
        isMissingModel(error.body) ? FAILED.refused.missingModel : FAILED.refused.setup,
        'refused',
      );
      return 'refused';
    }
    if (error instanceof ComfyBadResponseError) {
      log.error({ err: error.message }, 'ComfyUI sent an answer that was refused; not retried');
      await markRenderFailed(deps.db, render.id, FAILED.no_image.unusablePicture, 'no_image');
      return 'bad answer';
    }
    if (error instanceof ComfyUnreachableError && run.attempt >= run.attempts) {
      log.warn({ err: error.message }, 'ComfyUI unreachable; attempts used up');
      await markRenderFailed(deps.db, render.id, FAILED.unreachable.attemptsUsed(run.attempts), 'unreachable');
      return 'unreachable';
    }
    // Unreachable with attempts left (BullMQ backs off), or a fault of ours: the job runs again.
    if (error instanceof ComfyUnreachableError) {
      await markRenderUnreachable(deps.db, render.id, run.attempt);
      await display.unreachable();
    }
    throw error;
  }
  await display.answered();
  if (result.kind !== 'done') {
    log.warn({ outcome: result }, 'render ended without an image');
    await markRenderFailed(deps.db, render.id, describeFailure(result), result.kind);
    return result.kind;
  }
  const hash = await postgresImageStore(deps.db).put({
    bytes: result.image,
    contentType: 'image/png',
    width: result.width,
    height: result.height,
  });
  await markRenderDone(deps.db, render.id, hash);
  return 'rendered';
}
