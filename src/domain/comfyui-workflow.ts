import * as z from 'zod';
import type { ExportPanel } from './chapter-export.js';

// Panel prompts as a ComfyUI workflow in the API format (what "Save (API)" writes and POST /prompt
// takes): nodes keyed by id, each { class_type, inputs }, where a link to another node's output is
// [nodeId, outputIndex]. One checkpoint loader, and per panel a standard text-to-image chain. A panel
// whose approved render was drawn with reference images gets, as the built-in SDXL + IPAdapter graph
// draws it, a LoadImage node per reference (titled with its slot, character and hash, loading the file
// where the bot puts it in ComfyUI's input folder) feeding an IPAdapterAdvanced between the checkpoint
// and that panel's sampler.

export const DEFAULT_CHECKPOINT = 'sd_xl_base_1.0.safetensors';

export type ComfySlotType =
  'MODEL' | 'CLIP' | 'VAE' | 'CONDITIONING' | 'LATENT' | 'IMAGE' | 'STRING' | 'INT' | 'FLOAT' | 'COMBO' | 'MASK' | 'IPADAPTER';
type Link = [string, number];

export interface ComfyNode {
  class_type: string;
  inputs: Record<string, string | number | Link>;
  _meta?: { title: string };
}
export type ComfyWorkflow = Record<string, ComfyNode>;

/** The inputs and outputs of the node classes used, as ComfyUI defines them. */
export const COMFY_NODE_SHAPES: Record<string, { inputs: Record<string, ComfySlotType>; outputs: ComfySlotType[] }> = {
  CheckpointLoaderSimple: { inputs: { ckpt_name: 'COMBO' }, outputs: ['MODEL', 'CLIP', 'VAE'] },
  CLIPTextEncode: { inputs: { text: 'STRING', clip: 'CLIP' }, outputs: ['CONDITIONING'] },
  EmptyLatentImage: { inputs: { width: 'INT', height: 'INT', batch_size: 'INT' }, outputs: ['LATENT'] },
  KSampler: {
    inputs: {
      model: 'MODEL',
      seed: 'INT',
      steps: 'INT',
      cfg: 'FLOAT',
      sampler_name: 'COMBO',
      scheduler: 'COMBO',
      positive: 'CONDITIONING',
      negative: 'CONDITIONING',
      latent_image: 'LATENT',
      denoise: 'FLOAT',
    },
    outputs: ['LATENT'],
  },
  VAEDecode: { inputs: { samples: 'LATENT', vae: 'VAE' }, outputs: ['IMAGE'] },
  SaveImage: { inputs: { images: 'IMAGE', filename_prefix: 'STRING' }, outputs: [] },
  LoadImage: { inputs: { image: 'COMBO' }, outputs: ['IMAGE', 'MASK'] },
  // cubiq/ComfyUI_IPAdapter_plus, as the built-in SDXL + IPAdapter graph uses them.
  IPAdapterUnifiedLoader: { inputs: { model: 'MODEL', preset: 'COMBO' }, outputs: ['MODEL', 'IPADAPTER'] },
  IPAdapterAdvanced: {
    inputs: {
      model: 'MODEL',
      ipadapter: 'IPADAPTER',
      image: 'IMAGE',
      weight: 'FLOAT',
      weight_type: 'COMBO',
      combine_embeds: 'COMBO',
      start_at: 'FLOAT',
      end_at: 'FLOAT',
      embeds_scaling: 'COMBO',
    },
    outputs: ['MODEL'],
  },
};

/** The IPAdapter settings of a character slot and of the style slot (the built-in graph's, and the export's). */
export const IPADAPTER_PRESET = 'PLUS (high strength)';
export const IPADAPTER_SLOT = {
  character: { weight: 0.8, weightType: 'linear' },
  style: { weight: 0.6, weightType: 'style transfer' },
} as const;

/** An IPAdapterAdvanced node applying one reference image to a model. */
export function ipadapterNode(model: Link, loader: string, image: Link, slot: keyof typeof IPADAPTER_SLOT, title: string): ComfyNode {
  return {
    class_type: 'IPAdapterAdvanced',
    inputs: {
      model,
      ipadapter: [loader, 1],
      image,
      weight: IPADAPTER_SLOT[slot].weight,
      weight_type: IPADAPTER_SLOT[slot].weightType,
      combine_embeds: 'concat',
      start_at: 0,
      end_at: 1,
      embeds_scaling: 'V only',
    },
    _meta: { title },
  };
}

