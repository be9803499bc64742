import type { ComfyWorkflow } from './comfyui-workflow.js';
import type { RenderReference } from './character-references.js';

// Where reference images go in a workflow. Each slot names the LoadImage node whose `image` input
// takes the uploaded file, and optionally a number input that sets how strongly it counts (e.g.
// IPAdapterAdvanced.weight). Character slots are filled in the panel's order; the style slot takes
// the story's style reference. A slot a panel leaves empty loads a neutral grey image, with its
// strength set to 0 when the slot has one (the branch then changes nothing); a slot without a
// strength repeats the panel's last reference instead, or loads the grey image when it has none.

export interface InputTarget {
  nodeId: string;
  input: string;
}
export interface ReferenceSlot {
  image: InputTarget;
  strength: InputTarget | null;
}
export interface ReferenceSlots {
  characters: ReferenceSlot[];
  style: ReferenceSlot | null;
}
export const NO_REFERENCE_SLOTS: ReferenceSlots = { characters: [], style: null };
export const REFERENCE_KEYS = ['references', 'style_reference'] as const;
export const MAX_REFERENCE_SLOTS = 8;

/** The file a filled slot loads, in the ComfyUI input folder's subfolder `storyroom`: named by the image's hash. */
export function referenceFileName(imageHash: string, extension: string): string {
  return `${imageHash}.${extension}`;
}
export const REFERENCE_SUBFOLDER = 'storyroom';

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** Where a reference is in ComfyUI's input folder, as a LoadImage node names it: `storyroom/<hash>.<ext>`. */
export function referenceInputPath(imageHash: string, contentType: string): string {
  return `${REFERENCE_SUBFOLDER}/${referenceFileName(imageHash, EXTENSIONS[contentType] ?? 'png')}`;
}
/** The grey image an empty slot loads. */
export const NEUTRAL_REFERENCE = 'neutral-grey.png';

function resolveTarget(
  workflow: ComfyWorkflow,
  label: string,
  spec: unknown,
  want: 'image' | 'number',
  problems: string[],
): InputTarget | null {
  if (typeof spec !== 'string') {
    problems.push(`${label}: give "<node id or title>.<input>"`);
    return null;
  }
  const dot = spec.lastIndexOf('.');
  if (dot <= 0 || dot === spec.length - 1) {
    problems.push(`${label}: "${spec}" is not "<node id or title>.<input>"`);
    return null;
  }
  const reference = spec.slice(0, dot);
  const input = spec.slice(dot + 1);
  const byTitle = Object.entries(workflow).filter(([, node]) => node._meta?.title === reference);
  const nodeId = Object.hasOwn(workflow, reference) ? reference : byTitle.length === 1 ? byTitle[0]?.[0] : undefined;
  const node = nodeId === undefined ? undefined : workflow[nodeId];
  if (nodeId === undefined || !node) {
    problems.push(`${label}: no node with id or title "${reference}" in the workflow`);
    return null;
  }
  const current = node.inputs[input];
  if (current === undefined) problems.push(`${label}: node ${nodeId} (${node.class_type}) has no input "${input}"`);
  else if (want === 'image' && (node.class_type !== 'LoadImage' || input !== 'image'))
    problems.push(`${label}: node ${nodeId} is ${node.class_type}; a reference goes to a LoadImage node's "image" input`);
  else if (want === 'number' && typeof current !== 'number')
    problems.push(`${label}: input "${input}" of node ${nodeId} is not a number (a strength such as IPAdapterAdvanced.weight)`);
  else return { nodeId, input };
  return null;
}

function resolveSlot(workflow: ComfyWorkflow, label: string, spec: unknown, problems: string[]): ReferenceSlot | null {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    problems.push(`${label}: give {"image": "<LoadImage node>.image", "strength": "<node>.<input>"} (strength optional)`);
    return null;
  }
  const { image, strength, ...rest } = spec as Record<string, unknown>;
  for (const key of Object.keys(rest)) problems.push(`${label}.${key}: not part of a slot (use image and strength)`);
  const imageTarget = resolveTarget(workflow, `${label}.image`, image, 'image', problems);
  const strengthTarget = strength === undefined ? null : resolveTarget(workflow, `${label}.strength`, strength, 'number', problems);
  if (!imageTarget || (strength !== undefined && !strengthTarget)) return null;
  return { image: imageTarget, strength: strengthTarget };
}

/** The mapping's reference slots checked against the workflow, or every problem as one line. */
export function resolveReferenceSlots(
  workflow: ComfyWorkflow,
  spec: Partial<Record<string, unknown>>,
): { slots: ReferenceSlots } | { problems: string[] } {
  const problems: string[] = [];
  const list = spec.references ?? [];
  const characters: ReferenceSlot[] = [];
  if (!Array.isArray(list) || list.length > MAX_REFERENCE_SLOTS)
    problems.push(`references: give a list of at most ${MAX_REFERENCE_SLOTS} slots`);
  else
    list.forEach((slotSpec: unknown, index) => {
      const slot = resolveSlot(workflow, `references[${index}]`, slotSpec, problems);
      if (slot) characters.push(slot);
    });
  const style = spec.style_reference === undefined ? null : resolveSlot(workflow, 'style_reference', spec.style_reference, problems);
  const used = [...characters, ...(style ? [style] : [])].map((slot) => slot.image.nodeId);
  if (new Set(used).size !== used.length) problems.push('references: two slots name the same LoadImage node');
  return problems.length > 0 ? { problems } : { slots: { characters, style } };
}

/**
 * A copy of the workflow with each slot's file (and strength) written in. `fileOf` names the uploaded
 * file of a reference; empty slots follow the rule at the top of this file.
 */
export function applyReferenceSlots(
  workflow: ComfyWorkflow,
  slots: ReferenceSlots,
  references: readonly RenderReference[],
  fileOf: (reference: RenderReference) => string,
  neutralFile: string,
): ComfyWorkflow {
  const copy = structuredClone(workflow);
  const set = (target: InputTarget, value: string | number) => {
    const node = copy[target.nodeId];
    if (node) node.inputs[target.input] = value;
  };
  const characterReferences = references.filter((r) => r.slot !== 'style');
  const last = characterReferences.at(-1);
  const fill = (slot: ReferenceSlot, reference: RenderReference | undefined) => {
    if (reference) return set(slot.image, fileOf(reference));
    if (slot.strength) {
      set(slot.strength, 0);
      return set(slot.image, neutralFile);
    }
    set(slot.image, last ? fileOf(last) : neutralFile);
  };
  slots.characters.forEach((slot, index) =>
    fill(
      slot,
      references.find((r) => r.slot === index),
    ),
  );
  if (slots.style)
    fill(
      slots.style,
      references.find((r) => r.slot === 'style'),
    );
  return copy;
}
