import type { Transaction } from 'kysely';
import type { Database, PageRevision, StoryPage, StoryPageUpdate } from '../db/database.js';
import { writeToOutbox } from '../db/outbox.js';
import { closeRound, findOpenTakeOfRound } from '../db/revisions.js';
import { updatePageAndLogTransition } from '../db/transitions.js';
import { describeJob, type OutboxJob } from '../domain/jobs.js';
import { isGenerating, transitionPage, type PageEffect, type PageEvent } from '../domain/page-state-machine.js';
import { draftFollowUps, reviewJobs, type ReviewClock } from './review-schedule.js';
import { UserError } from './user-error.js';

export interface PageChange {
  /** The page row as the caller's transaction locked it (lockPage): its current draft is the one under vote. */
  page: StoryPage;
  event: PageEvent;
  actorId: string | null;
  /** More for the audit log: why a deadline decided, where a restore came from, a failure's reason. */
  details?: Record<string, unknown>;
  /** The draft this event puts up for a vote (draft_recorded, version_restored), or the take that joins the round (take_recorded), and the clock of its reminder and deadline. */
  newDraft?: { revision: PageRevision; clock: ReviewClock };
  /** take_added: the takes the round holds now (written and being written), so the job knows which request it is. */
  takesAsked?: number;
}

export interface AppliedEvent {
  page: StoryPage;
  effects: PageEffect[];
  /** The draft whose vote this event closed, as it now stands (approved, sent back or superseded). */
  closedDraft: PageRevision | null;
}

/**
 * The one way a page changes state, inside the caller's transaction: runs the pure transition on the
 * locked row, persists the new state with a bumped version, appends to the audit log, and carries out
 * every effect the state machine returns. No caller closes a draft or queues a follow-up itself; the
 * follow-up jobs reach BullMQ when the caller's unit of work commits.
 */
export async function applyPageEvent(trx: Transaction<Database>, change: PageChange): Promise<AppliedEvent> {
  const { page, event, actorId, details = {}, newDraft } = change;
  const result = transitionPage({ state: page.state, stage: page.stage }, event);
  if (!result.ok) throw new UserError(result.reason);
  // The round under vote is the page's current draft (its take A) as the caller locked it.
  const leadId = page.current_revision_id;
  const pickedTake = await pickedTakeOf(trx, leadId, result.effects);
  const version = page.version + 1;
  const generating = isGenerating(result.status.state);
  const { type: _type, ...eventFacts } = event;
  const updated = await updatePageAndLogTransition(trx, {
    pageId: page.id,
    expectedVersion: page.version,
    changes: {
      ...pageColumnsFor(page, result.effects, newDraft?.revision ?? null, pickedTake),
      state: result.status.state,
      stage: result.status.stage,
      version,
      updated_at: new Date(),
      generation_started_at: generating ? new Date() : null,
      failure_reason: result.status.state === 'generation_failed' ? (typeof details.reason === 'string' ? details.reason : null) : null,
    },
    log: { from: page.state, event: event.type, actorId, details: { ...eventFacts, ...details } },
  });
  // The row is locked, so this only fails if a caller forgot to lock it: refuse rather than overwrite.
  if (!updated) throw new Error(`page ${page.id} changed under a transition (expected version ${page.version})`);

  const jobs: OutboxJob[] = [];
  let closedDraft: PageRevision | null = null;
  for (const effect of result.effects) {
    switch (effect.type) {
      case 'close_draft_voting':
        // Closes every take of the round (a round of one take is the plain draft).
        if (leadId === null) throw new Error(`page ${page.id} has no draft to close`);
        closedDraft = await closeRound(trx, leadId, effect.outcome, effect.take ?? null);
        break;
      case 'generate_take':
        if (leadId === null || change.takesAsked === undefined)
          throw new Error(`take_added on page ${page.id} needs its round and the takes asked`);
        jobs.push(describeJob('generate-take', { pageId: page.id, leadRevisionId: leadId, request: change.takesAsked }));
        break;
      case 'post_take':
        if (!newDraft) throw new Error(`take_recorded on page ${page.id} adds a take but none was given`);
        // A model's take is shown by the worker that wrote it; a co-writer's edit needs a job to show it.
        if (event.type === 'take_recorded' && event.byHand)
          jobs.push(describeJob('post-draft', { pageId: page.id, revisionId: newDraft.revision.id }));
        // Each take the model wrote is reviewed on its own text, so no take looks checked that was not.
        jobs.push(...reviewJobs(page, newDraft.revision, newDraft.clock));
        break;
      case 'generate_draft':
        jobs.push(describeJob('generate-draft', { pageId: page.id, kind: effect.kind, pageVersion: version }));
        break;
      case 'post_draft': {
        if (!newDraft) throw new Error(`${event.type} on page ${page.id} puts up a draft but none was given`);
        jobs.push(...(await draftFollowUps(trx, page, newDraft.revision, newDraft.clock)));
        // A drafted revision is shown by the worker that wrote it; a restored or edited one needs a job to show it.
        if (event.type !== 'draft_recorded') {
          const superseded =
            page.current_revision_id !== null && result.effects.some((e) => e.type === 'close_draft_voting')
              ? { supersededRevisionId: page.current_revision_id }
              : {};
          jobs.push(describeJob('post-draft', { pageId: page.id, revisionId: newDraft.revision.id, ...superseded }));
        }
        break;
      }
      case 'announce_page_approved':
        jobs.push(describeJob('announce-page', { pageId: page.id, pageVersion: version }));
        jobs.push(describeJob('summarise-chapter', { chapterId: page.chapter_id, approvedPage: page.number }));
        break;
      case 'generate_panels':
        if (updated.approved_dialogue_id === null) throw new Error(`page ${page.id} was approved without an approved dialogue`);
        jobs.push(describeJob('generate-panels', { pageId: page.id, dialogueRevisionId: updated.approved_dialogue_id }));
        break;
      case 'announce_failure':
        // Carried out by the update above: the page stores why it failed. The notice with its Retry
        // button is drawn from that committed state by whoever holds the job or the click.
        break;
      default: {
        const unhandled: never = effect;
        throw new Error(`unhandled page effect ${JSON.stringify(unhandled)}`);
      }
    }
  }
  // Every follow-up job of this transition in one statement.
  await writeToOutbox(trx, jobs);
  return { page: updated, effects: result.effects, closedDraft };
}

