import type { ComfyWorkflow } from '../domain/comfyui-workflow.js';
import type { ComfyClient, RenderProgress } from './comfyui-client.js';

export type PanelRenderResult =
  | { kind: 'done'; images: Buffer[] }
  | { kind: 'error'; message: string; nodeId: string; nodeType: string }
  | { kind: 'interrupted' }
  | { kind: 'timeout' }
  /** ComfyUI forgot the prompt twice (restarted again after the resubmission). */
  | { kind: 'lost' };

/**
 * One panel's render, from submission to image bytes. `alreadySubmitted` says the prompt id was stored
 * by an earlier attempt: then ComfyUI is asked first and the prompt is submitted only if it knows
 * nothing of it. A prompt ComfyUI loses (a restart mid-render) is submitted again once. On timeout
 * the prompt is interrupted. Throws ComfyUnreachableError and ComfyValidationError.
 */
export async function renderPanel(options: {
  client: ComfyClient;
  promptId: string;
  workflow: ComfyWorkflow;
  alreadySubmitted: boolean;
  timeoutMs: number;
  onProgress?: (progress: RenderProgress) => void;
}): Promise<PanelRenderResult> {
  const { client, promptId, workflow } = options;
  let resubmitted = false;
  if (!options.alreadySubmitted || (await client.whereabouts(promptId)) === 'unknown') await client.submit(workflow, promptId);
  for (;;) {
    const follow = { timeoutMs: options.timeoutMs, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
    const outcome = await client.follow(promptId, follow);
    switch (outcome.kind) {
      case 'done':
        return { kind: 'done', images: await Promise.all(outcome.images.map((image) => client.download(image))) };
      case 'lost':
        if (resubmitted) return { kind: 'lost' };
        resubmitted = true;
        await client.submit(workflow, promptId);
        continue;
      case 'timeout':
        await client.cancel(promptId);
        return { kind: 'timeout' };
      default:
        return outcome;
    }
  }
}
