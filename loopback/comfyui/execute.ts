import { createHash } from 'node:crypto';
import type { PromptNode } from './object-info.js';
import { drawPanel, readPngSize } from './png.js';

// Runs an API-format prompt the way ComfyUI's executor walks it, with a picture drawn from the seed
// and prompt instead of a model: cached nodes are skipped, KSampler reports each step, SaveImage and
// PreviewImage write files. What goes out on the WebSocket is the server's business (the hooks).

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: 'output' | 'input' | 'temp';
}
export class ExecutionFailure extends Error {
  constructor(
    readonly nodeId: string,
    readonly nodeType: string,
    message: string,
    readonly exceptionType = 'RuntimeError',
  ) {
    super(message);
  }
}
export class ExecutionInterrupted extends Error {
  constructor(
    readonly nodeId: string,
    readonly nodeType: string,
  ) {
    super('interrupted');
  }
}

interface Picture {
  width: number;
  height: number;
  seed: string;
  text: string;
  /** A loaded file's bytes (LoadImage), or the references a drawn picture was made with. */
  source?: Buffer;
  references?: Buffer[];
}
/** Reference images carried by a model (IPAdapter) or a conditioning (ReferenceLatent, StyleModelApply). */
type References = Buffer[];
type Value =
  | { kind: 'model'; checkpoint: string; references?: References }
  | { kind: 'ipadapter' }
  | { kind: 'text'; text: string; references?: References }
  | { kind: 'latent'; width: number; height: number; batch: number; seed?: string; text?: string; references?: References; source?: Buffer }
  | { kind: 'images'; pictures: Picture[] };

export interface RunHooks {
  /** The node signatures cached from the previous run, and their values. */
  cache: Map<string, Value[]>;
  /** Earlier UI output of cached output nodes, by signature. */
  cachedUi: Map<string, { images: ImageRef[] }>;
  files: {
    /** Writes a file and returns its name as SaveImage counts them. */
    save(prefix: string, type: 'output' | 'temp', bytes: Buffer): ImageRef;
    readInput(name: string): Buffer | undefined;
  };
  /** When set, every picture is drawn from this seed, not the render's (see ComfyServerOptions). */
  pictureSeed?: string | undefined;
  stepDelay(): Promise<void>;
  shouldInterrupt(): boolean;
  /** Throws at the sampler when a fault asks for it. */
  failAtSampler(): string | null;
  onCached(nodes: string[]): void;
  onExecuting(node: string): void;
  onProgress(node: string, value: number, max: number): void;
  onExecuted(node: string, output: { images: ImageRef[] }): void;
}

/** The bytes of loaded pictures (LoadImage's): what a reference node passes on. */
const loaded = (pictures: Picture[]): Buffer[] => pictures.flatMap((p) => (p.source ? [p.source] : []));

const isLink = (value: unknown): value is [string, number] => Array.isArray(value) && value.length === 2 && typeof value[1] === 'number';

/** The nodes the outputs need, ancestors first. */
function order(prompt: Record<string, PromptNode>, outputs: string[]): string[] {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (id: string) => {
    if (done.has(id)) return;
    done.add(id);
    for (const value of Object.values(prompt[id]?.inputs ?? {})) if (isLink(value)) visit(value[0]);
    out.push(id);
  };
  outputs.forEach(visit);
  return out;
}

function signatures(prompt: Record<string, PromptNode>, ids: string[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const id of ids) {
    const current = prompt[id];
    if (!current) continue;
    const inputs = Object.entries(current.inputs)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => [name, isLink(value) ? [result.get(value[0]), value[1]] : value]);
    result.set(
      id,
      createHash('sha256')
        .update(JSON.stringify([current.class_type, inputs]))
        .digest('hex'),
    );
  }
  return result;
}

