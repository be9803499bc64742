import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildObjectInfo, validatePrompt } from '../../loopback/comfyui/object-info.js';
import { ComfyServer } from '../../loopback/comfyui/server.js';
import { chooseRenderWorkflow, type RenderWorkflow } from '../../src/config/render-workflow.js';
import { applyReferenceSlots } from '../../src/domain/reference-slots.js';

// The example workflows of docs/comfyui.md with their mappings, checked as start-up checks them; the
// loopback ComfyUI's reference nodes as ComfyUI declares and runs them.

const example = (name: string): RenderWorkflow | string[] =>
  chooseRenderWorkflow(
    {
      file: `docs/examples/${name}.json`,
      mapping: JSON.parse(readFileSync(`docs/examples/${name}.mapping.json`, 'utf8')) as Record<string, unknown>,
      checkpoint: 'unused',
    },
    (path) => readFileSync(path, 'utf8'),
  );

describe('reference slots in a workflow mapping', () => {
  it('the SDXL + IPAdapter and Flux Kontext + ReferenceLatent examples resolve to their slots', () => {
    const sdxl = example('sdxl-ipadapter');
    const kontext = example('flux-kontext-references');
    if (Array.isArray(sdxl) || Array.isArray(kontext)) throw new Error(`problems: ${JSON.stringify([sdxl, kontext])}`);
    expect(sdxl.slots.characters.map((s) => [s.image.nodeId, s.strength?.nodeId])).toEqual([
      ['21', '22'],
      ['23', '24'],
    ]);
    expect(sdxl.slots.style?.strength).toEqual({ nodeId: '26', input: 'weight' });
    expect(kontext.slots).toEqual({
      characters: [
        { image: { nodeId: '5', input: 'image' }, strength: null },
        { image: { nodeId: '9', input: 'image' }, strength: null },
      ],
      style: null,
    });
    // Kontext's slots have no strength: an empty one repeats the panel's last reference.
    const filled = applyReferenceSlots(
      kontext.graph,
      kontext.slots,
      [{ slot: 0, character: 'Kai', referenceId: 1, imageHash: 'abc' }],
      (r) => `storyroom/${r.imageHash}.png`,
      'storyroom/neutral-grey.png',
    );
    expect([filled['5']?.inputs.image, filled['9']?.inputs.image]).toEqual(['storyroom/abc.png', 'storyroom/abc.png']);
    // The built-in IPAdapter graph is what ComfyUI with IPAdapter_plus accepts.
    const info = buildObjectInfo({ checkpoints: ['sd_xl_base_1.0.safetensors'], inputFiles: ['storyroom/neutral-grey.png'] });
    expect(validatePrompt(sdxl.graph as never, info)).toMatchObject({ ok: true });
  });

  it('refuses slots that do not name a LoadImage image or a number strength, one line each', () => {
    const problems = chooseRenderWorkflow(
      {
        file: 'docs/examples/sdxl-ipadapter.json',
        mapping: {
          ...(JSON.parse(readFileSync('docs/examples/sdxl-ipadapter.mapping.json', 'utf8')) as Record<string, unknown>),
          references: [{ image: '22.image', strength: '22.weight_type' }, { image: '21.image', extra: 1 }, 'x'],
          style_reference: { image: '21.image' },
        },
        checkpoint: 'unused',
      },
      (path) => readFileSync(path, 'utf8'),
    );
    expect(problems).toEqual([
      'COMFYUI_WORKFLOW_MAPPING references[0].image: node 22 is IPAdapterAdvanced; a reference goes to a LoadImage node\'s "image" input',
      'COMFYUI_WORKFLOW_MAPPING references[0].strength: input "weight_type" of node 22 is not a number (a strength such as IPAdapterAdvanced.weight)',
      'COMFYUI_WORKFLOW_MAPPING references[1].extra: not part of a slot (use image and strength)',
      'COMFYUI_WORKFLOW_MAPPING references[2]: give {"image": "<LoadImage node>.image", "strength": "<node>.<input>"} (strength optional)',
      'COMFYUI_WORKFLOW_MAPPING references: two slots name the same LoadImage node',
    ]);
  });
});

describe('the loopback ComfyUI’s reference nodes', () => {
  it('declares them as their packs do, refuses an unknown LoadImage file, loses uploads on restart, and draws what it was given', async () => {
    const comfy = await ComfyServer.start();
    try {
      const info = (await (await fetch(`${comfy.baseUrl}/object_info`)).json()) as Record<
        string,
        { input: { required: Record<string, unknown[]> }; output: string[] }
      >;
      expect(info.IPAdapterAdvanced?.input.required.weight).toEqual(['FLOAT', { default: 1.0, min: -1, max: 5, step: 0.05 }]);
      expect(info.IPAdapterUnifiedLoader?.output).toEqual(['MODEL', 'IPADAPTER']);
      expect(info.ReferenceLatent?.output).toEqual(['CONDITIONING']);
      expect(Object.keys(info.StyleModelApply?.input.required ?? {})).toEqual([
        'conditioning',
        'style_model',
        'clip_vision_output',
        'strength',
        'strength_type',
      ]);

      const sdxl = example('sdxl-ipadapter');
      if (Array.isArray(sdxl)) throw new Error(sdxl.join('\n'));
      const upload = async (name: string, bytes: Buffer) => {
        const form = new FormData();
        form.append('image', new Blob([new Uint8Array(bytes)]), name);
        form.append('subfolder', 'storyroom');
        return (await fetch(`${comfy.baseUrl}/upload/image`, { method: 'POST', body: form })).status;
      };
      const run = async (weight: number) => {
        const prompt = structuredClone(sdxl.graph) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
        const node = prompt['22'];
        if (node) node.inputs.weight = weight;
        const promptId = crypto.randomUUID();
        const response = await fetch(`${comfy.baseUrl}/prompt`, { method: 'POST', body: JSON.stringify({ prompt, prompt_id: promptId }) });
        if (response.status !== 200) return { status: response.status, body: await response.json() };
        await comfy.waitFor((state) => state.historyIds.includes(promptId));
        const history = (await (await fetch(`${comfy.baseUrl}/history/${promptId}`)).json()) as Record<
          string,
          { outputs: Record<string, { images: { filename: string; subfolder: string }[] }> }
        >;
        const image = Object.values(history[promptId]?.outputs ?? {})[0]?.images[0];
        const bytes = Buffer.from(
          await (await fetch(`${comfy.baseUrl}/view?filename=${image?.filename ?? ''}&subfolder=${image?.subfolder ?? ''}`)).arrayBuffer(),
        );
        return { status: 200, bytes };
      };
      expect(await run(0.8)).toMatchObject({
        status: 400,
        body: { node_errors: { '21': { errors: [{ type: 'custom_validation_failed' }] } } },
      });
      const { neutralReferencePng } = await import('../../src/comfyui/reference-uploads.js');
      expect(await upload('neutral-grey.png', neutralReferencePng())).toBe(200);
      const [withReference, atZero] = [await run(0.8), await run(0)];
      expect(withReference.status).toBe(200);
      expect('bytes' in withReference && 'bytes' in atZero && withReference.bytes.equals(atZero.bytes)).toBe(false);
      await comfy.restart();
      // The client's pooled connection died with the old process: the first request after it may fail.
      await fetch(`${comfy.baseUrl}/queue`).catch(() => undefined);
      expect(await run(0.8)).toMatchObject({ status: 400 });
    } finally {
      await comfy.close();
    }
  });
});