export interface ComfyOptions {
  checkpoint: string;
  width: number;
  height: number;
  steps: number;
  cfg: number;
  seed: number;
  filenamePrefix: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Panels in reading order, each with its page number ({ page, panel }), each becoming its own chain from
 * prompt to saved image. Panel numbers restart on every page, so the file name carries both:
 * `${filenamePrefix}_p03_panel02`.
 */
export function buildComfyWorkflow(panels: readonly { page: number; panel: ExportPanel }[], options: ComfyOptions): ComfyWorkflow {
  const workflow: ComfyWorkflow = {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: options.checkpoint }, _meta: { title: 'Checkpoint' } },
  };
  let next = 2;
  // One IPAdapter loader for the whole graph, added with the first reference.
  let loader: string | undefined;
  const add = (node: ComfyNode): Link => {
    const id = String(next);
    next += 1;
    workflow[id] = node;
    return [id, 0];
  };
  panels.forEach(({ page, panel }, index) => {
    const label = `Page ${page} panel ${panel.panel}`;
    const positive = add({
      class_type: 'CLIPTextEncode',
      inputs: { text: panel.prompt, clip: ['1', 1] },
      _meta: { title: `${label} positive` },
    });
    const negative = add({
      class_type: 'CLIPTextEncode',
      inputs: { text: panel.negativePrompt, clip: ['1', 1] },
      _meta: { title: `${label} negative` },
    });
    const latent = add({
      class_type: 'EmptyLatentImage',
      inputs: { width: options.width, height: options.height, batch_size: 1 },
      _meta: { title: `${label} size` },
    });
    const sampled = add({
      class_type: 'KSampler',
      inputs: {
        model: ['1', 0],
        seed: options.seed + index,
        steps: options.steps,
        cfg: options.cfg,
        sampler_name: 'euler',
        scheduler: 'normal',
        positive,
        negative,
        latent_image: latent,
        denoise: 1,
      },
      _meta: { title: `${label} sampler` },
    });
    let model: Link = ['1', 0];
    for (const reference of panel.references ?? []) {
      loader ??= add({
        class_type: 'IPAdapterUnifiedLoader',
        inputs: { model: ['1', 0], preset: IPADAPTER_PRESET },
        _meta: { title: 'IPAdapter loader' },
      })[0];
      // A panel's chain starts from the loader's model, as in the built-in graph.
      if (model[0] === '1') model = [loader, 0];
      const slot = reference.slot === 'style' ? 'style slot' : `character slot ${reference.slot}: ${reference.character}`;
      const loaded = add({
        class_type: 'LoadImage',
        inputs: { image: reference.file },
        _meta: { title: `${label} reference ${slot} (sha256 ${reference.imageHash})` },
      });
      model = add(ipadapterNode(model, loader, loaded, reference.slot === 'style' ? 'style' : 'character', `${label} ${slot} IPAdapter`));
    }
    const samplerNode = workflow[sampled[0]];
    if (samplerNode) samplerNode.inputs.model = model;
    const image = add({ class_type: 'VAEDecode', inputs: { samples: sampled, vae: ['1', 2] }, _meta: { title: `${label} decode` } });
    add({
      class_type: 'SaveImage',
      inputs: { images: image, filename_prefix: `${options.filenamePrefix}_p${pad(page)}_panel${pad(panel.panel)}` },
      _meta: { title: `${label} save` },
    });
  });
  return workflow;
}

/** The comfyui export's words on its panels drawn with reference images ('' for none), for the reply. */
export function describeExportReferences(panels: readonly ExportPanel[]): string {
  const referenced = panels.filter((panel) => (panel.references ?? []).length > 0).length;
  return referenced > 0
    ? ` ${referenced} panel${referenced === 1 ? ' was' : 's were'} drawn with reference images: each loads its file (LoadImage, titled with slot, character and sha256) from ComfyUI's input folder, where this bot uploads it, into an IPAdapter before that panel's sampler (ComfyUI_IPAdapter_plus); the web API's \`GET /api/images/<sha256>\` serves it.`
    : '';
}

const linkSchema = z.tuple([z.string(), z.number().int().nonnegative()]);
const workflowSchema = z.record(
  // ComfyUI takes any id string (the UI writes "12" and, inside subgraphs, "12:3").
  z.string().min(1),
  z.object({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()), _meta: z.object({ title: z.string() }).optional() }),
);

/** Everything wrong with a workflow, as sentences; empty when ComfyUI could queue it. */
export function validateComfyWorkflow(workflow: unknown): string[] {
  const parsed = workflowSchema.safeParse(workflow);
  if (!parsed.success) return parsed.error.issues.map((issue) => `shape: ${issue.path.join('.')} ${issue.message}`);
  const nodes = parsed.data;
  const problems: string[] = [];
  for (const [id, node] of Object.entries(nodes)) {
    const shape = COMFY_NODE_SHAPES[node.class_type];
    if (!shape) {
      problems.push(`node ${id}: unknown class ${node.class_type}`);
      continue;
    }
    for (const name of Object.keys(node.inputs)) if (!(name in shape.inputs)) problems.push(`node ${id}: unknown input ${name}`);
    for (const [name, type] of Object.entries(shape.inputs)) {
      const value = node.inputs[name];
      if (value === undefined) {
        problems.push(`node ${id}: missing input ${name}`);
        continue;
      }
      const link = linkSchema.safeParse(value);
      if (link.success) {
        const [from, output] = link.data;
        const source = nodes[from];
        const outputType = source ? COMFY_NODE_SHAPES[source.class_type]?.outputs[output] : undefined;
        if (!source) problems.push(`node ${id}: input ${name} links to missing node ${from}`);
        else if (!outputType) problems.push(`node ${id}: input ${name} links to missing output ${output} of node ${from}`);
        else if (outputType !== type)
          problems.push(`node ${id}: input ${name} wants ${type} but node ${from} output ${output} is ${outputType}`);
        continue;
      }
      const literalOk =
        type === 'STRING' || type === 'COMBO'
          ? typeof value === 'string'
          : type === 'INT'
            ? Number.isInteger(value)
            : type === 'FLOAT'
              ? typeof value === 'number' && Number.isFinite(value)
              : false;
      if (!literalOk)
        problems.push(
          `node ${id}: input ${name} should be ${type === 'INT' || type === 'FLOAT' ? 'a number' : type === 'STRING' || type === 'COMBO' ? 'text' : `a link to ${type}`}`,
        );
    }
  }
  // ComfyUI refuses a prompt with nothing to save ("Prompt has no outputs").
  const hasOutput = Object.values(nodes).some((node) => COMFY_NODE_SHAPES[node.class_type]?.outputs.length === 0);
  if (!hasOutput) problems.push('no output node (SaveImage): ComfyUI would have nothing to run');
  return problems;
}
