import type { Job } from 'bullmq';
import { generatePanelsJob } from '../domain/jobs.js';
import { writePagePanelPrompts } from '../services/write-panel-prompts.js';
import { tellGaveUp } from './advisory-gave-up.js';
import type { WorkerDeps } from './deps.js';
import { attemptOf } from './job-attempt.js';
import { whileChapterReachable } from './page-views.js';
import { showPanels } from './panels-view.js';

/** The comic pipeline's entry: an approved page's panel prompts are written, then its panels message follows. */
export async function processComicPanelPrompts(deps: WorkerDeps, job: Job): Promise<string> {
  const data = generatePanelsJob.parse(job.data);
  const written = await writePagePanelPrompts(deps, data, attemptOf(job));
  if (written.status === 'skipped') return written.reason;
  const { place } = written;
  if (written.status === 'gave up') {
    await tellGaveUp(deps, {
      agent: 'panels',
      place,
      revisionId: data.dialogueRevisionId,
      label: `dialogue v${written.dialogue.version}`,
      reason: written.reason,
      round: data.round ?? 0,
    });
    return 'panels failed';
  }
  const note = deps.config.render
    ? undefined
    : 'Rendering is off on this bot (it has no image server set up); ask whoever runs the bot to turn it on. The prompts are in /chapter export format:comfyui.';
  return whileChapterReachable(deps, place.chapter_id, deps.logger.child({ pageId: data.pageId, jobId: job.id }), async () => {
    await showPanels(deps, place, note ? { note } : {});
    return `${written.panels} panel(s)`;
  });
}
