import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database, StoryPage } from './database.js';
import type { Executor } from './executor.js';

// A server's generation slots: a page generating holds one while its `slot_version` is its version.

const GENERATING = ['generating_narration', 'generating_dialogue'] as const;

/** Serialises every slot decision of one server until the transaction ends. */
export async function lockGuildGenerationSlots(trx: Transaction<Database>, guildId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`generation-slots:${guildId}`}))`.execute(trx);
}

/** The page as a slot decision needs it: its server, state, version, and when its draft was queued. */
export function getPageForSlot(db: Executor, pageId: number) {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select(['p.id', 'p.state', 'p.version', 'p.slot_version', 'p.generation_started_at', 's.guild_id'])
    .where('p.id', '=', pageId)
    .executeTakeFirst();
}

/**
 * In one server: how many other drafts hold a slot, how many another-take requests are being written
 * (each counts as a slot held), and how many drafts waiting for one were queued before this page's (in
 * queue order: when queued, then page id). One statement.
 */
export async function countSlotsTakenAndWaitingAhead(
  db: Executor,
  guildId: string,
  page: { id: number; queuedAt: Date },
): Promise<{ held: number; takes: number; ahead: number }> {
  const row = await slotCounts(db, guildId, page.id, sql`(${page.queuedAt}, ${page.id})`).executeTakeFirstOrThrow();
  return { held: Number(row.held), takes: Number(row.takes), ahead: Number(row.ahead) };
}

/** The counts above, for a page whose queue position (when queued, then page id) is `position`: a value, or a subquery. */
function slotCounts(db: Executor, guildId: string, pageId: number, position: RawBuilder<unknown>) {
  return (
    db
      .selectFrom('story_pages as p')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .innerJoin('stories as s', 's.id', 'c.story_id')
      .select((eb) => [
        eb.fn
          .countAll<number>()
          .filterWhere(sql<boolean>`p.slot_version is not distinct from p.version`)
          .as('held'),
        eb.fn
          .countAll<number>()
          .filterWhere(sql<boolean>`p.slot_version is distinct from p.version and (p.generation_started_at, p.id) < ${position}`)
          .as('ahead'),
      ])
      .select(takesBeingWritten(db, guildId).as('takes'))
      .where('s.guild_id', '=', guildId)
      .where('p.state', 'in', GENERATING)
      // A chapter whose thread is unreachable writes nothing until it is reopened: its drafts wait outside the count.
      .where('c.status', '<>', 'needs_attention')
      .where('p.id', '<>', pageId)
  );
}

/**
 * Another take requests being written in the server (each one model call, like a draft): they count
 * against the cap with the slots held. Chapters whose thread is unreachable are left out, as above.
 */
function takesBeingWritten(db: Executor, guildId: string) {
  return db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('p.takes_pending'), eb.val('0')).as('pending'))
    .where('s.guild_id', '=', guildId)
    .where('p.takes_pending', '>', 0)
    .where('c.status', '<>', 'needs_attention');
}

/**
 * A draft's slot decision in one statement, under the server's lock: the page as it stands, the
 * server's counts as countSlotsTakenAndWaitingAhead gives them, and whether the page took a slot, which
 * it does when it is generating this version, holds none, and the slots held, takes being written and
 * drafts queued before it are fewer than `cap`. Undefined when the page is gone.
 */
export async function decideGenerationSlot(
  trx: Transaction<Database>,
  draft: { pageId: number; pageVersion: number; guildId: string },
  cap: number,
): Promise<
  (Pick<StoryPage, 'state' | 'version' | 'slot_version'> & { held: number; takes: number; ahead: number; taken: boolean }) | undefined
> {
  const { pageId, pageVersion, guildId } = draft;
  const { rows } = await sql<
    Pick<StoryPage, 'state' | 'version' | 'slot_version'> & { held: number; takes: string; ahead: number; taken: boolean }
  >`
    with page as (
      select id, state, version, slot_version, coalesce(generation_started_at, now()) as queued_at from story_pages where id = ${pageId}
    ), counts as (${slotCounts(trx, guildId, pageId, sql`(select queued_at, id from page)`)}
    ), taken as (
      update story_pages set slot_version = ${pageVersion}
      where id = ${pageId} and version = ${pageVersion} and state in (${sql.join(GENERATING)}) and slot_version is distinct from version
        and (select held + takes + ahead from counts) < ${cap}
      returning id
    )
    select page.state, page.version, page.slot_version, counts.held, counts.takes, counts.ahead, exists (select 1 from taken) as taken
    from page cross join counts`.execute(trx);
  const [row] = rows;
  return row && { ...row, held: Number(row.held), takes: Number(row.takes), ahead: Number(row.ahead) };
}

export async function countTakesBeingWritten(db: Executor, guildId: string): Promise<number> {
  const row = await takesBeingWritten(db, guildId).executeTakeFirstOrThrow();
  return Number(row.pending);
}

/** Drafts holding a slot in the server. */
export async function countSlotsHeld(db: Executor, guildId: string): Promise<number> {
  const row = await db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('stories as s', 's.id', 'c.story_id')
    .select((eb) => eb.fn.countAll<string>().as('held'))
    .where('s.guild_id', '=', guildId)
    .where('p.state', 'in', GENERATING)
    .where('c.status', '<>', 'needs_attention')
    .where(sql<boolean>`p.slot_version is not distinct from p.version`)
    .executeTakeFirstOrThrow();
  return Number(row.held);
}