/** Runs the prompt; the returned cache is what the next run may reuse. Throws ExecutionFailure or ExecutionInterrupted. */
export async function executePrompt(
  prompt: Record<string, PromptNode>,
  outputs: string[],
  hooks: RunHooks,
): Promise<{ outputs: Record<string, { images: ImageRef[] }>; cache: Map<string, Value[]>; ui: Map<string, { images: ImageRef[] }> }> {
  const ids = order(prompt, outputs);
  const signature = signatures(prompt, ids);
  const values = new Map<string, Value[]>();
  const cache = new Map<string, Value[]>();
  const ui = new Map<string, { images: ImageRef[] }>();
  const results: Record<string, { images: ImageRef[] }> = {};
  const cached = ids.filter((id) => hooks.cache.has(signature.get(id) ?? ''));
  hooks.onCached(cached);
  const input = (node: PromptNode, name: string): Value | undefined => {
    const value = node.inputs[name];
    return isLink(value) ? values.get(value[0])?.[value[1]] : undefined;
  };
  for (const id of ids) {
    const node = prompt[id];
    const key = signature.get(id) ?? '';
    if (!node) continue;
    if (hooks.shouldInterrupt()) throw new ExecutionInterrupted(id, node.class_type);
    const reused = hooks.cache.get(key);
    if (reused) {
      values.set(id, reused);
      cache.set(key, reused);
      const earlier = hooks.cachedUi.get(key);
      if (earlier) {
        results[id] = earlier;
        ui.set(key, earlier);
        hooks.onExecuted(id, earlier);
      }
      continue;
    }
    hooks.onExecuting(id);
    const made = await evaluate(id, node, input, hooks);
    values.set(id, made.values);
    cache.set(key, made.values);
    if (made.ui) {
      results[id] = made.ui;
      ui.set(key, made.ui);
      hooks.onExecuted(id, made.ui);
    }
  }
  return { outputs: results, cache, ui };
}