/** The take a pick approves, read before the page is updated so the page can name it. */
async function pickedTakeOf(
  trx: Transaction<Database>,
  leadId: number | null,
  effects: readonly PageEffect[],
): Promise<PageRevision | null> {
  const close = effects.find((effect) => effect.type === 'close_draft_voting');
  if (leadId === null || close?.type !== 'close_draft_voting' || close.take === undefined) return null;
  const picked = await findOpenTakeOfRound(trx, leadId, close.take);
  if (!picked) throw new Error(`round of revision ${leadId} has no open take ${close.take}`);
  return picked;
}

/** The page's own columns an event's effects change: which draft is current, which are approved, takes asked. */
function pageColumnsFor(
  page: StoryPage,
  effects: readonly PageEffect[],
  newDraft: PageRevision | null,
  pickedTake: PageRevision | null,
): StoryPageUpdate {
  const columns: StoryPageUpdate = {};
  for (const effect of effects) {
    if (effect.type === 'close_draft_voting') {
      // A closed round asks for no more takes: one still being written finds it closed and is dropped.
      columns.takes_pending = 0;
      if (effect.outcome === 'approved') {
        const approved = pickedTake?.id ?? page.current_revision_id;
        if (effect.kind === 'narration') columns.approved_narration_id = approved;
        else columns.approved_dialogue_id = approved;
      }
    }
    if (effect.type === 'generate_take') columns.takes_pending = page.takes_pending + 1;
    if (effect.type === 'post_take' && newDraft && newDraft.edited_by === null) columns.takes_pending = Math.max(0, page.takes_pending - 1);
    if (effect.type === 'post_draft' && newDraft) {
      columns.takes_pending = 0;
      columns.current_revision_id = newDraft.id;
      // A restored narration re-opens the whole page: an approved dialogue no longer follows from it.
      if (newDraft.kind === 'narration') columns.approved_narration_id = null;
      columns.approved_dialogue_id = null;
    }
  }
  return columns;
}
