import { sql } from 'kysely';
import type { DraftKind } from '../domain/page-state-machine.js';
import type { NewPageRevision, PageRevision, RevisionStatus } from './database.js';
import type { Executor } from './executor.js';

/** The revision a generation job wrote, if it already ran once: a job that runs twice records one draft. */
export function findRevisionByGenerationKey(db: Executor, generationKey: string): Promise<PageRevision | undefined> {
  return db.selectFrom('page_revisions').selectAll().where('generation_key', '=', generationKey).executeTakeFirst();
}

/**
 * The revision a generation job wrote, if it already ran once, and the page's next version of the
 * job's kind, in one statement: what a generation job reads before it writes, and again as it records.
 */
export async function findRevisionAndNextVersion(
  db: Executor,
  job: { generationKey: string; pageId: number; kind: DraftKind },
): Promise<{ recorded: PageRevision | undefined; nextVersion: number }> {
  const { rows } = await sql<PageRevision & { max_version: number | null }>`
    select r.*, (select max(version) from page_revisions where page_id = ${job.pageId} and kind = ${job.kind}) as max_version
    from (values (1)) as one left join page_revisions r on r.generation_key = ${job.generationKey}`.execute(db);
  const [row] = rows;
  if (!row) throw new Error('a select from values returns its row');
  const { max_version: maxVersion, ...revision } = row;
  return { recorded: revision.id === null ? undefined : revision, nextVersion: (maxVersion ?? 0) + 1 };
}

/** A version's take (A when none is named: a round of one take has only A). */
export function findRevisionByVersion(
  db: Executor,
  pageId: number,
  kind: DraftKind,
  version: number,
  take = 0,
): Promise<PageRevision | undefined> {
  return db
    .selectFrom('page_revisions')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('kind', '=', kind)
    .where('version', '=', version)
    .where('take', '=', take)
    .executeTakeFirst();
}

/** Every take of the round a revision belongs to, A first. */
export function listRoundTakes(db: Executor, revision: Pick<PageRevision, 'page_id' | 'kind' | 'version'>): Promise<PageRevision[]> {
  return db
    .selectFrom('page_revisions')
    .selectAll()
    .where('page_id', '=', revision.page_id)
    .where('kind', '=', revision.kind)
    .where('version', '=', revision.version)
    .orderBy('take')
    .execute();
}

/** The page's draft (a round's take A) decided last: what a new draft replaces on screen. */
export function findLastDecidedRevision(db: Executor, pageId: number): Promise<PageRevision | undefined> {
  return db
    .selectFrom('page_revisions')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('take', '=', 0)
    .where('decided_at', 'is not', null)
    .orderBy('decided_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The version that came after this one (its take A), if any: what replaced a superseded draft. */
export function findNextVersion(
  db: Executor,
  revision: Pick<PageRevision, 'page_id' | 'kind' | 'version'>,
): Promise<PageRevision | undefined> {
  return db
    .selectFrom('page_revisions')
    .selectAll()
    .where('page_id', '=', revision.page_id)
    .where('kind', '=', revision.kind)
    .where('version', '>', revision.version)
    .where('take', '=', 0)
    .orderBy('version')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Ends a round's vote on all its takes at once, the round named by its take A. Picked: the chosen take
 * is approved and the others are superseded (not chosen). Sent back or superseded: every take goes
 * that way. Returns take A.
 */
export async function closeRound(
  db: Executor,
  leadRevisionId: number,
  status: Exclude<RevisionStatus, 'open'>,
  pickedTake: number | null,
): Promise<PageRevision> {
  const decidedAt = new Date();
  const takes = db
    .updateTable('page_revisions as t')
    .from('page_revisions as lead')
    .whereRef('t.page_id', '=', 'lead.page_id')
    .whereRef('t.kind', '=', 'lead.kind')
    .whereRef('t.version', '=', 'lead.version')
    .where('lead.id', '=', leadRevisionId)
    .where('t.status', '=', 'open');
  if (pickedTake === null) {
    await takes.set({ status, decided_at: decidedAt }).execute();
  } else {
    await takes
      .set((eb) => ({
        status: eb.case().when('t.take', '=', pickedTake).then<RevisionStatus>('approved').else<RevisionStatus>('superseded').end(),
        decided_at: decidedAt,
      }))
      .execute();
  }
  return db.selectFrom('page_revisions').selectAll().where('id', '=', leadRevisionId).executeTakeFirstOrThrow();
}

/** The open take of a round, the round named by its take A. */
export function findOpenTakeOfRound(db: Executor, leadRevisionId: number, take: number): Promise<PageRevision | undefined> {
  return db
    .selectFrom('page_revisions as t')
    .innerJoin('page_revisions as lead', (join) =>
      join.onRef('lead.page_id', '=', 't.page_id').onRef('lead.kind', '=', 't.kind').onRef('lead.version', '=', 't.version'),
    )
    .selectAll('t')
    .where('lead.id', '=', leadRevisionId)
    .where('t.take', '=', take)
    .where('t.status', '=', 'open')
    .executeTakeFirst();
}

/** A page's versions of one kind, newest first, for autocomplete: one row per version, with how many takes it had. */
export async function listRevisionVersions(
  db: Executor,
  pageId: number,
  kind: DraftKind,
  limit: number,
): Promise<(Pick<PageRevision, 'version' | 'status' | 'restored_from_version'> & { takes: number })[]> {
  const rows = await db
    .selectFrom('page_revisions as r')
    .select((eb) => [
      'r.version',
      'r.status',
      'r.restored_from_version',
      eb
        .selectFrom('page_revisions as t')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('t.page_id', '=', 'r.page_id')
        .whereRef('t.kind', '=', 'r.kind')
        .whereRef('t.version', '=', 'r.version')
        .as('takes'),
    ])
    .where('r.page_id', '=', pageId)
    .where('r.kind', '=', kind)
    .where('r.take', '=', 0)
    .orderBy('r.version', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, takes: Number(row.takes ?? 1) }));
}

export function insertRevision(db: Executor, revision: NewPageRevision): Promise<PageRevision> {
  return db.insertInto('page_revisions').values(revision).returningAll().executeTakeFirstOrThrow();
}

/** Stores the continuity reviewer's notes on a draft, once: undefined when the draft already had notes. */
export function setReviewNotes(db: Executor, revisionId: number, notes: string[]): Promise<PageRevision | undefined> {
  return db
    .updateTable('page_revisions')
    .set({ review_notes: JSON.stringify(notes) })
    .where('id', '=', revisionId)
    .where('review_notes', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function markRevisionReminded(db: Executor, revisionId: number): Promise<void> {
  await db.updateTable('page_revisions').set({ reminded_at: new Date() }).where('id', '=', revisionId).execute();
}
