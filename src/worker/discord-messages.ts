import { DiscordAPIError, REST } from '@discordjs/rest';
import { RESTJSONErrorCodes, Routes, type APIMessage } from 'discord-api-types/v10';
import type { Config } from '../config/config.js';
import type { Db } from '../db/connection.js';
import type { DiscordMessage, MessagePurpose } from '../db/database.js';
import {
  deleteDiscordMessage,
  getChapterProgressMessage,
  getDiscordMessageByGenerationKey,
  getDraftMessage,
  getPageCardMessage,
  getPanelsMessage,
  insertDiscordMessage,
  lockDiscordMessageTarget,
  setDiscordMessageRevision,
} from '../db/discord-messages.js';
import type { Executor } from '../db/executor.js';
import type { Logger } from '../logger.js';
import type { MessageBody } from '../discord/render/message-parts.js';

/** The worker reaches Discord through REST only, with the bot token: no gateway, no interaction tokens. */
export function createDiscordRest(discord: Config['discord']): REST {
  const rest = new REST({ version: '10', ...(discord.apiUrl ? { api: discord.apiUrl } : {}) });
  return rest.setToken(discord.token);
}

/** Discord says the thread or our access to it is gone: retrying will not help, a person must act. */
export class ChapterUnreachableError extends Error {
  constructor(readonly chapterId: number | null, readonly code: number, message: string) {
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

/** An image sent with a message; on an edit, the files sent replace the message's attachments. */
export interface MessageFile {
  name: string;
  data: Buffer;
}

export interface MessageTarget {
  channelId: string;
  purpose: MessagePurpose;
  chapterId: number | null;
  pageId: number | null;
  revisionId: number | null;
  generationKey: string | null;
}

/**
 * Posts or edits the one message that shows a thing (a page card, a draft), remembering its id in
 * Postgres. A message someone deleted is posted again; an unreachable thread marks the chapter.
 */
export class DiscordMessages {
  constructor(
    private readonly rest: REST,
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  async post(channelId: string, body: MessageBody): Promise<APIMessage> {
    return (await this.call(null, () => this.rest.post(Routes.channelMessages(channelId), { body }))) as APIMessage;
  }

  async edit(channelId: string, messageId: string, body: MessageBody): Promise<APIMessage> {
    return (await this.call(null, () => this.rest.patch(Routes.channelMessage(channelId, messageId), { body }))) as APIMessage;
  }

  /** Changes only a message's text: embeds, buttons and attachments stay as they are. */
  async editContent(channelId: string, messageId: string, content: string): Promise<void> {
    await this.call(null, () => this.rest.patch(Routes.channelMessage(channelId, messageId), { body: { content, allowed_mentions: { parse: [] } } }));
  }

  /**
   * Edits the message recorded for this target, or posts it (again) when there is none or it was
   * deleted. Posting is serialised per target with an advisory lock, so two runs of one job (a false
   * stall) cannot both post. An edit of a recorded message needs no lock: it is one read and the edit,
   * with no transaction held open across the call to Discord.
   */
  async upsert(target: MessageTarget, find: { by: FindBy }, body: MessageBody, files?: readonly MessageFile[]): Promise<string> {
    const key = find.by === 'generation_key' ? target.generationKey : find.by === 'revision' ? target.revisionId : find.by === 'page_card' || find.by === 'page_panels' ? target.pageId : target.chapterId;
    // Without files an edit leaves the attachments as they are; with them, exactly these are kept.
    const request = files ? { body: { ...body, attachments: files.map((file, index) => ({ id: index, filename: file.name })) }, files: files.map((file) => ({ name: file.name, data: file.data })) } : { body };
    const recorded = await this.findRecorded(this.db, target, find.by);
    if (recorded && (await this.editRecorded(this.db, target, recorded, request))) return recorded.message_id;
    return this.db.transaction().execute(async (trx) => {
      await lockDiscordMessageTarget(trx, `${find.by}:${key}`);
      // Read again under the lock: another run may have posted (or a deleted message been forgotten) meanwhile.
      const existing = await this.findRecorded(trx, target, find.by);
      if (existing) {
        if (existing.id !== recorded?.id && (await this.editRecorded(trx, target, existing, request))) return existing.message_id;
        await deleteDiscordMessage(trx, existing.id);
      }
      const message = (await this.call(target.chapterId, () => this.rest.post(Routes.channelMessages(target.channelId), request))) as APIMessage;
      if (find.by === 'chapter_progress') await this.pin(target.channelId, message.id);
      await insertDiscordMessage(trx, {
        channel_id: target.channelId,
        message_id: message.id,
        purpose: target.purpose,
        chapter_id: target.chapterId,
        page_id: target.pageId,
        revision_id: target.revisionId,
        generation_key: target.generationKey,
      });
      return message.id;
    });
  }

  /** Edits a recorded message; false when someone deleted it (it is then posted again). */
  private async editRecorded(db: Executor, target: MessageTarget, existing: DiscordMessage, request: { body: unknown; files?: { name: string; data: Buffer }[] }): Promise<boolean> {
    try {
      await this.call(target.chapterId, () => this.rest.patch(Routes.channelMessage(existing.channel_id, existing.message_id), request));
    } catch (error) {
      if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage)) throw error;
      this.logger.info({ messageId: existing.message_id, pageId: target.pageId }, 'message was deleted; posting it again');
      return false;
    }
    if (target.revisionId !== null && existing.revision_id === null) await setDiscordMessageRevision(db, existing.id, target.revisionId);
    return true;
  }

  /** A pin is a convenience: without the Manage Messages permission the message still works unpinned. */
  private async pin(channelId: string, messageId: string): Promise<void> {
    try {
      await this.rest.put(Routes.channelMessagesPin(channelId, messageId));
    } catch (error) {
      this.logger.warn({ channelId, messageId, err: error instanceof Error ? error.message : String(error) }, 'could not pin the progress message');
    }
  }

  /** A target without the key it is found by has no message recorded. */
  private async findRecorded(db: Executor, target: MessageTarget, by: FindBy): Promise<DiscordMessage | undefined> {
    if (by === 'generation_key') return target.generationKey === null ? undefined : getDiscordMessageByGenerationKey(db, target.generationKey);
    if (by === 'revision') return target.revisionId === null ? undefined : getDraftMessage(db, target.revisionId);
    if (by === 'page_card') return target.pageId === null ? undefined : getPageCardMessage(db, target.pageId);
    if (by === 'page_panels') return target.pageId === null ? undefined : getPanelsMessage(db, target.pageId);
    return target.chapterId === null ? undefined : getChapterProgressMessage(db, target.chapterId);
  }

  private async call<T>(chapterId: number | null, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DiscordAPIError && typeof error.code === 'number' && UNREACHABLE_CODES.has(error.code)) {
        throw new ChapterUnreachableError(chapterId, error.code, error.message);
      }
      throw error;
    }
  }
}
