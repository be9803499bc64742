import { describe, expect, it } from 'vitest';
import {
  buildComfyWorkflow,
  COMFY_NODE_SHAPES,
  DEFAULT_CHECKPOINT,
  validateComfyWorkflow,
  type ComfyWorkflow,
} from '../../src/domain/comfyui-workflow.js';

const panel = (n: number, prompt: string) => ({
  panel: n,
  scene: 's',
  characters: [],
  camera: 'c',
  mood: 'm',
  prompt,
  negativePrompt: `no ${prompt}`,
});
const options = { checkpoint: DEFAULT_CHECKPOINT, width: 1024, height: 768, steps: 20, cfg: 6.5, seed: 7, filenamePrefix: 'chapter-1' };
const build = () =>
  JSON.parse(
    JSON.stringify(
      buildComfyWorkflow(
        [
          { page: 1, panel: panel(1, 'a') },
          { page: 1, panel: panel(2, 'b') },
          { page: 2, panel: panel(1, 'c') },
        ],
        options,
      ),
    ),
  ) as ComfyWorkflow;

describe('ComfyUI workflow from panel prompts', () => {
  it('is a valid API-format graph: one checkpoint, six nodes per panel', () => {
    const workflow = build();
    expect(validateComfyWorkflow(workflow)).toEqual([]);
    expect(Object.keys(workflow)).toHaveLength(1 + 6 * 3);
    const saves = Object.values(workflow).filter((n) => n.class_type === 'SaveImage');
    expect(saves.map((n) => n.inputs.filename_prefix)).toEqual(['chapter-1_p01_panel01', 'chapter-1_p01_panel02', 'chapter-1_p02_panel01']);
    const texts = Object.values(workflow)
      .filter((n) => n.class_type === 'CLIPTextEncode')
      .map((n) => n.inputs.text);
    expect(texts).toEqual(['a', 'no a', 'b', 'no b', 'c', 'no c']);
    const seeds = Object.values(workflow)
      .filter((n) => n.class_type === 'KSampler')
      .map((n) => n.inputs.seed);
    expect(seeds).toEqual([7, 8, 9]);
  });

  it('every SaveImage leads back, through links to existing nodes only, to the checkpoint', () => {
    const workflow = build();
    const isLink = (value: unknown): value is [string, number] =>
      Array.isArray(value) && value.length === 2 && typeof value[0] === 'string';
    for (const [id, node] of Object.entries(workflow)) {
      if (node.class_type !== 'SaveImage') continue;
      const reached = new Set<string>();
      const walk = (at: string) => {
        const current = workflow[at];
        expect(current, `node ${at}`).toBeDefined();
        if (!current || reached.has(at)) return;
        reached.add(at);
        for (const value of Object.values(current.inputs)) if (isLink(value)) walk(value[0]);
      };
      walk(id);
      expect(reached.has('1')).toBe(true);
      // Its own chain of six nodes plus the shared checkpoint; nothing from another panel.
      expect([...reached].map((r) => workflow[r]?.class_type).sort()).toEqual(
        ['CLIPTextEncode', 'CLIPTextEncode', 'CheckpointLoaderSimple', 'EmptyLatentImage', 'KSampler', 'SaveImage', 'VAEDecode'].sort(),
      );
    }
    expect(workflow['1']).toMatchObject({ class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: DEFAULT_CHECKPOINT } });
    expect(Object.values(workflow).map((n) => n._meta?.title)).toContain('Page 2 panel 1 positive');
  });

  it('finds broken links, wrong types, missing and unknown inputs, unknown classes and bad literals', () => {
    const broken = (change: (w: ComfyWorkflow) => void) => {
      const workflow = build();
      change(workflow);
      return validateComfyWorkflow(workflow);
    };
    const sampler = () => Object.entries(build()).find(([, n]) => n.class_type === 'KSampler')?.[0] ?? '';
    expect(broken((w) => ((w[sampler()] as { inputs: Record<string, unknown> }).inputs.latent_image = ['99', 0]))).toEqual([
      expect.stringMatching(/missing node 99/),
    ]);
    expect(broken((w) => ((w[sampler()] as { inputs: Record<string, unknown> }).inputs.positive = ['1', 0]))).toEqual([
      expect.stringMatching(/wants CONDITIONING but node 1 output 0 is MODEL/),
    ]);
    expect(broken((w) => ((w[sampler()] as { inputs: Record<string, unknown> }).inputs.model = ['1', 5]))).toEqual([
      expect.stringMatching(/missing output 5/),
    ]);
    expect(broken((w) => delete (w[sampler()] as { inputs: Record<string, unknown> }).inputs.steps)).toEqual([
      expect.stringMatching(/missing input steps/),
    ]);
    expect(broken((w) => ((w[sampler()] as { inputs: Record<string, unknown> }).inputs.steps = 'many'))).toEqual([
      expect.stringMatching(/steps should be a number/),
    ]);
    expect(broken((w) => ((w[sampler()] as { inputs: Record<string, unknown> }).inputs.colour = 'red'))).toEqual([
      expect.stringMatching(/unknown input colour/),
    ]);
    expect(broken((w) => (w['99'] = { class_type: 'MagicNode', inputs: {} }))).toEqual([expect.stringMatching(/unknown class MagicNode/)]);
    expect(validateComfyWorkflow([1, 2])).not.toEqual([]);
    expect(validateComfyWorkflow({ '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: DEFAULT_CHECKPOINT } } })).toEqual([
      expect.stringMatching(/no output node/),
    ]);
  });

  it('accepts any node id string, as ComfyUI does', () => {
    const workflow = build();
    const renamed: ComfyWorkflow = {};
    const rename = (id: string) => (id === '1' ? 'ckpt:1' : id);
    for (const [id, node] of Object.entries(workflow)) {
      const inputs = Object.fromEntries(
        Object.entries(node.inputs).map(([name, value]) => [
          name,
          Array.isArray(value) ? ([rename(value[0]), value[1]] as [string, number]) : value,
        ]),
      );
      renamed[rename(id)] = { ...node, inputs };
    }
    expect(validateComfyWorkflow(renamed)).toEqual([]);
  });

  const hash = 'a'.repeat(64);
  const withReferences = () =>
    buildComfyWorkflow(
      [
        {
          page: 1,
          panel: {
            ...panel(1, 'a'),
            references: [
              { slot: 0, character: 'Kai', imageHash: hash, file: `storyroom/${hash}.png` },
              { slot: 'style' as const, character: '', imageHash: 'b'.repeat(64), file: `storyroom/${'b'.repeat(64)}.jpg` },
            ],
          },
        },
      ],
      options,
    );

  it('loads the references of a panel’s approved render in LoadImage nodes titled with slot, character and hash', () => {
    const workflow = withReferences();
    expect(validateComfyWorkflow(workflow)).toEqual([]);
    const loads = Object.values(workflow).filter((n) => n.class_type === 'LoadImage');
    expect(loads.map((n) => [n._meta?.title, n.inputs.image])).toEqual([
      [`Page 1 panel 1 reference character slot 0: Kai (sha256 ${hash})`, `storyroom/${hash}.png`],
      [`Page 1 panel 1 reference style slot (sha256 ${'b'.repeat(64)})`, `storyroom/${'b'.repeat(64)}.jpg`],
    ]);
  });

  it('describes every class it uses', () => {
    expect(new Set(Object.values(withReferences()).map((n) => n.class_type))).toEqual(new Set(Object.keys(COMFY_NODE_SHAPES)));
  });
});
