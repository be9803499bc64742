import type { ComfyWorkflow } from './comfyui-workflow.js';
import type { InputTarget, ReferenceSlots } from './reference-slots.js';
import type { WorkflowMapping } from './comfyui-mapping.js';

// The workflow's mapped values and reference slots checked against what a live ComfyUI declares
// (GET /object_info): a node class the server lacks (a custom nodes pack not installed, such as
// IPAdapter) or an input its class does not have would fail every render, so start-up says so first.

/** What /object_info says of a node class: its inputs, required and optional. */
export interface DeclaredNode {
  input?: { required?: Record<string, unknown> | undefined; optional?: Record<string, unknown> | undefined } | undefined;
}

/** One line per mapped value or slot whose node class or input the server lacks; empty when all are there. */
export function checkWorkflowAgainstServer(
  workflow: { graph: ComfyWorkflow; mapping: WorkflowMapping; slots: ReferenceSlots },
  declared: Readonly<Record<string, DeclaredNode>>,
): string[] {
  const targets: [string, InputTarget][] = [
    ...Object.entries(workflow.mapping),
    ...workflow.slots.characters.flatMap((slot, index): [string, InputTarget][] => [
      [`references[${index}].image`, slot.image],
      ...(slot.strength ? [[`references[${index}].strength`, slot.strength] as [string, InputTarget]] : []),
    ]),
    ...(workflow.slots.style
      ? ([
          ['style_reference.image', workflow.slots.style.image],
          ...(workflow.slots.style.strength ? [['style_reference.strength', workflow.slots.style.strength]] : []),
        ] as [string, InputTarget][])
      : []),
  ];
  const problems: string[] = [];
  for (const [label, target] of targets) {
    const classType = workflow.graph[target.nodeId]?.class_type;
    if (classType === undefined) continue;
    const info = Object.hasOwn(declared, classType) ? declared[classType] : undefined;
    if (!info)
      problems.push(`${label}: ComfyUI has no node class ${classType} (node ${target.nodeId}); install the custom nodes that provide it`);
    else if (!Object.hasOwn(info.input?.required ?? {}, target.input) && !Object.hasOwn(info.input?.optional ?? {}, target.input))
      problems.push(`${label}: ComfyUI's ${classType} (node ${target.nodeId}) has no input "${target.input}"`);
  }
  return problems;
}
