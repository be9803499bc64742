import type { Job } from 'bullmq';
import type { LiveProgress } from '../views/panels-message.js';
import { renderPanelJob } from '../domain/jobs.js';
import { drawPanelRender, findRenderToDraw } from '../services/render-panel.js';
import type { WorkerDeps } from './deps.js';
import { attemptOf } from './job-attempt.js';
import { whileChapterReachable } from './page-views.js';
import { showPanels } from './panels-view.js';
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
    // Every edit, progress included, is the whole view read from Postgres: footers and the line agree.
    const editor = new ProgressEditor<LiveProgress>(
      deps.streamEditIntervalMs,
      (live) => showPanels(deps, place, { live }),
      (error) => log.warn({ err: error }, 'could not show render progress'),
    );
    let outcome: string;
    try {
      outcome = await drawPanelRender(
        deps,
        { place, render, run: attemptOf(job), log },
        {
          progress: (progress) => editor.push({ panelNumber: progress.panel, step: progress.step, ahead: progress.ahead }),
          answered: () => editor.close(),
          unreachable: () => showPanels(deps, place),
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
