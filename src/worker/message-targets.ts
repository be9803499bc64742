import { randomBytes } from 'node:crypto';
import { DiscordAPIError } from '@discordjs/rest';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import type { Db } from '../db/connection.js';
import type { DiscordMessage, MessagePurpose } from '../db/database.js';
import type { MessageAttachment } from '../db/delivery-tables.js';
import {
  deleteDiscordMessageClaim,
  getChapterProgressMessage,
  getDiscordMessageByGenerationKey,
  getDraftMessage,
  getDraftMessageByKeyOrRevision,
  getPageCardMessage,
  getPanelsMessage,
  insertClaimedDiscordMessage,
  lockDiscordMessageTarget,
  messageTargetKey,
} from '../db/discord-messages.js';
import type { Executor } from '../db/executor.js';

// What every writer of the worker's Discord messages shares: which message a target is, how it is found
// again, and how a Discord call that cannot succeed is told apart.

/** Discord says the thread or our access to it is gone: retrying will not help, a person must act. */
export class ChapterUnreachableError extends Error {
  constructor(
    readonly chapterId: number | null,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ChapterUnreachableError';
  }
}

const UNREACHABLE_CODES = new Set<number>([
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingPermissions,
  RESTJSONErrorCodes.MissingAccess,
]);

/** How the one message for a target is found again: by the job that made it, the revision it shows, the page's card, or the chapter's progress. */
export type FindBy = 'generation_key' | 'revision' | 'page_card' | 'page_panels' | 'chapter_progress';

export interface MessageTarget {
  channelId: string;
  purpose: MessagePurpose;
  chapterId: number | null;
  pageId: number | null;
  revisionId: number | null;
  generationKey: string | null;
}

/** The lock and claim name of a target: how its message is found, and the key it is found by. */
export function targetKey(target: MessageTarget, by: FindBy): string {
  return messageTargetKey(
    by,
    by === 'generation_key'
      ? target.generationKey
      : by === 'revision'
        ? target.revisionId
        : by === 'page_card' || by === 'page_panels'
          ? target.pageId
          : target.chapterId,
  );
}

/** A target without the key it is found by has no message recorded. */
export async function findRecordedMessage(db: Executor, target: MessageTarget, by: FindBy): Promise<DiscordMessage | undefined> {
  if (by === 'generation_key') {
    // A draft's message is kept by the job that wrote it; one posted for the stored revision counts too.
    const byRevision = target.purpose === 'draft' ? target.revisionId : null;
    if (target.generationKey === null) return byRevision === null ? undefined : getDraftMessage(db, byRevision);
    return byRevision === null
      ? getDiscordMessageByGenerationKey(db, target.generationKey)
      : getDraftMessageByKeyOrRevision(db, target.generationKey, byRevision);
  }
  if (by === 'revision') return target.revisionId === null ? undefined : getDraftMessage(db, target.revisionId);
  if (by === 'page_card') return target.pageId === null ? undefined : getPageCardMessage(db, target.pageId);
  if (by === 'page_panels') return target.pageId === null ? undefined : getPanelsMessage(db, target.pageId);
  return target.chapterId === null ? undefined : getChapterProgressMessage(db, target.chapterId);
}

/**
 * Records a message just posted as its target's one message, under the target's lock, and drops the
 * claim it was posted under. Returns the target's record: the one another run made already (`inserted`
 * false; a message other than this one is then a second message to delete), or this one's. A view's
 * post also records the view it shows.
 */
export async function recordPostedMessage(
  db: Db,
  target: MessageTarget,
  find: { by: FindBy; key: string },
  messageId: string,
  view?: { version: string; attachments: MessageAttachment[] },
): Promise<{ record: DiscordMessage; inserted: boolean }> {
  return db.transaction().execute(async (trx) => {
    await lockDiscordMessageTarget(trx, find.key);
    const existing = await findRecordedMessage(trx, target, find.by);
    if (existing) {
      await deleteDiscordMessageClaim(trx, find.key);
      return { record: existing, inserted: false };
    }
    const record = await insertClaimedDiscordMessage(trx, find.key, {
      channel_id: target.channelId,
      message_id: messageId,
      purpose: target.purpose,
      chapter_id: target.chapterId,
      page_id: target.pageId,
      revision_id: target.revisionId,
      generation_key: target.generationKey,
      ...(view ? { view_version: view.version, shown_version: view.version, attachments: JSON.stringify(view.attachments) } : {}),
    });
    return { record, inserted: true };
  });
}

/** A Discord call whose thread, or our access to it, is gone raises ChapterUnreachableError. */
export async function callDiscord<T>(chapterId: number | null, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DiscordAPIError && typeof error.code === 'number' && UNREACHABLE_CODES.has(error.code)) {
      throw new ChapterUnreachableError(chapterId, error.code, error.message);
    }
    throw error;
  }
}

/** A message nonce: at most 25 characters, unique enough that only a repeat of the same post shares it. */
export function newNonce(): string {
  return randomBytes(12).toString('base64url');
}
