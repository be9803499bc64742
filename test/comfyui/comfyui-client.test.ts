import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPngSize } from '../../loopback/comfyui/png.js';
import { ComfyServer } from '../../loopback/comfyui/server.js';
import { applyWorkflowMapping, builtInPanelWorkflow } from '../../src/domain/comfyui-mapping.js';
import { ComfyClient, type RenderProgress } from '../../src/comfyui/comfyui-client.js';
import { ComfyUnreachableError, ComfyValidationError } from '../../src/comfyui/comfyui-errors.js';
import { renderPanel } from '../../src/comfyui/draw-panel.js';

const CHECKPOINT = 'sd_xl_base_1.0.safetensors';
function panelWorkflow(options: { seed?: number; checkpoint?: string; prompt?: string } = {}) {
  const { workflow, mapping } = builtInPanelWorkflow(options.checkpoint ?? CHECKPOINT);
  const filled = applyWorkflowMapping(workflow, mapping, {
    positive: options.prompt ?? 'Kai on the cliff',
    negative: 'blurry',
    seed: options.seed ?? 3,
    width: 96,
    height: 64,
  });
  const sampler = filled[mapping.seed.nodeId];
  if (sampler) sampler.inputs.steps = 6;
  return filled;
}

describe('the ComfyUI client, against the loopback ComfyUI', () => {
  let comfy: ComfyServer;
  let client: ComfyClient;
  beforeEach(async () => {
    comfy = await ComfyServer.start({ checkpoints: [CHECKPOINT] });
    client = new ComfyClient(comfy.baseUrl, { pollMs: 50 });
  });
  afterEach(async () => {
    client.close();
    await comfy.close();
  });

  it('renders a panel under its own prompt id, reporting each step, and downloads a PNG of the size asked', async () => {
    const promptId = randomUUID();
    const progress: RenderProgress[] = [];
    const result = await renderPanel({
      client,
      promptId,
      workflow: panelWorkflow(),
      alreadySubmitted: false,
      timeoutMs: 10_000,
      onProgress: (p) => progress.push(p),
    });
    expect(result.kind).toBe('done');
    if (result.kind !== 'done') return;
    expect(readPngSize(result.image)).toEqual({ width: 96, height: 64 });
    expect(comfy.submissions.map((s) => [s.promptId, s.clientId])).toEqual([[promptId, client.clientId]]);
    expect(progress.filter((p) => p.step).map((p) => p.step?.value)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a new seed draws a different image', async () => {
    const render = async (seed: number) => {
      const result = await renderPanel({
        client,
        promptId: randomUUID(),
        workflow: panelWorkflow({ seed }),
        alreadySubmitted: false,
        timeoutMs: 10_000,
      });
      return result.kind === 'done' ? result.image : undefined;
    };
    const first = await render(1);
    const second = await render(2);
    expect(first && second && first.equals(second)).toBe(false);
  });

  it('says in words which checkpoint is missing and does not queue the prompt', async () => {
    const attempt = renderPanel({
      client,
      promptId: randomUUID(),
      workflow: panelWorkflow({ checkpoint: 'missing.safetensors' }),
      alreadySubmitted: false,
      timeoutMs: 10_000,
    });
    await expect(attempt).rejects.toThrow(ComfyValidationError);
    await expect(attempt).rejects.toThrow(
      `the checkpoint missing.safetensors is not installed on the ComfyUI server (it has ${CHECKPOINT})`,
    );
    expect(comfy.submissions).toHaveLength(0);
  });

  it('reports an execution error with its node', async () => {
    comfy.failNextRun('CUDA out of memory');
    const result = await renderPanel({
      client,
      promptId: randomUUID(),
      workflow: panelWorkflow(),
      alreadySubmitted: false,
      timeoutMs: 10_000,
    });
    expect(result).toEqual({ kind: 'error', nodeId: '5', nodeType: 'KSampler', message: 'CUDA out of memory' });
  });

  it('interrupts a render that runs past its timeout', async () => {
    comfy.stepDelayMs = 200;
    const promptId = randomUUID();
    const result = await renderPanel({ client, promptId, workflow: panelWorkflow(), alreadySubmitted: false, timeoutMs: 300 });
    expect(result).toEqual({ kind: 'timeout' });
    await comfy.waitFor((state) => state.historyIds.includes(promptId));
    const history = (await (await fetch(`${comfy.baseUrl}/history/${promptId}`)).json()) as Record<
      string,
      { status: { messages: [string][] } }
    >;
    expect(history[promptId]?.status.messages.at(-1)?.[0]).toBe('execution_interrupted');
  });

  it('submits a render again, once, when ComfyUI restarts in the middle of it', async () => {
    comfy.stepDelayMs = 30;
    const promptId = randomUUID();
    const rendering = renderPanel({ client, promptId, workflow: panelWorkflow(), alreadySubmitted: false, timeoutMs: 10_000 });
    await comfy.waitFor((state) => state.runningPromptId === promptId && state.step >= 2);
    await comfy.restart();
    const result = await rendering;
    expect(result.kind).toBe('done');
    expect(comfy.submissions.map((s) => s.promptId)).toEqual([promptId, promptId]);
  });

  it('falls back to polling history when the socket drops, and finishes the render', async () => {
    comfy.stepDelayMs = 30;
    const promptId = randomUUID();
    const rendering = renderPanel({ client, promptId, workflow: panelWorkflow(), alreadySubmitted: false, timeoutMs: 10_000 });
    await comfy.waitFor((state) => state.runningPromptId === promptId && state.step >= 1);
    await comfy.down();
    await comfy.up();
    expect((await rendering).kind).toBe('done');
    expect(comfy.submissions).toHaveLength(1);
  });

  it('picks up a prompt an earlier attempt submitted instead of submitting it twice', async () => {
    const promptId = randomUUID();
    await client.submit(panelWorkflow(), promptId);
    await comfy.waitFor((state) => state.historyIds.includes(promptId));
    const result = await renderPanel({ client, promptId, workflow: panelWorkflow(), alreadySubmitted: true, timeoutMs: 10_000 });
    expect(result.kind).toBe('done');
    expect(comfy.submissions).toHaveLength(1);
  });

  it('submits a stored prompt id ComfyUI never received', async () => {
    const promptId = randomUUID();
    const result = await renderPanel({ client, promptId, workflow: panelWorkflow(), alreadySubmitted: true, timeoutMs: 10_000 });
    expect(result.kind).toBe('done');
    expect(comfy.submissions.map((s) => s.promptId)).toEqual([promptId]);
  });

  it('tells an unreachable ComfyUI apart from a refusal', async () => {
    await comfy.down();
    await expect(
      renderPanel({ client, promptId: randomUUID(), workflow: panelWorkflow(), alreadySubmitted: false, timeoutMs: 10_000 }),
    ).rejects.toThrow(ComfyUnreachableError);
    await comfy.up();
  });
});
