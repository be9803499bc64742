import { node, type NodeInfo } from './node-info.js';
import { referenceNodes } from './reference-nodes.js';

// The core nodes the loopback ComfyUI knows, in /object_info's shape, and ComfyUI's prompt validation
// over them (execution.py validate_prompt / validate_inputs): the same error types, messages and order.

export const SAMPLERS = ['euler', 'euler_ancestral', 'heun', 'dpm_2', 'lms', 'dpmpp_2m', 'dpmpp_2m_sde', 'dpmpp_3m_sde', 'ddim', 'uni_pc'];
export const SCHEDULERS = [
  'simple',
  'sgm_uniform',
  'karras',
  'exponential',
  'ddim_uniform',
  'beta',
  'normal',
  'linear_quadratic',
  'kl_optimal',
];
const MAX_SEED = '18446744073709551615';

/** /object_info for the core txt2img nodes, with the checkpoints and input files this server has. */
export function buildObjectInfo(options: { checkpoints: readonly string[]; inputFiles: readonly string[] }): Record<string, NodeInfo> {
  return {
    CheckpointLoaderSimple: node(
      'CheckpointLoaderSimple',
      'Load Checkpoint',
      'loaders',
      { ckpt_name: [[...options.checkpoints], { tooltip: 'The name of the checkpoint (model) to load.' }] },
      ['MODEL', 'CLIP', 'VAE'],
    ),
    CLIPTextEncode: node(
      'CLIPTextEncode',
      'CLIP Text Encode (Prompt)',
      'conditioning',
      { text: ['STRING', { multiline: true, dynamicPrompts: true }], clip: ['CLIP'] },
      ['CONDITIONING'],
    ),
    EmptyLatentImage: node(
      'EmptyLatentImage',
      'Empty Latent Image',
      'latent',
      {
        width: ['INT', { default: 512, min: 16, max: 16384, step: 8 }],
        height: ['INT', { default: 512, min: 16, max: 16384, step: 8 }],
        batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
      },
      ['LATENT'],
    ),
    KSampler: node(
      'KSampler',
      'KSampler',
      'sampling',
      {
        model: ['MODEL'],
        seed: ['INT', { default: 0, min: 0, max: Number(MAX_SEED), control_after_generate: true }],
        steps: ['INT', { default: 20, min: 1, max: 10000 }],
        cfg: ['FLOAT', { default: 8.0, min: 0.0, max: 100.0, step: 0.1, round: 0.01 }],
        sampler_name: [[...SAMPLERS]],
        scheduler: [[...SCHEDULERS]],
        positive: ['CONDITIONING'],
        negative: ['CONDITIONING'],
        latent_image: ['LATENT'],
        denoise: ['FLOAT', { default: 1.0, min: 0.0, max: 1.0, step: 0.01 }],
      },
      ['LATENT'],
    ),
    VAEDecode: node('VAEDecode', 'VAE Decode', 'latent', { samples: ['LATENT'], vae: ['VAE'] }, ['IMAGE']),
    SaveImage: node(
      'SaveImage',
      'Save Image',
      'image',
      { images: ['IMAGE'], filename_prefix: ['STRING', { default: 'ComfyUI' }] },
      [],
      true,
    ),
    PreviewImage: node('PreviewImage', 'Preview Image', 'image', { images: ['IMAGE'] }, [], true),
    LoadImage: node('LoadImage', 'Load Image', 'image', { image: [[...options.inputFiles], { image_upload: true }] }, ['IMAGE', 'MASK']),
    ...referenceNodes(),
  };
}

export interface PromptNode {
  class_type: string;
  inputs: Record<string, unknown>;
}
export interface ComfyError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}
export interface NodeErrors {
  errors: ComfyError[];
  dependent_outputs: string[];
  class_type: string;
}
export type Validation =
  | { ok: true; outputs: string[]; nodeErrors: Record<string, NodeErrors> }
  | { ok: false; error: ComfyError; nodeErrors: Record<string, NodeErrors> };

const isLink = (value: unknown): value is [string, number] => Array.isArray(value) && value.length === 2 && typeof value[1] === 'number';

function problem(type: string, message: string, details: string, extra: Record<string, unknown> = {}): ComfyError {
  return { type, message, details, extra_info: extra };
}

