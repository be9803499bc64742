import * as z from 'zod';
import {
  builtInPanelWorkflow,
  hashWorkflow,
  resolveWorkflowMapping,
  type BuiltInWorkflow,
  type WorkflowMapping,
} from '../domain/comfyui-mapping.js';
import type { ComfyWorkflow } from '../domain/comfyui-workflow.js';
import { resolveReferenceSlots, type ReferenceSlots } from '../domain/reference-slots.js';

// Part of the configuration: the operator's ComfyUI workflow file, read and checked at start-up.

/** How a panel becomes a ComfyUI prompt: a graph and where its values go. */
export interface RenderWorkflow {
  source: 'built-in' | 'file';
  graph: ComfyWorkflow;
  mapping: WorkflowMapping;
  /** Where reference images go (none: the workflow draws from words alone). */
  slots: ReferenceSlots;
  /** Stored with each render. */
  hash: string;
}

const workflowGraphSchema = z.record(
  z.string(),
  z.object({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()), _meta: z.object({ title: z.string() }).optional() }),
);

/**
 * The workflow renders use: the operator's file with its mapping when both are given (the schema
 * refuses a file without a mapping), else the built-in SDXL graph with the checkpoint named.
 */
export function chooseRenderWorkflow(
  spec: { file: string | undefined; mapping: Record<string, unknown> | undefined; checkpoint: string; builtIn?: BuiltInWorkflow },
  readFile: (path: string) => string,
): RenderWorkflow | string[] {
  if (spec.file !== undefined && spec.mapping !== undefined) return loadRenderWorkflow(spec.file, spec.mapping, readFile);
  const builtIn = builtInPanelWorkflow(spec.checkpoint, spec.builtIn);
  return {
    source: 'built-in',
    graph: builtIn.workflow,
    mapping: builtIn.mapping,
    slots: builtIn.slots,
    hash: hashWorkflow(builtIn.workflow),
  };
}

/** The operator's workflow file checked against its mapping: the workflow, or one line per problem. */
function loadRenderWorkflow(
  path: string,
  mappingSpec: Record<string, unknown>,
  readFile: (path: string) => string,
): RenderWorkflow | string[] {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return [`COMFYUI_WORKFLOW cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${path}`];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return ['COMFYUI_WORKFLOW is not JSON: export it from ComfyUI with "Save (API)"'];
  }
  const graph = workflowGraphSchema.safeParse(parsed);
  if (!graph.success)
    return ['COMFYUI_WORKFLOW is not an API-format workflow (nodes by id, each with class_type and inputs): export it with "Save (API)"'];
  const workflow = graph.data as ComfyWorkflow;
  const resolved = resolveWorkflowMapping(workflow, mappingSpec);
  const slots = resolveReferenceSlots(workflow, mappingSpec);
  const problems = [...('problems' in resolved ? resolved.problems : []), ...('problems' in slots ? slots.problems : [])];
  if ('problems' in resolved || 'problems' in slots) return problems.map((problem) => `COMFYUI_WORKFLOW_MAPPING ${problem}`);
  return { source: 'file', graph: workflow, mapping: resolved.mapping, slots: slots.slots, hash: hashWorkflow(workflow) };
}
