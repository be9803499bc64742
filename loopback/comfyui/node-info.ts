// A node class as /object_info describes it, and a builder for one: shared by the core nodes
// (object-info.ts) and the reference nodes (reference-nodes.ts).

export type InputSpec = [string | string[], Record<string, unknown>?];
export interface NodeInfo {
  input: { required: Record<string, InputSpec>; optional?: Record<string, InputSpec> };
  input_order: { required: string[] };
  output: string[];
  output_is_list: boolean[];
  output_name: string[];
  name: string;
  display_name: string;
  description: string;
  python_module: string;
  category: string;
  output_node: boolean;
}

export function node(
  name: string,
  display: string,
  category: string,
  required: Record<string, InputSpec>,
  output: string[],
  outputNode = false,
  optional?: Record<string, InputSpec>,
): NodeInfo {
  return {
    input: { required, ...(optional ? { optional } : {}) },
    input_order: { required: Object.keys(required) },
    output,
    output_is_list: output.map(() => false),
    output_name: output,
    name,
    display_name: display,
    description: '',
    python_module: 'nodes',
    category,
    output_node: outputNode,
  };
}
