import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import { applyWorkflowMapping } from '../../src/domain/comfyui-mapping.js';

const BASE = {
  DISCORD_TOKEN: 'token-value',
  DISCORD_APPLICATION_ID: '123456789012345678',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/storyroom',
};

// An operator's export with its own ids and titles, and a second sampler that must not be touched.
const OPERATOR_WORKFLOW = {
  '10': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'dreamshaper_8.safetensors' } },
  '11': { class_type: 'CLIPTextEncode', inputs: { text: 'PROMPT', clip: ['10', 1] }, _meta: { title: 'Positive' } },
  '12': { class_type: 'CLIPTextEncode', inputs: { text: 'ugly', clip: ['10', 1] }, _meta: { title: 'Negative' } },
  '13': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  '14': {
    class_type: 'KSampler',
    inputs: {
      model: ['10', 0],
      positive: ['11', 0],
      negative: ['12', 0],
      latent_image: ['13', 0],
      seed: 1,
      steps: 20,
      cfg: 7,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise: 1,
    },
  },
  '15': {
    class_type: 'KSampler',
    inputs: {
      model: ['10', 0],
      positive: ['11', 0],
      negative: ['12', 0],
      latent_image: ['14', 0],
      seed: 99,
      steps: 10,
      cfg: 7,
      sampler_name: 'euler',
      scheduler: 'normal',
      denoise: 0.4,
    },
  },
  '16': { class_type: 'VAEDecode', inputs: { samples: ['15', 0], vae: ['10', 2] } },
  '17': { class_type: 'SaveImage', inputs: { images: ['16', 0], filename_prefix: 'mine' } },
};
const MAPPING = { positive: 'Positive.text', negative: '12.text', seed: '14.seed', width: '13.width', height: '13.height' };

function workflowFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'storyroom-workflow-')), 'workflow_api.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('render configuration', () => {
  it('is off without COMFYUI_URL', () => {
    expect(parseConfig(BASE).render).toBeNull();
  });

  it('uses the built-in SDXL graph with the checkpoint named, and the default timeout', () => {
    const render = parseConfig({ ...BASE, COMFYUI_URL: 'http://127.0.0.1:8188/', COMFYUI_CHECKPOINT: 'juggernaut.safetensors' }).render;
    expect(render).toMatchObject({
      comfyUrl: 'http://127.0.0.1:8188',
      checkpoint: 'juggernaut.safetensors',
      timeoutMs: 300_000,
      workflow: { source: 'built-in' },
    });
    const checkpoint = Object.values(render?.workflow.graph ?? {}).find((node) => node.class_type === 'CheckpointLoaderSimple');
    expect(checkpoint?.inputs.ckpt_name).toBe('juggernaut.safetensors');
  });

  it('takes user:password@ out of COMFYUI_URL and sends it as a Basic Authorization header', () => {
    const render = parseConfig({ ...BASE, COMFYUI_URL: 'https://render:p%40ss@comfy.example.net/' }).render;
    expect(render).toMatchObject({
      comfyUrl: 'https://comfy.example.net',
      authorization: `Basic ${Buffer.from('render:p@ss').toString('base64')}`,
    });
    expect(parseConfig({ ...BASE, COMFYUI_URL: 'http://127.0.0.1:8188' }).render?.authorization).toBeNull();
  });

  it("uses the operator's workflow as given, filling only the mapped inputs (by node id or title)", () => {
    const render = parseConfig({
      ...BASE,
      COMFYUI_URL: 'http://127.0.0.1:8188',
      COMFYUI_WORKFLOW: workflowFile(OPERATOR_WORKFLOW),
      COMFYUI_WORKFLOW_MAPPING: JSON.stringify(MAPPING),
      RENDER_TIMEOUT_SECONDS: '60',
    }).render;
    expect(render?.workflow.source).toBe('file');
    expect(render?.timeoutMs).toBe(60_000);
    if (!render) throw new Error('expected rendering to be on');
    const graph = render.workflow.graph;
    expect(graph).toEqual(OPERATOR_WORKFLOW);
    const filled = applyWorkflowMapping(graph, render.workflow.mapping, {
      positive: 'a lighthouse',
      negative: 'blur',
      seed: 42,
      width: 768,
      height: 1024,
    });
    expect(filled['11']?.inputs.text).toBe('a lighthouse');
    expect(filled['12']?.inputs.text).toBe('blur');
    expect(filled['14']?.inputs.seed).toBe(42);
    expect(filled['15']?.inputs.seed).toBe(99);
    expect(filled['13']?.inputs).toMatchObject({ width: 768, height: 1024 });
    expect(graph['11']?.inputs.text).toBe('PROMPT');
  });

  it('stops start-up with one line when the mapping names a node the workflow does not have', () => {
    const problems = problemsOf({
      ...BASE,
      COMFYUI_URL: 'http://127.0.0.1:8188',
      COMFYUI_WORKFLOW: workflowFile(OPERATOR_WORKFLOW),
      COMFYUI_WORKFLOW_MAPPING: JSON.stringify({ ...MAPPING, seed: '3.seed' }),
    });
    expect(problems).toEqual(['COMFYUI_WORKFLOW_MAPPING seed: no node with id or title "3" in the workflow']);
  });

  it('names every other mapping problem on its own line', () => {
    const problems = problemsOf({
      ...BASE,
      COMFYUI_URL: 'http://127.0.0.1:8188',
      COMFYUI_WORKFLOW: workflowFile(OPERATOR_WORKFLOW),
      COMFYUI_WORKFLOW_MAPPING: JSON.stringify({
        positive: '11.prompt',
        negative: '11.clip',
        seed: 'Positive.text',
        width: '13width',
        style: '1.x',
      }),
    });
    expect(problems).toEqual([
      'COMFYUI_WORKFLOW_MAPPING style: not a mapped value (use positive, negative, seed, width, height, references, style_reference)',
      'COMFYUI_WORKFLOW_MAPPING positive: node 11 (CLIPTextEncode) has no input "prompt"',
      'COMFYUI_WORKFLOW_MAPPING negative: input "clip" of node 11 is a link to another node; map the value to a literal input',
      'COMFYUI_WORKFLOW_MAPPING seed: input "text" of node 11 holds text, but seed is a number',
      'COMFYUI_WORKFLOW_MAPPING width: "13width" is not "<node id or title>.<input>"',
      'COMFYUI_WORKFLOW_MAPPING height: missing; give "<node id or title>.<input>"',
    ]);
  });

  it('refuses a workflow without a mapping, an unreadable file and a file that is not an API export', () => {
    expect(problemsOf({ ...BASE, COMFYUI_URL: 'http://127.0.0.1:8188', COMFYUI_WORKFLOW: '/nowhere.json' })).toEqual([
      'COMFYUI_WORKFLOW_MAPPING is required with COMFYUI_WORKFLOW: say which node input takes positive, negative, seed, width and height',
    ]);
    const mapping = JSON.stringify(MAPPING);
    expect(problemsOf({ ...BASE, COMFYUI_WORKFLOW: '/nowhere/workflow.json', COMFYUI_WORKFLOW_MAPPING: mapping })).toEqual([
      'COMFYUI_WORKFLOW cannot be read (ENOENT): /nowhere/workflow.json',
    ]);
    expect(
      problemsOf({ ...BASE, COMFYUI_WORKFLOW: workflowFile('{"nodes": [], "links": []}'), COMFYUI_WORKFLOW_MAPPING: mapping })[0],
    ).toMatch(/not an API-format workflow/);
    expect(problemsOf({ ...BASE, COMFYUI_URL: 'ftp://x', RENDER_TIMEOUT_SECONDS: '1' })).toHaveLength(2);
  });
});
