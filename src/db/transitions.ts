import { sql } from 'kysely';
import type { PageState } from '../domain/page-state-machine.js';
import type { StoryPage, StoryPageUpdate } from './database.js';
import type { Executor } from './executor.js';

/**
 * Writes a transition's outcome and appends it to the page's audit log, in one statement. Guarded by
 * the version the caller read under its lock: a caller that forgot to lock gets undefined rather than
 * overwriting someone else's transition (and nothing is logged).
 */
export function updatePageAndLogTransition(
  db: Executor,
  change: {
    pageId: number;
    expectedVersion: number;
    changes: StoryPageUpdate & { version: number };
    log: { from: PageState | null; event: string; actorId: string | null; details: Record<string, unknown> };
  },
): Promise<StoryPage | undefined> {
  return db
    .with('updated', (qb) =>
      qb
        .updateTable('story_pages')
        .set(change.changes)
        .where('id', '=', change.pageId)
        .where('version', '=', change.expectedVersion)
        .returningAll(),
    )
    .with('logged', (qb) =>
      qb
        .insertInto('page_transitions')
        .columns(['page_id', 'from_state', 'to_state', 'event', 'actor_id', 'page_version', 'details'])
        .expression((eb) =>
          eb
            .selectFrom('updated')
            .select([
              'updated.id',
              sql<PageState | null>`${change.log.from}::text`.as('from_state'),
              'updated.state',
              sql<string>`${change.log.event}::text`.as('event'),
              sql<string | null>`${change.log.actorId}::text`.as('actor_id'),
              'updated.version',
              sql<string>`${JSON.stringify(change.log.details)}::jsonb`.as('details'),
            ]),
        ),
    )
    .selectFrom('updated')
    .selectAll()
    .executeTakeFirst();
}
