import type { ComfyWorkflow } from '../domain/comfyui-workflow.js';
import type { ComfyClient, RenderProgress } from './comfyui-client.js';
import { ComfyBadResponseError, ComfyValidationError, isMissingInputImage } from './comfyui-errors.js';
import { readPngSize } from './png-size.js';

export type PanelRenderResult =
  | { kind: 'done'; image: Buffer; width: number; height: number }
  | { kind: 'error'; message: string; nodeId: string; nodeType: string }
  | { kind: 'interrupted' }
  | { kind: 'timeout' }
  /** ComfyUI forgot the prompt twice (restarted again after the resubmission). */
  | { kind: 'lost' }
  /** The run ended without a PNG (no SaveImage in the workflow, or another kind of file). */
  | { kind: 'no_image' };

/** The largest side an image may have, unless the panel asked for a larger one. */
const MAX_IMAGE_SIDE = 4096;

/**
 * One panel's render, from submission to image bytes. `alreadySubmitted` says the prompt id was stored
 * by an earlier attempt: then ComfyUI is asked first and the prompt is submitted only if it knows
 * nothing of it. A prompt ComfyUI loses (a restart mid-render) is submitted again once. On timeout
 * the prompt is interrupted. Only the first image is downloaded (a panel uses one), and its size is
 * checked. Throws ComfyUnreachableError, ComfyValidationError and ComfyBadResponseError.
 */
export async function renderPanel(options: {
  client: ComfyClient;
  promptId: string;
  workflow: ComfyWorkflow;
  alreadySubmitted: boolean;
  timeoutMs: number;
  /** The size the panel asked for: a larger one than MAX_IMAGE_SIDE raises the limit. */
  size?: { width: number; height: number };
  onProgress?: (progress: RenderProgress) => void;
  /**
   * Puts the workflow's input files (reference images) back when ComfyUI refuses the prompt for a
   * LoadImage file it does not have (its input folder lost in a restart); the prompt is then sent once more.
   */
  reupload?: () => Promise<void>;
}): Promise<PanelRenderResult> {
  const { client, promptId, workflow } = options;
  let resubmitted = false;
  let reuploaded = false;
  const submit = async () => {
    try {
      await client.submit(workflow, promptId);
    } catch (error) {
      if (!(error instanceof ComfyValidationError) || !options.reupload || reuploaded || !isMissingInputImage(error.body)) throw error;
      reuploaded = true;
      await options.reupload();
      await client.submit(workflow, promptId);
    }
  };
  if (!options.alreadySubmitted || (await client.whereabouts(promptId)) === 'unknown') await submit();
  for (;;) {
    const follow = { timeoutMs: options.timeoutMs, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
    const outcome = await client.follow(promptId, follow);
    switch (outcome.kind) {
      case 'done': {
        const [first] = outcome.images;
        if (!first) return { kind: 'no_image' };
        const image = await client.download(first);
        const size = readPngSize(image);
        if (!size) return { kind: 'no_image' };
        const limit = Math.max(MAX_IMAGE_SIDE, options.size?.width ?? 0, options.size?.height ?? 0);
        if (size.width <= 0 || size.height <= 0 || size.width > limit || size.height > limit) {
          throw new ComfyBadResponseError(`ComfyUI sent an image of ${size.width}×${size.height} pixels (at most ${limit} a side)`);
        }
        return { kind: 'done', image, ...size };
      }
      case 'lost':
        if (resubmitted) return { kind: 'lost' };
        resubmitted = true;
        await submit();
        continue;
      case 'timeout':
        await client.cancel(promptId);
        return { kind: 'timeout' };
      default:
        return outcome;
    }
  }
}
