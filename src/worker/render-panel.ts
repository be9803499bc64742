import type { Job } from 'bullmq';
import { describeRenderProgress } from '../views/panels-message.js';
import { renderPanelJob } from '../domain/jobs.js';
import { drawPanelRender, findRenderToDraw } from '../services/render-panel.js';
import type { WorkerDeps } from './deps.js';
import { attemptOf } from './job-attempt.js';
import { whileChapterReachable } from './page-views.js';
import { showPanels, showPanelsStatus } from './panels-view.js';
import { ProgressEditor } from './progress-editor.js';

/** One panel's render: its progress edited into the page's panels message, which shows the outcome. */
export async function processRenderPanel(deps: WorkerDeps, job: Job): Promise<string> {
  const data = renderPanelJob.parse(job.data);
  const found = await findRenderToDraw(deps, data);
  if (found.status === 'skipped') return found.reason;
  const { place, render } = found;
  const log = deps.logger.child({ pageId: data.pageId, renderId: data.renderId, jobId: job.id, comfyPromptId: render.comfy_prompt_id });
  return whileChapterReachable(deps, place.chapter_id, log, async () => {
    if (found.status === 'already failed') {
      await showPanels(deps, place);
      return 'already failed';
    }
    const editor = new ProgressEditor(
      deps.streamEditIntervalMs,
      (text) => showPanelsStatus(deps, place, text),
      (error) => log.warn({ err: error }, 'could not show render progress'),
    );
    let outcome: string;
    try {
      outcome = await drawPanelRender(
        deps,
        { place, render, run: attemptOf(job), log },
        {
          progress: (progress) => editor.push(describeRenderProgress(progress)),
          answered: () => editor.close(),
          unreachable: (attempt, attempts) =>
            showPanelsStatus(deps, place, `ComfyUI cannot be reached; trying again (attempt ${attempt} of ${attempts})`),
        },
      );
    } finally {
      await editor.close();
    }
    await showPanels(deps, place);
    // Another worker may end a render of this page at the same moment and land an older view last.
    deps.progress.refreshPanels(place.id);
    return outcome;
  });
}
