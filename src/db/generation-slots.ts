import { sql, type Transaction } from 'kysely';
import type { Database } from './database.js';
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
  const row = await db
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
        .filterWhere(
          sql<boolean>`p.slot_version is distinct from p.version and (p.generation_started_at, p.id) < (${page.queuedAt}, ${page.id})`,
        )
        .as('ahead'),
    ])
    .select(takesBeingWritten(db, guildId).as('takes'))
    .where('s.guild_id', '=', guildId)
    .where('p.state', 'in', GENERATING)
    // A chapter whose thread is unreachable writes nothing until it is reopened: its drafts wait outside the count.
    .where('c.status', '<>', 'needs_attention')
    .where('p.id', '<>', page.id)
    .executeTakeFirstOrThrow();
  return { held: Number(row.held), takes: Number(row.takes), ahead: Number(row.ahead) };
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

/** Gives the page's current draft a slot; false when the page moved on meanwhile. */
export async function takeGenerationSlot(db: Executor, pageId: number, version: number): Promise<boolean> {
  const result = await db
    .updateTable('story_pages')
    .set({ slot_version: version })
    .where('id', '=', pageId)
    .where('version', '=', version)
    .where('state', 'in', GENERATING)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
