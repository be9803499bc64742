/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- ComfyUI's JSON replies are read loosely here; the assertions check their shape */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ComfyServer } from '../../loopback/comfyui/server.js';
import { readPngSize } from '../../loopback/comfyui/png.js';

function txt2img(options: { seed?: number; text?: string; checkpoint?: string; width?: number; height?: number; steps?: number } = {}) {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: options.checkpoint ?? 'sd_xl_base_1.0.safetensors' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: options.text ?? 'a lighthouse at dusk', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: options.width ?? 64, height: options.height ?? 48, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
        seed: options.seed ?? 1,
        steps: options.steps ?? 4,
        cfg: 7,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'panel' } },
  };
}

interface Frame {
  type: string;
  data: Record<string, unknown>;
}

describe('the loopback ComfyUI', () => {
  let comfy: ComfyServer;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${comfy.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- ComfyUI's replies, read loosely in tests
  };
  const get = async (path: string) => (await (await fetch(`${comfy.baseUrl}${path}`)).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
  const listen = async (clientId: string) => {
    const frames: Frame[] = [];
    const socket = new WebSocket(`${comfy.baseUrl.replace('http', 'ws')}/ws?clientId=${clientId}`);
    socket.on('message', (data, binary) => {
      if (!binary) frames.push(JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '{}') as Frame);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    return { frames, socket };
  };
  const waitForHistory = (promptId: string) => comfy.waitFor((state) => state.historyIds.includes(promptId));

  beforeEach(async () => {
    comfy = await ComfyServer.start();
  });
  afterEach(async () => {
    await comfy.close();
  });

  describe('validation against its /object_info', () => {
    it('lists the core nodes with the checkpoints it has', async () => {
      const info = await get('/object_info/CheckpointLoaderSimple');
      expect(info.CheckpointLoaderSimple.input.required.ckpt_name[0]).toEqual(['sd_xl_base_1.0.safetensors']);
      expect(await get('/object_info/NoSuchNode')).toEqual({});
      expect((await get('/api/object_info')).SaveImage.output_node).toBe(true);
    });

    it('refuses an unknown class, a prompt with no output, a missing input and a checkpoint not in the list', async () => {
      const unknown = await post('/prompt', { prompt: { '1': { class_type: 'Upscaler', inputs: {} } } });
      expect(unknown).toMatchObject({
        status: 400,
        body: {
          error: { type: 'invalid_prompt', message: 'Cannot execute because node Upscaler does not exist.', details: "Node ID '#1'" },
          node_errors: {},
        },
      });

      const { '9': _save, ...withoutOutput } = txt2img();
      expect((await post('/prompt', { prompt: withoutOutput })).body.error).toMatchObject({
        type: 'prompt_no_outputs',
        message: 'Prompt has no outputs',
      });

      const missing = txt2img();
      delete (missing['3'].inputs as Record<string, unknown>).seed;
      const missingReply = await post('/prompt', { prompt: missing });
      expect(missingReply.body.node_errors['3'].errors[0]).toMatchObject({
        type: 'required_input_missing',
        message: 'Required input is missing',
        details: 'seed',
      });
      expect(missingReply.body.node_errors['3'].dependent_outputs).toEqual(['9']);

      const wrongCheckpoint = await post('/prompt', { prompt: txt2img({ checkpoint: 'x.safetensors' }) });
      expect(wrongCheckpoint.status).toBe(400);
      expect(wrongCheckpoint.body.error.type).toBe('prompt_outputs_failed_validation');
      expect(wrongCheckpoint.body.node_errors['4']).toMatchObject({
        class_type: 'CheckpointLoaderSimple',
        errors: [
          {
            type: 'value_not_in_list',
            details: "ckpt_name: 'x.safetensors' not in ['sd_xl_base_1.0.safetensors']",
            extra_info: { received_value: 'x.safetensors' },
          },
        ],
      });
      expect(comfy.submissions).toHaveLength(0);
    });
  });

  it('runs a prompt, telling only its client each step, and writes history before the final executing', async () => {
    const clientId = randomUUID();
    const mine = await listen(clientId);
    const other = await listen(randomUUID());
    const promptId = randomUUID();
    const reply = await post('/prompt', { prompt: txt2img({ steps: 5 }), client_id: clientId, prompt_id: promptId });
    expect(reply).toMatchObject({ status: 200, body: { prompt_id: promptId, number: 0, node_errors: {} } });
    await waitForHistory(promptId);
    await vi.waitFor(() => expect(mine.frames.some((f) => f.type === 'executing' && f.data.node === null)).toBe(true));

    const types = mine.frames.map((f) => f.type);
    expect(types[0]).toBe('status');
    expect(types.filter((t) => t === 'progress')).toHaveLength(5);
    expect(mine.frames.filter((f) => f.type === 'progress').map((f) => f.data.value)).toEqual([1, 2, 3, 4, 5]);
    expect(types.indexOf('execution_start')).toBeLessThan(types.indexOf('execution_success'));
    expect(types.at(-1)).toBe('executing');
    expect(other.frames.every((f) => f.type === 'status')).toBe(true);

    const history = await get(`/history/${promptId}`);
    const image = history[promptId].outputs['9'].images[0];
    expect(history[promptId].status).toMatchObject({ status_str: 'success', completed: true });
    expect(image).toEqual({ filename: 'panel_00001_.png', subfolder: '', type: 'output' });
    const png = Buffer.from(await (await fetch(`${comfy.baseUrl}/view?filename=${image.filename}&type=output`)).arrayBuffer());
    expect(readPngSize(png)).toEqual({ width: 64, height: 48 });
    expect(await get('/history/unknown')).toEqual({});
    mine.socket.close();
    other.socket.close();
  });

  it('draws a different picture for another seed, and reuses the cached file for an identical prompt', async () => {
    const run = async (seed: number) => {
      const { body } = await post('/prompt', { prompt: txt2img({ seed }) });
      await waitForHistory(body.prompt_id as string);
      const image = (await get(`/history/${body.prompt_id}`))[body.prompt_id].outputs['9'].images[0] as { filename: string };
      return {
        filename: image.filename,
        bytes: Buffer.from(await (await fetch(`${comfy.baseUrl}/view?filename=${image.filename}`)).arrayBuffer()),
      };
    };
    const first = await run(1);
    const second = await run(2);
    const again = await run(2);
    expect(second.bytes.equals(first.bytes)).toBe(false);
    expect(second.filename).toBe('panel_00002_.png');
    expect(again.filename).toBe('panel_00002_.png');
  });

  it('runs one prompt at a time, lowest number first, and interrupts only the prompt named', async () => {
    comfy.stepDelayMs = 20;
    const first = await post('/prompt', { prompt: txt2img({ seed: 1, steps: 50 }) });
    const second = await post('/prompt', { prompt: txt2img({ seed: 2 }) });
    await comfy.waitFor((state) => state.runningPromptId === first.body.prompt_id && state.step >= 1);
    const queue = await get('/queue');
    expect(queue.queue_running.map((item: unknown[]) => item[1])).toEqual([first.body.prompt_id]);
    expect(queue.queue_pending.map((item: unknown[]) => item[1])).toEqual([second.body.prompt_id]);

    await post('/interrupt', { prompt_id: second.body.prompt_id });
    expect((await get('/queue')).queue_running).toHaveLength(1);
    await post('/interrupt', { prompt_id: first.body.prompt_id });
    await waitForHistory(second.body.prompt_id as string);
    const history = await get('/history');
    expect(Object.keys(history)).toEqual([first.body.prompt_id, second.body.prompt_id]);
    expect(history[first.body.prompt_id].status).toMatchObject({ status_str: 'error', completed: false });
    expect(history[first.body.prompt_id].status.messages.at(-1)[0]).toBe('execution_interrupted');
    expect(history[second.body.prompt_id].status.status_str).toBe('success');
  });

  it('reports an injected execution error to the client and in history', async () => {
    const clientId = randomUUID();
    const mine = await listen(clientId);
    comfy.failNextRun('CUDA out of memory');
    const { body } = await post('/prompt', { prompt: txt2img(), client_id: clientId });
    await waitForHistory(body.prompt_id as string);
    const error = mine.frames.find((f) => f.type === 'execution_error');
    expect(error?.data).toMatchObject({
      prompt_id: body.prompt_id,
      node_id: '3',
      node_type: 'KSampler',
      exception_message: 'CUDA out of memory\n',
      exception_type: 'RuntimeError',
    });
    expect((await get(`/history/${body.prompt_id}`))[body.prompt_id].status.status_str).toBe('error');
    mine.socket.close();
  });

  it('forgets queued, running and finished prompts on restart but keeps its files', async () => {
    const done = await post('/prompt', { prompt: txt2img({ seed: 5 }) });
    await waitForHistory(done.body.prompt_id as string);
    comfy.stepDelayMs = 50;
    const running = await post('/prompt', { prompt: txt2img({ seed: 6, steps: 100 }) });
    await comfy.waitFor((state) => state.runningPromptId === running.body.prompt_id);
    await comfy.restart();
    expect(await get(`/history/${done.body.prompt_id}`)).toEqual({});
    expect(await get('/queue')).toEqual({ queue_running: [], queue_pending: [] });
    expect((await fetch(`${comfy.baseUrl}/view?filename=panel_00001_.png`)).status).toBe(200);
    expect((await post('/prompt', { prompt: txt2img({ seed: 7 }) })).body.number).toBe(0);
    expect(comfy.submissions).toHaveLength(3);
  });

  it('refuses connections while down and answers again when up', async () => {
    await comfy.down();
    await expect(fetch(`${comfy.baseUrl}/queue`)).rejects.toThrow();
    await comfy.up();
    expect(await get('/queue')).toEqual({ queue_running: [], queue_pending: [] });
  });

  it('takes an uploaded image, renaming a different file with the same name', async () => {
    const upload = async (bytes: Buffer) => {
      const form = new FormData();
      form.append('image', new Blob([bytes]), 'ref.png');
      return await (await fetch(`${comfy.baseUrl}/upload/image`, { method: 'POST', body: form })).json();
    };
    expect(await upload(Buffer.from('one'))).toEqual({ name: 'ref.png', subfolder: '', type: 'input' });
    expect(await upload(Buffer.from('one'))).toEqual({ name: 'ref.png', subfolder: '', type: 'input' });
    expect(await upload(Buffer.from('two'))).toEqual({ name: 'ref (1).png', subfolder: '', type: 'input' });
    expect((await get('/object_info/LoadImage')).LoadImage.input.required.image[0]).toEqual(['ref.png', 'ref (1).png']);
  });
});
