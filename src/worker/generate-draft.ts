import { DelayedError, type Job } from 'bullmq';
import type { StoryPage } from '../db/database.js';
import { getPage, getPageWithPlace } from '../db/pages.js';
import { describeQueuePlace, renderDraftMessage, renderFailureMessage, type DraftView } from '../views/page-messages.js';
import { generateDraftJob, jobKeyFor } from '../domain/jobs.js';
import { firstEditAfterMs, streamCadence } from '../domain/stream-cadence.js';
import { startDraft, writeAndRecordDraft, type DraftOutcome } from '../services/draft-page.js';
import type { WorkerDeps } from './deps.js';
import type { MessageTarget } from './message-targets.js';
import type { DraftDisplay, DraftRun } from './draft-run.js';
import { attemptOf } from './job-attempt.js';
import { showDraft, showLastDecided, updatePageCard, whileChapterReachable } from './page-views.js';
import { ProgressEditor } from './progress-editor.js';
import { restLoad } from './rest-pressure.js';

/** Draft a narration or dialogue: show progress, call the model, record the revision, show it for a vote. */
export async function processGenerateDraft(deps: WorkerDeps, job: Job, token?: string): Promise<string> {
  // Counted toward the REST budget from the moment the job is taken, before any await: the first draft
  // of a burst to choose its cadence sees the others BullMQ handed this worker with it.
  const held = deps.restPressure.draftHeld();
  try {
    return await generateHeldDraft(deps, job, token);
  } finally {
    held();
  }
}

async function generateHeldDraft(deps: WorkerDeps, job: Job, token?: string): Promise<string> {
  const data = generateDraftJob.parse(job.data);
  const generationKey = job.id ?? jobKeyFor('generate-draft', data);
  const log = deps.logger.child({ pageId: data.pageId, jobId: generationKey, kind: data.kind, attempt: job.attemptsMade + 1 });
  const place = await getPageWithPlace(deps.db, data.pageId);
  if (!place || place.thread_id === null) return 'page gone';
  const run: DraftRun = { deps, job, token, data, generationKey, place: { ...place, thread_id: place.thread_id }, log };
  return whileChapterReachable(deps, place.chapter_id, log, () => generateDraft(run));
}

async function generateDraft(run: DraftRun): Promise<string> {
  const { deps, job, data, generationKey, place, log } = run;
  const start = await startDraft(deps, { data, generationKey, place, log });
  if (start.status === 'already recorded') {
    await showDraft(deps, { place, revision: start.revision, generationKey });
    return 'already recorded';
  }
  if (start.status === 'failed') {
    await showFailure(run, start);
    return 'over budget';
  }
  if (start.status === 'stale') return 'stale';
  const { version } = start;
  const view: DraftView = { pageId: place.id, pageNumber: place.number, kind: data.kind, version, revisionId: null, text: '' };
  const target = {
    channelId: place.thread_id,
    purpose: 'draft' as const,
    chapterId: place.chapter_id,
    pageId: place.id,
    revisionId: null,
    generationKey,
  };
  if (start.status === 'stale before its turn') {
    // A draft that showed its place in the queue says it will not be written after all.
    if (shownQueuePlace(job) !== null)
      await deps.messages.upsert(
        target,
        { by: 'generation_key' },
        renderDraftMessage(view, { phase: 'dropped', reason: 'Cancelled or restarted before its turn came.' }),
      );
    return 'stale';
  }
  if (start.status === 'waiting') {
    await showLastDecided(deps, place);
    return waitForSlot(run, target, view, start.queuePlace);
  }
  return writeDraft(run, target, view, version);
}

/** The draft has its slot: it is written, streamed at the cadence the REST budget allows, and shown. */
async function writeDraft(run: DraftRun, target: MessageTarget, view: DraftView, version: number): Promise<string> {
  const { deps, data, place, log } = run;
  // The busier the bot's REST budget, the fewer calls a draft makes: when busy, the "being written"
  // message waits for the model a moment (a quick answer is posted once, finished) and the card
  // keeps its state until the draft is shown.
  const cadence = streamCadence(restLoad(deps.restPressure), deps.streamEditIntervalMs);
  const note = cadence.noteOnCard ? `${data.kind === 'narration' ? 'Narration' : 'Dialogue'} v${version} is being written…` : null;
  // The draft decided before this one is redrawn with the card, which takes the note in the same edit.
  const cardDrawn = await showLastDecided(deps, place, note);
  // Mutable on purpose: once the draft is slow, every later progress edit keeps offering Retry and Cancel.
  const writing: { phase: 'writing'; queuePosition: null; slowPageVersion?: number } = { phase: 'writing', queuePosition: null };
  let textSoFar = '';
  if (cadence.holdFirstPostMs === 0) await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, writing));
  if (note !== null && !cardDrawn) await updatePageCard(deps, place, note);
  let slowEdit: Promise<void> = Promise.resolve();
  const slowTimer = setTimeout(() => {
    writing.slowPageVersion = data.pageVersion;
    slowEdit = deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage({ ...view, text: textSoFar }, writing)).then(
      () => undefined,
      (error: unknown) => log.warn({ err: error }, 'could not offer Retry and Cancel on a slow draft'),
    );
  }, deps.config.worker.slowGenerationMs);
  // Once the model has answered, no "still writing" edit may land after what follows (the draft, a failure notice).
  const stopWriting = async () => {
    clearTimeout(slowTimer);
    await slowEdit;
  };
  try {
    return await writeAndRecord(run, { target, view, writing, cadence, onText: (text) => (textSoFar = text), stopWriting });
  } finally {
    clearTimeout(slowTimer);
  }
}