/** Validates one node's inputs and, through links, its ancestors; errors land per node in `errorsByNode`. */
function validateNode(
  id: string,
  prompt: Record<string, PromptNode>,
  info: Record<string, NodeInfo>,
  errorsByNode: Map<string, ComfyError[]>,
  seen: Map<string, boolean>,
): boolean {
  const known = seen.get(id);
  if (known !== undefined) return known;
  seen.set(id, true);
  const current = prompt[id];
  const spec = current ? info[current.class_type] : undefined;
  if (!current || !spec) return false;
  const errors: ComfyError[] = [];
  let valid = true;
  for (const [name, [type, options = {}]] of Object.entries(spec.input.required)) {
    const value = current.inputs[name];
    if (value === undefined) {
      errors.push(problem('required_input_missing', 'Required input is missing', name, { input_name: name }));
      continue;
    }
    if (isLink(value)) {
      const [from, slot] = value;
      const source = prompt[from];
      const sourceInfo = source ? info[source.class_type] : undefined;
      if (!source || !sourceInfo) {
        errors.push(problem('exception_during_validation', 'Exception when validating node', `'${from}'`, { input_name: name }));
        continue;
      }
      const received = sourceInfo.output[slot];
      const expected = Array.isArray(type) ? 'COMBO' : type;
      if (received !== expected && !(expected === 'COMBO' && received === 'STRING')) {
        errors.push(
          problem(
            'return_type_mismatch',
            'Return type mismatch between linked nodes',
            `${name}, received_type(${received ?? 'None'}) mismatch input_type(${expected})`,
            { input_name: name },
          ),
        );
        continue;
      }
      if (!validateNode(from, prompt, info, errorsByNode, seen)) valid = false;
      continue;
    }
    const checked = checkLiteral(name, type, options, value, current.class_type);
    if (checked) errors.push(checked);
  }
  if (errors.length > 0 && !errorsByNode.has(id)) errorsByNode.set(id, errors);
  const ok = valid && errors.length === 0;
  seen.set(id, ok);
  return ok;
}

function checkLiteral(
  name: string,
  type: string | string[],
  options: Record<string, unknown>,
  value: unknown,
  classType: string,
): ComfyError | null {
  if (Array.isArray(type)) {
    if (classType === 'LoadImage' && !type.includes(String(value))) {
      return problem('custom_validation_failed', 'Custom validation failed for node', `${name} - Invalid image file: ${String(value)}`, {
        input_name: name,
      });
    }
    if (type.includes(String(value))) return null;
    const list = type.length > 20 ? `(list of length ${type.length})` : `[${type.map((o) => `'${o}'`).join(', ')}]`;
    return problem('value_not_in_list', 'Value not in list', `${name}: '${String(value)}' not in ${list}`, {
      input_name: name,
      input_config: type.length > 20 ? null : [type, options],
      received_value: value,
    });
  }
  if (type === 'INT' || type === 'FLOAT') {
    const number = type === 'INT' ? Math.trunc(Number(value)) : Number(value);
    if (typeof value === 'boolean' || !Number.isFinite(number)) {
      return problem(
        'invalid_input_type',
        `Failed to convert an input ${name} value to a ${type} value`,
        `${name}, ${String(value)}, ${type}`,
        { input_name: name, received_value: value },
      );
    }
    const { min, max } = options as { min?: number; max?: number };
    if (min !== undefined && number < min)
      return problem('value_smaller_than_min', `Value ${number} smaller than min of ${min}`, `${name}`, {
        input_name: name,
        received_value: value,
      });
    if (max !== undefined && number > max)
      return problem('value_bigger_than_max', `Value ${number} bigger than max of ${max}`, `${name}`, {
        input_name: name,
        received_value: value,
      });
  }
  return null;
}

/** ComfyUI's validate_prompt: the run's output nodes, or the 400 error it would answer. */
export function validatePrompt(prompt: Record<string, PromptNode>, info: Record<string, NodeInfo>): Validation {
  const outputs: string[] = [];
  for (const [id, current] of Object.entries(prompt)) {
    if (typeof current.class_type !== 'string') {
      return {
        ok: false,
        error: problem('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`),
        nodeErrors: {},
      };
    }
    const spec = info[current.class_type];
    if (!spec)
      return {
        ok: false,
        error: problem('invalid_prompt', `Cannot execute because node ${current.class_type} does not exist.`, `Node ID '#${id}'`),
        nodeErrors: {},
      };
    if (spec.output_node) outputs.push(id);
  }
  if (outputs.length === 0) return { ok: false, error: problem('prompt_no_outputs', 'Prompt has no outputs', ''), nodeErrors: {} };

  const errorsByNode = new Map<string, ComfyError[]>();
  const dependents = new Map<string, string[]>();
  const good: string[] = [];
  for (const output of outputs) {
    const seen = new Map<string, boolean>();
    if (validateNode(output, prompt, info, errorsByNode, seen)) {
      good.push(output);
      continue;
    }
    for (const id of seen.keys()) if (errorsByNode.has(id)) dependents.set(id, [...(dependents.get(id) ?? []), output]);
  }
  const nodeErrors: Record<string, NodeErrors> = {};
  for (const [id, errors] of errorsByNode) {
    nodeErrors[id] = { errors, dependent_outputs: [...new Set(dependents.get(id) ?? [])], class_type: prompt[id]?.class_type ?? '' };
  }
  if (good.length > 0) return { ok: true, outputs: good, nodeErrors };
  const details = [...errorsByNode.values()]
    .flat()
    .map((e) => `${e.message}: ${e.details}`)
    .join('\n');
  return { ok: false, error: problem('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details), nodeErrors };
}
