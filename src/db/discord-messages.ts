import { sql, type Transaction } from 'kysely';
import type { Database, DiscordMessage, DiscordMessageClaim, NewDiscordMessage } from './database.js';
import type { MessageAttachment } from './delivery-tables.js';
import type { Executor } from './executor.js';

// Which Discord message shows which chapter, page or revision.

/** Records a message posted under a claim, and drops the claim, in one statement. */
export function insertClaimedDiscordMessage(db: Executor, claimTarget: string, message: NewDiscordMessage): Promise<DiscordMessage> {
  return db
    .with('dropped', (qb) => qb.deleteFrom('discord_message_claims').where('target', '=', claimTarget))
    .insertInto('discord_messages')
    .values(message)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Records a message unless one like it is recorded already (the same message, or the page's one card); true when recorded. */
export async function insertDiscordMessageIfAbsent(db: Executor, message: NewDiscordMessage): Promise<boolean> {
  const result = await db
    .insertInto('discord_messages')
    .values(message)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The message a job posted, by the job's key. */
export function getDiscordMessageByGenerationKey(db: Executor, generationKey: string): Promise<DiscordMessage | undefined> {
  return db.selectFrom('discord_messages').selectAll().where('generation_key', '=', generationKey).orderBy('id', 'desc').executeTakeFirst();
}

/** A draft's message by the key of the job that posted it, or else the one that shows its revision, in one statement. */
export function getDraftMessageByKeyOrRevision(
  db: Executor,
  generationKey: string,
  revisionId: number,
): Promise<DiscordMessage | undefined> {
  return db
    .selectFrom('discord_messages')
    .selectAll()
    .where((eb) =>
      eb.or([eb('generation_key', '=', generationKey), eb.and([eb('revision_id', '=', revisionId), eb('purpose', '=', 'draft')])]),
    )
    .orderBy(sql`generation_key is not distinct from ${generationKey}`, 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The message that shows a draft for a vote. */
export function getDraftMessage(db: Executor, revisionId: number): Promise<DiscordMessage | undefined> {
  return db
    .selectFrom('discord_messages')
    .selectAll()
    .where('revision_id', '=', revisionId)
    .where('purpose', '=', 'draft')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export function getPageCardMessage(db: Executor, pageId: number): Promise<DiscordMessage | undefined> {
  return db
    .selectFrom('discord_messages')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('purpose', '=', 'page_card')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** The page's "Page N · Panels" message. */
export function getPanelsMessage(db: Executor, pageId: number): Promise<DiscordMessage | undefined> {
  return db
    .selectFrom('discord_messages')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('purpose', '=', 'panels')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export function getChapterProgressMessage(db: Executor, chapterId: number): Promise<DiscordMessage | undefined> {
  return db
    .selectFrom('discord_messages')
    .selectAll()
    .where('chapter_id', '=', chapterId)
    .where('purpose', '=', 'progress')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function setDiscordMessageRevision(db: Executor, messageRowId: number, revisionId: number): Promise<void> {
  await db
    .updateTable('discord_messages')
    .set({ revision_id: revisionId, updated_at: new Date() })
    .where('id', '=', messageRowId)
    .execute();
}

export async function deleteDiscordMessage(db: Executor, messageRowId: number): Promise<void> {
  await db.deleteFrom('discord_messages').where('id', '=', messageRowId).execute();
}

/** How a message target is named for its lock and its claim: how it is found, and the key it is found by. */
export function messageTargetKey(findBy: string, key: string | number | null): string {
  return `${findBy}:${String(key)}`;
}

/** Serialises work on one message target until the transaction ends (`target` names it: kind and key). */
export async function lockDiscordMessageTarget(trx: Transaction<Database>, target: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`discord-message:${target}`}))`.execute(trx);
}

/**
 * The claim on a message about to be posted: the one already there (a run that posted and could not
 * record, or is posting now) or a new one with this nonce. A claim for another channel (the chapter
 * moved to a new thread) is replaced. Call under the target's lock.
 */
export async function claimDiscordMessageTarget(
  trx: Transaction<Database>,
  claim: { target: string; channelId: string; nonce: string },
): Promise<{ claim: DiscordMessageClaim; earlier: boolean }> {
  // Claimed in one statement; only a claim already made for the same channel is left as it is, and read.
  const made = await trx
    .insertInto('discord_message_claims')
    .values({ target: claim.target, channel_id: claim.channelId, nonce: claim.nonce })
    .onConflict((oc) =>
      oc
        .column('target')
        .doUpdateSet({ channel_id: claim.channelId, nonce: claim.nonce, claimed_at: new Date() })
        .where('discord_message_claims.channel_id', '<>', claim.channelId),
    )
    .returningAll()
    .executeTakeFirst();
  if (made) return { claim: made, earlier: false };
  const existing = await trx.selectFrom('discord_message_claims').selectAll().where('target', '=', claim.target).executeTakeFirstOrThrow();
  return { claim: existing, earlier: true };
}

export async function deleteDiscordMessageClaim(db: Executor, target: string): Promise<void> {
  await db.deleteFrom('discord_message_claims').where('target', '=', target).execute();
}

/** Forgets every message recorded for a chapter whose thread is gone: they are posted again in the new one. */
export async function forgetChapterMessages(db: Executor, chapterId: number): Promise<void> {
  await db.deleteFrom('discord_messages').where('chapter_id', '=', chapterId).execute();
}

// A message that shows a view of Postgres is edited in the order its views were read: each view takes
// a number before it reads, the edit is sent only if no newer view claimed the message first, and a
// view whose edit Discord answered after a newer one's is drawn again (see src/worker/message-views.ts).

/** A view's number, taken before it reads what it shows. */
export async function takeViewVersion(db: Executor): Promise<string> {
  const { rows } = await sql<{ version: string }>`select nextval('discord_message_view_versions')::text as version`.execute(db);
  return rows[0]?.version ?? '0';
}

/** Claims the message for this view's edit; false when a newer view claimed it already (this one is not sent). */
export async function claimViewEdit(db: Executor, messageRowId: number, version: string): Promise<boolean> {
  const result = await db
    .updateTable('discord_messages')
    .set({ view_version: version, updated_at: new Date() })
    .where('id', '=', messageRowId)
    .where('view_version', '<', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records what Discord answered for this view's edit: the attachments the message carries now, and the
 * newest view shown. False when a newer view's edit was answered first: this one may have landed last.
 */
export async function recordViewShown(
  db: Executor,
  messageRowId: number,
  version: string,
  attachments: readonly MessageAttachment[],
): Promise<boolean> {
  // The row is locked before its shown version is read, so two answers recorded at once are ordered.
  const { rows } = await sql<{ in_order: boolean }>`
    with before as (select id, shown_version from discord_messages where id = ${messageRowId} for update)
    update discord_messages d
       set attachments = ${JSON.stringify(attachments)}::jsonb, shown_version = greatest(d.shown_version, ${version}::bigint)
      from before
     where d.id = before.id
    returning before.shown_version < ${version}::bigint as in_order`.execute(db);
  return rows[0]?.in_order ?? false;
}
