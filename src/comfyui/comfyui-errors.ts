import * as z from 'zod';

// What can go wrong talking to ComfyUI, as values the render job turns into notices.

/** ComfyUI could not be reached, or answered with a server error: worth retrying with back-off. */
export class ComfyUnreachableError extends Error {
  override name = 'ComfyUnreachableError';
}

/** ComfyUI refused the prompt (400): retrying the same graph cannot help. */
export class ComfyValidationError extends Error {
  override name = 'ComfyValidationError';
  constructor(
    /** In words, for the operator's log (the room reads a plain notice): "the checkpoint x.safetensors is not installed (it has a, b)". */
    readonly summary: string,
    /** ComfyUI's own body, for the operator's log. */
    readonly body: unknown,
  ) {
    super(summary);
  }
}

const errorSchema = z.object({
  type: z.string(),
  message: z.string(),
  details: z.string().optional(),
  extra_info: z.record(z.string(), z.unknown()).optional(),
});
const validationBodySchema = z.object({
  error: errorSchema,
  node_errors: z.record(z.string(), z.object({ errors: z.array(errorSchema), class_type: z.string() })).default({}),
});

function describeNodeError(nodeId: string, classType: string, error: z.infer<typeof errorSchema>): string {
  const input = typeof error.extra_info?.input_name === 'string' ? error.extra_info.input_name : undefined;
  const received = error.extra_info?.received_value;
  if (error.type === 'value_not_in_list' && input === 'ckpt_name') {
    const options = z.tuple([z.array(z.string()), z.unknown()]).safeParse(error.extra_info?.input_config);
    const installed = options.success ? ` (it has ${options.data[0].slice(0, 5).join(', ') || 'none'})` : '';
    return `the checkpoint ${String(received)} is not installed on the ComfyUI server${installed}`;
  }
  if (error.type === 'value_not_in_list') return `${classType} node ${nodeId}: ${String(received)} is not an allowed ${input ?? 'value'}`;
  if (error.type === 'required_input_missing') return `${classType} node ${nodeId} is missing its ${error.details ?? 'input'}`;
  return `${classType} node ${nodeId}: ${error.message}${error.details ? ` (${error.details})` : ''}`;
}

/** A 400 from POST /prompt, said in words. */
export function describeValidationError(body: unknown): string {
  const parsed = validationBodySchema.safeParse(body);
  if (!parsed.success) return 'ComfyUI refused the workflow';
  const { error, node_errors } = parsed.data;
  const perNode = Object.entries(node_errors).flatMap(([id, node]) => node.errors.map((e) => describeNodeError(id, node.class_type, e)));
  if (perNode.length > 0) return perNode.join('; ');
  if (error.type === 'invalid_prompt') return `ComfyUI refused the workflow: ${error.message} ${error.details ?? ''}`.trim();
  if (error.type === 'prompt_no_outputs') return 'the workflow has no output node (SaveImage), so ComfyUI has nothing to run';
  return `ComfyUI refused the workflow: ${error.message}`;
}

/** The nodes ComfyUI named in a 400, for the operator's log: "4 (CheckpointLoaderSimple)". */
export function failingNodes(body: unknown): string[] {
  const parsed = validationBodySchema.safeParse(body);
  return parsed.success ? Object.entries(parsed.data.node_errors).map(([id, node]) => `${id} (${node.class_type})`) : [];
}

/**
 * ComfyUI answered with something the worker will not take: a redirect, a body past its cap, an image
 * of an impossible size. Said for the operator's log; the room reads a plain notice.
 */
export class ComfyBadResponseError extends Error {
  override name = 'ComfyBadResponseError';
}

/** Whether a 400 names a model file ComfyUI does not have (a checkpoint, LoRA, VAE… input not in its list). */
export function isMissingModel(body: unknown): boolean {
  const parsed = validationBodySchema.safeParse(body);
  if (!parsed.success) return false;
  return Object.values(parsed.data.node_errors).some((node) =>
    node.errors.some(
      (error) =>
        error.type === 'value_not_in_list' &&
        typeof error.extra_info?.input_name === 'string' &&
        /(ckpt|lora|vae|unet|clip|model|control_net)_name$/.test(error.extra_info.input_name),
    ),
  );
}

/** Whether ComfyUI refused the prompt because a LoadImage names a file its input folder does not have (lost in a restart). */
export function isMissingInputImage(body: unknown): boolean {
  const parsed = validationBodySchema.safeParse(body);
  if (!parsed.success) return false;
  return Object.values(parsed.data.node_errors).some((node) =>
    node.errors.some((error) => error.type === 'custom_validation_failed' && /Invalid image file/.test(error.details ?? '')),
  );
}
