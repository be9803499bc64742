import { createHash } from 'node:crypto';
import { buildComfyWorkflow, IPADAPTER_PRESET, ipadapterNode, type ComfyWorkflow } from './comfyui-workflow.js';
import { NEUTRAL_REFERENCE, NO_REFERENCE_SLOTS, REFERENCE_KEYS, REFERENCE_SUBFOLDER, type ReferenceSlots } from './reference-slots.js';

// Where a panel's values go in a workflow. The operator's own API-format export names, for each value,
// a node (by id, or by its unique `_meta.title`) and one of its inputs: an explicit mapping is the
// predictable choice (matching by class_type guesses wrongly with two samplers; placeholders break
// in number fields).

export const MAPPED_VALUES = ['positive', 'negative', 'seed', 'width', 'height'] as const;
export type MappedValue = (typeof MAPPED_VALUES)[number];
/** Node ids and input names, checked against the workflow. */
export type WorkflowMapping = Record<MappedValue, { nodeId: string; input: string }>;

export interface PanelRenderValues {
  positive: string;
  negative: string;
  seed: number;
  width: number;
  height: number;
}

const NUMERIC: readonly MappedValue[] = ['seed', 'width', 'height'];

/** The mapping with each node found, or every problem as one line naming the value. */
export function resolveWorkflowMapping(
  workflow: ComfyWorkflow,
  spec: Partial<Record<string, unknown>>,
): { mapping: WorkflowMapping } | { problems: string[] } {
  const problems: string[] = [];
  const mapping: Partial<WorkflowMapping> = {};
  for (const key of Object.keys(spec))
    if (!(MAPPED_VALUES as readonly string[]).includes(key) && !(REFERENCE_KEYS as readonly string[]).includes(key))
      problems.push(`${key}: not a mapped value (use ${[...MAPPED_VALUES, ...REFERENCE_KEYS].join(', ')})`);
  for (const value of MAPPED_VALUES) {
    const target = spec[value];
    if (typeof target !== 'string') {
      problems.push(`${value}: missing; give "<node id or title>.<input>"`);
      continue;
    }
    // Input names never hold a dot; titles may, so the last dot separates them.
    const dot = target.lastIndexOf('.');
    if (dot <= 0 || dot === target.length - 1) {
      problems.push(`${value}: "${target}" is not "<node id or title>.<input>"`);
      continue;
    }
    const reference = target.slice(0, dot);
    const input = target.slice(dot + 1);
    const byTitle = Object.entries(workflow).filter(([, node]) => node._meta?.title === reference);
    const nodeId = Object.hasOwn(workflow, reference) ? reference : byTitle.length === 1 ? byTitle[0]?.[0] : undefined;
    if (nodeId === undefined) {
      problems.push(
        byTitle.length > 1
          ? `${value}: ${byTitle.length} nodes are titled "${reference}"; use a node id`
          : `${value}: no node with id or title "${reference}" in the workflow`,
      );
      continue;
    }
    const node = workflow[nodeId];
    const current = node?.inputs[input];
    if (current === undefined) {
      problems.push(`${value}: node ${nodeId} (${node?.class_type ?? '?'}) has no input "${input}"`);
      continue;
    }
    if (Array.isArray(current)) {
      problems.push(`${value}: input "${input}" of node ${nodeId} is a link to another node; map the value to a literal input`);
      continue;
    }
    if (NUMERIC.includes(value) !== (typeof current === 'number')) {
      problems.push(
        `${value}: input "${input}" of node ${nodeId} holds ${typeof current === 'number' ? 'a number' : 'text'}, but ${value} is ${NUMERIC.includes(value) ? 'a number' : 'text'}`,
      );
      continue;
    }
    mapping[value] = { nodeId, input };
  }
  if (problems.length > 0) return { problems };
  return { mapping: mapping as WorkflowMapping };
}

/** A copy of the workflow with the panel's values in the mapped inputs; the original is untouched. */
export function applyWorkflowMapping(workflow: ComfyWorkflow, mapping: WorkflowMapping, values: PanelRenderValues): ComfyWorkflow {
  const copy = structuredClone(workflow);
  for (const key of MAPPED_VALUES) {
    const { nodeId, input } = mapping[key];
    const node = copy[nodeId];
    if (node) node.inputs[input] = values[key];
  }
  return copy;
}

/** The built-in graphs: SDXL text-to-image, or the same with IPAdapter reference slots. */
export type BuiltInWorkflow = 'sdxl' | 'sdxl-ipadapter';

/**
 * The built-in SDXL txt2img graph for one panel, with its mapping (the export's graph, one chain).
 * `sdxl-ipadapter` puts IPAdapter (cubiq/ComfyUI_IPAdapter_plus) between the checkpoint and the
 * sampler: two character slots and a style slot, each a LoadImage feeding an IPAdapterAdvanced.
 */
export function builtInPanelWorkflow(
  checkpoint: string,
  variant: BuiltInWorkflow = 'sdxl',
): { workflow: ComfyWorkflow; mapping: WorkflowMapping; slots: ReferenceSlots } {
  const panel = { panel: 1, scene: '', characters: [], camera: '', mood: '', prompt: '', negativePrompt: '' };
  const workflow = buildComfyWorkflow([{ page: 1, panel }], {
    checkpoint,
    width: 1024,
    height: 1024,
    steps: 25,
    cfg: 7,
    seed: 0,
    filenamePrefix: 'storyroom/panel',
  });
  // buildComfyWorkflow numbers the chain: 2 positive, 3 negative, 4 size, 5 sampler.
  const mapping: WorkflowMapping = {
    positive: { nodeId: '2', input: 'text' },
    negative: { nodeId: '3', input: 'text' },
    width: { nodeId: '4', input: 'width' },
    height: { nodeId: '4', input: 'height' },
    seed: { nodeId: '5', input: 'seed' },
  };
  if (variant === 'sdxl') return { workflow, mapping, slots: NO_REFERENCE_SLOTS };
  const neutral = `${REFERENCE_SUBFOLDER}/${NEUTRAL_REFERENCE}`;
  workflow['20'] = {
    class_type: 'IPAdapterUnifiedLoader',
    inputs: { model: ['1', 0], preset: IPADAPTER_PRESET },
    _meta: { title: 'IPAdapter loader' },
  };
  const branches = [
    { load: '21', apply: '22', title: 'Character 1', slot: 'character' },
    { load: '23', apply: '24', title: 'Character 2', slot: 'character' },
    { load: '25', apply: '26', title: 'Style', slot: 'style' },
  ] as const;
  let model: [string, number] = ['20', 0];
  for (const branch of branches) {
    workflow[branch.load] = { class_type: 'LoadImage', inputs: { image: neutral }, _meta: { title: `${branch.title} reference` } };
    workflow[branch.apply] = ipadapterNode(model, '20', [branch.load, 0], branch.slot, `${branch.title} IPAdapter`);
    model = [branch.apply, 0];
  }
  const sampler = workflow['5'];
  if (sampler) sampler.inputs.model = model;
  const slot = (load: string, apply: string) => ({ image: { nodeId: load, input: 'image' }, strength: { nodeId: apply, input: 'weight' } });
  return { workflow, mapping, slots: { characters: [slot('21', '22'), slot('23', '24')], style: slot('25', '26') } };
}

/** A short, stable hash of a workflow, stored with each render so the graph it came from is known. */
export function hashWorkflow(workflow: ComfyWorkflow): string {
  return createHash('sha256').update(JSON.stringify(workflow)).digest('hex').slice(0, 16);
}
