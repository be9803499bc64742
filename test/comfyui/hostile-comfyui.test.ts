import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComfyServer } from '../../loopback/comfyui/server.js';
import { parseConfig } from '../../src/config/config.js';
import { applyWorkflowMapping, builtInPanelWorkflow } from '../../src/domain/comfyui-mapping.js';
import { ComfyClient } from '../../src/comfyui/comfyui-client.js';
import { renderPanel } from '../../src/comfyui/draw-panel.js';

// A ComfyUI, or a proxy in front of it, that misbehaves: the worker's client keeps going where it can
// (polling when the socket hangs) and refuses what would cost it its memory or lead it elsewhere.

const CHECKPOINT = 'sd_xl_base_1.0.safetensors';
const SIZE = { width: 96, height: 64 };
function panelWorkflow(batch = 1) {
  const { workflow, mapping } = builtInPanelWorkflow(CHECKPOINT);
  const filled = applyWorkflowMapping(workflow, mapping, { positive: 'Kai on the cliff', negative: 'blurry', seed: 3, ...SIZE });
  const sampler = filled[mapping.seed.nodeId];
  if (sampler) sampler.inputs.steps = 3;
  const latent = filled[mapping.width.nodeId];
  if (latent) latent.inputs.batch_size = batch;
  return filled;
}

describe('a misbehaving ComfyUI, against the worker’s client', () => {
  let comfy: ComfyServer;
  const clients: ComfyClient[] = [];
  const newClient = (options: ConstructorParameters<typeof ComfyClient>[1] = {}) => {
    const client = new ComfyClient(comfy.baseUrl, { pollMs: 50, handshakeTimeoutMs: 300, ...options });
    clients.push(client);
    return client;
  };
  const render = (client: ComfyClient, batch = 1) =>
    renderPanel({ client, promptId: randomUUID(), workflow: panelWorkflow(batch), alreadySubmitted: false, timeoutMs: 20_000, size: SIZE });

  beforeEach(async () => {
    comfy = await ComfyServer.start({ checkpoints: [CHECKPOINT] });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await comfy.close();
  });

  it('a WebSocket handshake that is never answered does not stall renders: they are followed by polling history', async () => {
    comfy.faults.hangWebSocketHandshake = true;
    const client = newClient();
    const [first, second] = await Promise.all([render(client), render(client)]);
    expect(first.kind).toBe('done');
    expect(second.kind).toBe('done');
    expect(comfy.submissions).toHaveLength(2);
    expect(comfy.socketsOpened).toEqual([]);
  });

  it('downloads only the first image of a render that made several', async () => {
    const client = newClient();
    const result = await render(client, 3);
    expect(result.kind).toBe('done');
    expect(comfy.views).toHaveLength(1);
  });

  it('an image larger than the cap, by its Content-Length, is refused before its body is read', async () => {
    comfy.faults.view = { kind: 'huge', bytes: 256 * 1024 * 1024, declareLength: true };
    const client = newClient({ maxImageBytes: 1024 * 1024 });
    await expect(render(client)).rejects.toThrow('ComfyUI sent an image of 268435456 bytes, more than the 1048576 allowed');
  });

  it('an image larger than the cap with no Content-Length is cut off once it passes the cap', async () => {
    comfy.faults.view = { kind: 'huge', bytes: 256 * 1024 * 1024, declareLength: false };
    const client = newClient({ maxImageBytes: 1024 * 1024 });
    await expect(render(client)).rejects.toThrow('ComfyUI sent an image of more than the 1048576 bytes allowed');
  });

  it('a redirect from /view is not followed (it could lead the worker to an internal address)', async () => {
    const hits: string[] = [];
    const internal: Server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png' }).end('secret');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    try {
      comfy.faults.view = { kind: 'redirect', location: `http://127.0.0.1:${(internal.address() as AddressInfo).port}/admin` };
      await expect(render(newClient())).rejects.toThrow('ComfyUI answered /view with a redirect, which is not followed');
      expect(hits).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => internal.close(() => resolve()));
    }
  });

  it.each([
    [0, 64],
    [5000, 64],
    [96, 9000],
  ])('an image claiming %i×%i pixels is refused', async (width, height) => {
    comfy.faults.view = { kind: 'png-claiming', width, height };
    await expect(render(newClient())).rejects.toThrow(`ComfyUI sent an image of ${width}×${height} pixels`);
  });

  it('COMFYUI_URL with user:password@ reaches a ComfyUI behind an authenticating proxy, over HTTP and the WebSocket', async () => {
    comfy.faults.requireAuthorization = `Basic ${Buffer.from('render:p@ss word').toString('base64')}`;
    const config = parseConfig({
      DISCORD_TOKEN: 'token-value',
      DISCORD_APPLICATION_ID: '123456789012345678',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/storyroom',
      COMFYUI_URL: `http://render:p%40ss%20word@127.0.0.1:${comfy.port}/`,
    });
    const settings = config.render;
    if (!settings) throw new Error('expected rendering to be on');
    expect(settings.comfyUrl).toBe(comfy.baseUrl);
    const client = new ComfyClient(settings.comfyUrl, { pollMs: 50, authorization: settings.authorization });
    clients.push(client);
    expect((await render(client)).kind).toBe('done');
    expect(comfy.socketsOpened).toEqual([client.clientId]);
  });
});
