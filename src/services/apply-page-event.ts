import type { Transaction } from 'kysely';
import type { Database, StoryPage } from '../db/database.js';
import { isGenerating, transitionPage, type PageEffect, type PageEvent } from '../domain/page-state-machine.js';
import { addToOutbox } from '../db/outbox.js';
import { UserError } from './user-error.js';

export interface AppliedEvent {
  page: StoryPage;
  effects: PageEffect[];
  /** Outbox keys written: the caller kicks the relay after commit when this is not empty. */
  queued: string[];
}

/**
 * The one way a page changes state: runs the pure transition on the locked row, persists the new
 * state with a bumped version, appends to the audit log, and writes follow-up jobs to the outbox,
 * all inside the caller's transaction.
 */
export async function applyPageEvent(
  trx: Transaction<Database>,
  page: StoryPage,
  event: PageEvent,
  actorId: string | null,
  details: Record<string, unknown> = {},
): Promise<AppliedEvent> {
  const result = transitionPage({ state: page.state, stage: page.stage }, event);
  if (!result.ok) throw new UserError(result.reason);
  const version = page.version + 1;
  const generating = isGenerating(result.status.state);
  const updated = await trx
    .updateTable('story_pages')
    .set({
      state: result.status.state,
      stage: result.status.stage,
      version,
      updated_at: new Date(),
      generation_started_at: generating ? new Date() : null,
      failure_reason: result.status.state === 'generation_failed' ? (details.reason as string | undefined) ?? null : null,
    })
    .where('id', '=', page.id)
    .where('version', '=', page.version)
    .returningAll()
    .executeTakeFirst();
  // The row is locked, so this only fails if a caller forgot to lock it: refuse rather than overwrite.
  if (!updated) throw new Error(`page ${page.id} changed under a transition (expected version ${page.version})`);
  await trx
    .insertInto('page_transitions')
    .values({
      page_id: page.id,
      from_state: page.state,
      to_state: updated.state,
      event: event.type,
      actor_id: actorId,
      page_version: version,
      details: JSON.stringify({ ...eventDetails(event), ...details }),
    })
    .execute();
  const queued: string[] = [];
  for (const effect of result.effects) {
    switch (effect.type) {
      case 'generate_draft':
        queued.push(await addToOutbox(trx, 'generate-draft', { pageId: page.id, kind: effect.kind, pageVersion: version }));
        break;
      case 'announce_page_approved':
        queued.push(await addToOutbox(trx, 'announce-page', { pageId: page.id, pageVersion: version }));
        queued.push(await addToOutbox(trx, 'summarise-chapter', { chapterId: page.chapter_id, approvedPage: page.number }));
        break;
      case 'post_draft':
        // A drafted revision is shown by the worker that recorded it; only a restore needs a job to show one.
        if (event.type === 'version_restored' && updated.current_revision_id !== null) {
          const superseded = typeof details.supersededRevisionId === 'number' ? { supersededRevisionId: details.supersededRevisionId } : {};
          queued.push(await addToOutbox(trx, 'post-draft', { pageId: page.id, revisionId: updated.current_revision_id, ...superseded }));
        }
        break;
      // The caller renders these from the committed state (the draft message it answers on, the failure notice).
      case 'generate_panels':
        if (updated.approved_dialogue_id !== null) {
          queued.push(await addToOutbox(trx, 'generate-panels', { pageId: page.id, dialogueRevisionId: updated.approved_dialogue_id }));
        }
        break;
      case 'close_draft_voting':
      case 'announce_failure':
        break;
    }
  }
  return { page: updated, effects: result.effects, queued };
}

function eventDetails(event: PageEvent): Record<string, unknown> {
  const { type: _type, ...rest } = event;
  return rest;
}