/**
 * Over its server's cap: the draft shows its place in the queue (when it changed) and its job goes
 * back to BullMQ, delayed, to ask again; the first in line asks most often.
 */
async function waitForSlot(run: DraftRun, target: MessageTarget, view: DraftView, queuePlace: number): Promise<never> {
  const { deps, job, token, place, log } = run;
  if (shownQueuePlace(job) !== queuePlace) {
    log.info({ queuePlace }, 'server at its cap of drafts written at once; draft waits its turn');
    await deps.messages.upsert(target, { by: 'generation_key' }, renderDraftMessage(view, { phase: 'writing', queuePosition: queuePlace }));
    await updatePageCard(deps, place, describeQueuePlace(queuePlace));
    await job.updateProgress({ queuePlace });
  }
  if (token === undefined) throw new Error('a draft waiting for a slot needs its job lock token');
  await job.moveToDelayed(Date.now() + Math.min(queuePlace, 5) * SLOT_POLL_MS, token);
  throw new DelayedError();
}

/** The place in the queue this job's draft message shows, kept in the job's progress; null before it waited. */
function shownQueuePlace(job: Job): number | null {
  const progress: unknown = job.progress;
  return typeof progress === 'object' && progress !== null && 'queuePlace' in progress && typeof progress.queuePlace === 'number'
    ? progress.queuePlace
    : null;
}

/** How often the first draft in a server's queue asks for a slot again (later ones ask less often). */
const SLOT_POLL_MS = 500;

/** Writes and records the draft (narration streaming into its message), then shows what came of it. */
async function writeAndRecord(run: DraftRun, display: DraftDisplay): Promise<string> {
  const { deps, job, data, generationKey, place, log } = run;
  const { target, view } = display;
  // With takes, take A streams into the message and the others appear with it when the round is recorded.
  const round = (place.takes ?? place.story_takes) > 1;
  const editor = new ProgressEditor(
    () => streamCadence(restLoad(deps.restPressure), deps.streamEditIntervalMs).editIntervalMs,
    async (text) => {
      await deps.messages.upsert(
        target,
        { by: 'generation_key' },
        renderDraftMessage({ ...view, ...(round ? { take: 0 } : {}), text: text === '' ? '' : `${text} ▍` }, display.writing),
      );
    },
    (error) => log.warn({ err: error }, 'progress edit failed'),
    // The "being written" post was just made, or is held: either way no edit comes sooner.
    firstEditAfterMs(display.cadence),
  );
  // A held first post goes out when the hold ends, with whatever text there is by then.
  if (display.cadence.holdFirstPostMs > 0) editor.push('');
  const stream = {
    onText: (text: string) => {
      display.onText(text);
      editor.push(text);
    },
    answered: async () => {
      await editor.close();
      await display.stopWriting();
    },
  };
  let outcome: DraftOutcome;
  try {
    outcome = await writeAndRecordDraft(deps, { data, generationKey, place, run: attemptOf(job, generationKey), log }, stream);
  } finally {
    await editor.close();
  }
  switch (outcome.status) {
    case 'failed':
      await showFailure(run, outcome);
      return 'failed';
    case 'stale': {
      const page = await getPage(deps.db, place.id);
      const lost = outcome.body === null ? 'these takes were not kept' : 'this text was not kept';
      // Cancelled: the message is the page's failure notice now, and keeps its Retry.
      const shown =
        page?.state === 'generation_failed'
          ? renderFailureMessage(page, page.stage, `Cancelled before it finished; ${lost}.`)
          : renderDraftMessage(
              { ...view, text: outcome.body ?? '' },
              { phase: 'dropped', reason: `Cancelled or restarted before it finished; ${lost}.` },
            );
      await deps.messages.upsert(target, { by: 'generation_key' }, shown);
      return 'stale';
    }
    default:
      await showDraft(deps, { place, revision: outcome.revision, page: outcome.page, generationKey });
      return outcome.status;
  }
}

/** The draft could not be written: the page waits for a co-writer's Retry, shown on a failure notice. */
async function showFailure(run: DraftRun, { page, userMessage }: { page: StoryPage | null; userMessage: string }): Promise<void> {
  const { deps, data, place, generationKey } = run;
  if (!page) return;
  // The message that showed the draft being written becomes the notice: no "being written" is left behind.
  const target = {
    channelId: place.thread_id,
    purpose: 'draft' as const,
    chapterId: place.chapter_id,
    pageId: place.id,
    revisionId: null,
    generationKey,
  };
  await deps.messages.upsert(target, { by: 'generation_key' }, renderFailureMessage(page, data.kind, userMessage));
  await updatePageCard(deps, { ...place, ...page }, null);
}
