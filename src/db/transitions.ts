import type { PageState } from '../domain/page-state-machine.js';
import type { Executor } from './executor.js';

/** Appends to a page's audit log: every transition, who caused it and why. */
export async function insertPageTransition(
  db: Executor,
  transition: { pageId: number; from: PageState | null; to: PageState; event: string; actorId: string | null; pageVersion: number; details: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('page_transitions')
    .values({
      page_id: transition.pageId,
      from_state: transition.from,
      to_state: transition.to,
      event: transition.event,
      actor_id: transition.actorId,
      page_version: transition.pageVersion,
      details: JSON.stringify(transition.details),
    })
    .execute();
}
