import { checkWorkflowAgainstServer } from '../domain/workflow-nodes-check.js';
import type { RenderWorkflow } from '../config/render-workflow.js';
import type { ComfyClient } from './comfyui-client.js';

/**
 * The render workflow's mapped values and reference slots against the live server's /object_info: one
 * line per node class or input it lacks; null when the server cannot be asked now (renders find out).
 */
export async function checkWorkflowNodes(comfy: ComfyClient, workflow: RenderWorkflow): Promise<string[] | null> {
  try {
    return checkWorkflowAgainstServer(workflow, await comfy.objectInfo());
  } catch {
    return null;
  }
}