async function evaluate(
  id: string,
  node: PromptNode,
  input: (node: PromptNode, name: string) => Value | undefined,
  hooks: RunHooks,
): Promise<{ values: Value[]; ui?: { images: ImageRef[] } }> {
  const literal = (name: string) => node.inputs[name];
  // A literal input read as text (numbers too); anything else (a link, an object) reads as empty.
  const text = (name: string) => {
    const value = literal(name);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  };
  switch (node.class_type) {
    case 'CheckpointLoaderSimple': {
      const model: Value = { kind: 'model', checkpoint: String(literal('ckpt_name')) };
      return { values: [model, model, model] };
    }
    case 'CLIPTextEncode':
      return { values: [{ kind: 'text', text: text('text') }] };
    case 'EmptyLatentImage':
      return {
        values: [
          { kind: 'latent', width: Number(literal('width')), height: Number(literal('height')), batch: Number(literal('batch_size')) },
        ],
      };
    case 'KSampler': {
      const latent = input(node, 'latent_image');
      const positive = input(node, 'positive');
      const steps = Number(literal('steps'));
      for (let step = 1; step <= steps; step += 1) {
        await hooks.stepDelay();
        if (hooks.shouldInterrupt()) throw new ExecutionInterrupted(id, node.class_type);
        const failure = step === Math.ceil(steps / 2) ? hooks.failAtSampler() : null;
        if (failure) throw new ExecutionFailure(id, node.class_type, failure);
        hooks.onProgress(id, step, steps);
      }
      const size = latent?.kind === 'latent' ? latent : { width: 512, height: 512, batch: 1 };
      const model = input(node, 'model');
      const references = [
        ...(model?.kind === 'model' ? (model.references ?? []) : []),
        ...(positive?.kind === 'text' ? (positive.references ?? []) : []),
      ];
      return {
        values: [
          {
            kind: 'latent',
            width: size.width,
            height: size.height,
            batch: size.batch,
            seed: String(literal('seed')),
            text: positive?.kind === 'text' ? positive.text : '',
            references,
          },
        ],
      };
    }
    case 'VAEDecode': {
      const latent = input(node, 'samples');
      if (latent?.kind !== 'latent') throw new ExecutionFailure(id, node.class_type, 'VAEDecode needs sampled latents');
      const pictures = Array.from({ length: latent.batch }, (_, i) => ({
        width: latent.width,
        height: latent.height,
        seed: `${latent.seed ?? '0'}#${i}`,
        text: latent.text ?? '',
        references: latent.references ?? [],
      }));
      return { values: [{ kind: 'images', pictures }] };
    }
    case 'LoadImage': {
      const name = String(literal('image'));
      const bytes = hooks.files.readInput(name);
      if (!bytes)
        throw new ExecutionFailure(id, node.class_type, `[Errno 2] No such file or directory: 'input/${name}'`, 'FileNotFoundError');
      const size = readPngSize(bytes) ?? { width: 512, height: 512 };
      return {
        values: [
          { kind: 'images', pictures: [{ ...size, seed: name, text: name, source: bytes }] },
          { kind: 'images', pictures: [] },
        ],
      };
    }
    case 'IPAdapterUnifiedLoader': {
      const model = input(node, 'model');
      return { values: [model ?? { kind: 'model', checkpoint: '' }, { kind: 'ipadapter' }] };
    }
    case 'IPAdapterAdvanced': {
      // The image steers the model by its weight: at weight 0 it has no effect at all.
      const model = input(node, 'model');
      const image = input(node, 'image');
      if (model?.kind !== 'model') throw new ExecutionFailure(id, node.class_type, 'IPAdapter needs a model');
      const added = Number(literal('weight')) === 0 || image?.kind !== 'images' ? [] : loaded(image.pictures);
      return { values: [{ ...model, references: [...(model.references ?? []), ...added] }] };
    }
    case 'VAEEncode': {
      const image = input(node, 'pixels');
      const picture = image?.kind === 'images' ? image.pictures[0] : undefined;
      if (!picture) throw new ExecutionFailure(id, node.class_type, 'VAEEncode needs an image');
      return {
        values: [
          { kind: 'latent', width: picture.width, height: picture.height, batch: 1, ...(picture.source ? { source: picture.source } : {}) },
        ],
      };
    }
    case 'ReferenceLatent':
    case 'StyleModelApply': {
      const conditioning = input(node, 'conditioning');
      if (conditioning?.kind !== 'text') throw new ExecutionFailure(id, node.class_type, `${node.class_type} needs a conditioning`);
      const latent = node.class_type === 'ReferenceLatent' ? input(node, 'latent') : undefined;
      const added = latent?.kind === 'latent' && latent.source ? [latent.source] : [];
      return { values: [{ ...conditioning, references: [...(conditioning.references ?? []), ...added] }] };
    }
    case 'SaveImage':
    case 'PreviewImage': {
      const images = input(node, 'images');
      if (images?.kind !== 'images') throw new ExecutionFailure(id, node.class_type, 'no images to save');
      const prefix =
        node.class_type === 'SaveImage' ? (literal('filename_prefix') === undefined ? 'ComfyUI' : text('filename_prefix')) : 'ComfyUI_temp';
      if (prefix.includes('..') || prefix.startsWith('/'))
        throw new ExecutionFailure(
          id,
          node.class_type,
          `Saving image outside the output folder is not allowed.\nfull_output_folder: ${prefix}`,
          'Exception',
        );
      const refs = images.pictures.map((picture) =>
        hooks.files.save(
          prefix,
          node.class_type === 'SaveImage' ? 'output' : 'temp',
          drawPanel({
            width: picture.width,
            height: picture.height,
            seed: hooks.pictureSeed ?? picture.seed,
            prompt: picture.text,
            references: picture.references ?? [],
            metadata: { prompt: picture.text },
          }),
        ),
      );
      return { values: [], ui: { images: refs } };
    }
    default:
      throw new ExecutionFailure(id, node.class_type, `no loopback implementation for ${node.class_type}`);
  }
}
