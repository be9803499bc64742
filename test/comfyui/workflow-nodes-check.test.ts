import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ComfyServer } from '../../loopback/comfyui/server.js';
import { checkWorkflowNodes } from '../../src/comfyui/check-workflow-nodes.js';
import { ComfyClient } from '../../src/comfyui/comfyui-client.js';
import { chooseRenderWorkflow, type RenderWorkflow } from '../../src/config/render-workflow.js';
import type { ComfyWorkflow } from '../../src/domain/comfyui-workflow.js';

// The start-up check of the worker: the workflow's mapped values and reference slots against the live
// ComfyUI's /object_info (the loopback declares the core nodes and the IPAdapter and Flux packs).

const MAPPING = JSON.parse(readFileSync('docs/examples/sdxl-ipadapter.mapping.json', 'utf8')) as Record<string, unknown>;

/** The SDXL + IPAdapter example, changed as `edit` says, resolved as start-up resolves COMFYUI_WORKFLOW. */
function workflow(edit: (graph: ComfyWorkflow) => void = () => {}, mapping = MAPPING): RenderWorkflow {
  const graph = JSON.parse(readFileSync('docs/examples/sdxl-ipadapter.json', 'utf8')) as ComfyWorkflow;
  edit(graph);
  const chosen = chooseRenderWorkflow({ file: 'workflow.json', mapping, checkpoint: 'unused' }, () => JSON.stringify(graph));
  if (Array.isArray(chosen)) throw new Error(`problems: ${chosen.join('; ')}`);
  return chosen;
}

describe('the reference slots against the live ComfyUI’s /object_info', () => {
  it('passes a workflow whose classes and inputs the server has; names a missing class or input in one line each', async () => {
    const server = await ComfyServer.start();
    try {
      const comfy = new ComfyClient(server.baseUrl);
      expect(await checkWorkflowNodes(comfy, workflow())).toEqual([]);
      // Another IPAdapter pack's node the server lacks in character slot 2, and a strength input IPAdapterAdvanced has not.
      const broken = workflow(
        (graph) => {
          const second = graph['24'];
          const style = graph['26'];
          if (!second || !style) throw new Error('the example changed');
          second.class_type = 'IPAdapterFaceID';
          style.inputs.strength = 1;
        },
        { ...MAPPING, style_reference: { image: 'Style reference.image', strength: 'Style IPAdapter.strength' } },
      );
      expect(await checkWorkflowNodes(comfy, broken)).toEqual([
        'references[1].strength: ComfyUI has no node class IPAdapterFaceID (node 24); install the custom nodes that provide it',
        'style_reference.strength: ComfyUI\'s IPAdapterAdvanced (node 26) has no input "strength"',
      ]);
    } finally {
      await server.close();
    }
  });

  it('says nothing when the server cannot be asked (renders report it then)', async () => {
    const server = await ComfyServer.start();
    const comfy = new ComfyClient(server.baseUrl, { requestTimeoutMs: 2_000 });
    await server.close();
    expect(await checkWorkflowNodes(comfy, workflow())).toBeNull();
  });
});
