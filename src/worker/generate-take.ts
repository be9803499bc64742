import type { Job } from 'bullmq';
import { getPageWithPlace, getRevision } from '../db/pages.js';
import { findRevisionByGenerationKey } from '../db/revisions.js';
import { renderDraftMessage, type DraftView } from '../views/page-messages.js';
import { generateTakeJob, jobKeyFor } from '../domain/jobs.js';
import { writeAnotherTake, type AnotherTakeOutcome } from '../services/another-take.js';
import { isOpenForVote } from '../services/decide-draft.js';
import type { WorkerDeps } from './deps.js';
import { attemptOf } from './job-attempt.js';
import { showDraft, whileChapterReachable } from './page-views.js';
import { ProgressEditor } from './progress-editor.js';
import { restLoad } from './rest-pressure.js';
import { streamCadence } from '../domain/stream-cadence.js';

/**
 * Another take for an open round: shown as it streams, then with the round (the next letter), or as
 * dropped when it could not be written or the round was decided meanwhile.
 */
export async function processGenerateTake(deps: WorkerDeps, job: Job): Promise<string> {
  const data = generateTakeJob.parse(job.data);
  const generationKey = job.id ?? jobKeyFor('generate-take', data);
  const log = deps.logger.child({ pageId: data.pageId, jobId: generationKey, attempt: job.attemptsMade + 1 });
  const place = await getPageWithPlace(deps.db, data.pageId);
  const lead = await getRevision(deps.db, data.leadRevisionId);
  if (!place || !lead || lead.page_id !== data.pageId || place.thread_id === null) return 'page gone';
  const thread = place.thread_id;
  return whileChapterReachable(deps, place.chapter_id, log, async () => {
    const recorded = await findRevisionByGenerationKey(deps.db, generationKey);
    if (recorded) {
      await showDraft(deps, { place, revision: recorded, generationKey });
      return 'already recorded';
    }
    if (!isOpenForVote(place, lead)) return 'round already decided';
    const target = {
      channelId: thread,
      purpose: 'draft' as const,
      chapterId: place.chapter_id,
      pageId: place.id,
      revisionId: null,
      generationKey,
    };
    const view: DraftView = {
      pageId: place.id,
      pageNumber: place.number,
      kind: lead.kind,
      version: lead.version,
      revisionId: null,
      text: '',
      anotherTake: true,
    };
    const writing = { phase: 'writing' as const, queuePosition: null };
    await deps.messages.upsert(
      target,
      { by: 'generation_key' },
      renderDraftMessage({ ...view, text: 'Another take is being written…' }, writing),
    );
    const doneWriting = deps.restPressure.draftHeld();
    const cadence = () => streamCadence(restLoad(deps.restPressure), deps.streamEditIntervalMs);
    const editor = new ProgressEditor(
      () => cadence().editIntervalMs,
      async (text) => {
        await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, text: `${text} ▍` }, writing));
      },
      (error) => log.warn({ err: error }, 'progress edit failed'),
      // The "being written" post was just made: the first streamed text waits an interval after it.
      cadence().editIntervalMs,
    );
    let outcome: AnotherTakeOutcome;
    try {
      outcome = await writeAnotherTake(deps, { data, generationKey, place, lead, run: attemptOf(job, generationKey), log }, (text) =>
        editor.push(text),
      );
    } finally {
      await editor.close();
      doneWriting();
    }
    switch (outcome.status) {
      case 'over budget':
      case 'failed':
        await deps.messages.upsert(
          target,
          { by: 'generation_key' },
          renderDraftMessage(view, { phase: 'dropped', reason: `Another take could not be written: ${outcome.reason}` }),
        );
        return outcome.status;
      case 'stale':
        await deps.messages.upsert(
          target,
          { by: 'generation_key' },
          renderDraftMessage(
            { ...view, text: outcome.body },
            { phase: 'dropped', reason: 'The round was decided before this take was finished; it was not kept.' },
          ),
        );
        return 'stale';
      default:
        await showDraft(deps, { place, revision: outcome.revision, generationKey });
        return outcome.status;
    }
  });
}
