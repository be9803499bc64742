import { DiscordAPIError, REST } from '@discordjs/rest';
import { RESTJSONErrorCodes, Routes, type APIMessage } from 'discord-api-types/v10';
import type { Config } from '../config/config.js';
import { restApiBase } from '../config/discord-rest.js';
import type { Db } from '../db/connection.js';
import type { DiscordMessage, DiscordMessageClaim } from '../db/database.js';
import {
  claimDiscordMessageTarget,
  deleteDiscordMessage,
  lockDiscordMessageTarget,
  setDiscordMessageRevision,
} from '../db/discord-messages.js';
import type { Executor } from '../db/executor.js';
import type { Logger } from '../logger.js';
import type { ComponentsV2Body, MessageBody } from '../views/message-parts.js';
import { showMessageView, type MessageView } from './message-views.js';
import {
  callDiscord,
  findRecordedMessage,
  newNonce,
  recordPostedMessage,
  targetKey,
  type FindBy,
  type MessageTarget,
} from './message-targets.js';

/**
 * The worker reaches Discord through REST only, with the bot token: no gateway, no interaction tokens.
 * A worker given a share of the global limit (WORKER_REST_BUDGET) keeps to it, so several workers
 * without a shared limiter stay under Discord's 50 a second together.
 */
export function createDiscordRest(
  discord: Pick<Config['discord'], 'token' | 'apiUrl'> & { restProxyUrl?: string | null },
  globalRequestsPerSecond?: number,
): REST {
  const api = restApiBase(discord);
  const rest = new REST({ version: '10', ...(api ? { api } : {}), ...(globalRequestsPerSecond ? { globalRequestsPerSecond } : {}) });
  return rest.setToken(discord.token);
}

/** How many message records a process keeps (a draft's is used for the minute or so it streams). */
const KNOWN_MESSAGES = 1_000;

/** An image sent with a message; on an edit, the files sent replace the message's attachments. */
export interface MessageFile {
  name: string;
  data: Buffer;
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
    /** Told of every request sent: how busy the REST budget is (see RestPressure). */
    private readonly onRequest: () => void = () => undefined,
  ) {}

  /** The last upsert asked for, by target, while it runs. */
  private readonly inFlight = new Map<string, Promise<string>>();

  /**
   * The records of the messages this process last posted or edited, by target: a draft's message is
   * edited several times while it streams, a page's card with it, and a record does not change
   * meanwhile. One whose message was deleted on Discord (another run may have posted it again) is
   * forgotten when its edit says so; one for another channel (a chapter moved to a new thread) is not
   * used; the oldest go first.
   */
  private readonly known = new Map<string, DiscordMessage>();

  /** Posts a message; the nonce makes the REST client's own retry of a post that went through return it instead of a second one. */
  async post(channelId: string, body: MessageBody): Promise<APIMessage> {
    return (await this.call(null, () =>
      this.rest.post(Routes.channelMessages(channelId), { body: { ...body, nonce: newNonce(), enforce_nonce: true } }),
    )) as APIMessage;
  }

  async edit(channelId: string, messageId: string, body: MessageBody): Promise<APIMessage> {
    return (await this.call(null, () => this.rest.patch(Routes.channelMessage(channelId, messageId), { body }))) as APIMessage;
  }

  /** Changes only a message's text: embeds, buttons and attachments stay as they are. */
  async editContent(channelId: string, messageId: string, content: string): Promise<void> {
    await this.call(null, () =>
      this.rest.patch(Routes.channelMessage(channelId, messageId), { body: { content, allowed_mentions: { parse: [] } } }),
    );
  }

  /**
   * Edits the message recorded for this target, or posts it (again) when there is none or it was
   * deleted. No database connection is held while Discord answers (a 429 can take seconds): the target
   * is looked up, or claimed with a nonce, in one short transaction, posted with that nonce enforced,
   * and recorded in another. A run that posted and could not record (a crash, a failed commit), or
   * two runs at once, post with the same nonce, and Discord returns the one message.
   */
  async upsert(
    target: MessageTarget,
    find: { by: FindBy },
    body: MessageBody | ComponentsV2Body,
    files?: readonly MessageFile[],
  ): Promise<string> {
    const key = targetKey(target, find.by);
    return this.inOrder(key, () => this.upsertNow(target, { by: find.by, key }, body, files));
  }

  /**
   * Shows a view of Postgres on the one message for this target: `draw` reads what the message shows
   * through the executor it is given, as the view takes its number, so views are sent in the order they were read, an
   * older one never after a newer one, and unchanged attachments are kept by id (see message-views.ts).
   */
  async show(target: MessageTarget, find: { by: FindBy }, draw: (db: Executor) => Promise<MessageView>): Promise<string> {
    const key = targetKey(target, find.by);
    return this.inOrder(key, () =>
      showMessageView({ rest: this.rest, db: this.db, logger: this.logger, onRequest: this.onRequest }, target, { by: find.by, key }, draw),
    );
  }

  /** In this process, one target's edits land in the order they were asked for (the last shows the latest state). */
  private inOrder(key: string, work: () => Promise<string>): Promise<string> {
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    this.inFlight.set(key, run);
    const forget = () => {
      if (this.inFlight.get(key) === run) this.inFlight.delete(key);
    };
    run.then(forget, forget);
    return run;
  }

  private async upsertNow(
    target: MessageTarget,
    { by, key }: { by: FindBy; key: string },
    body: MessageBody | ComponentsV2Body,
    files?: readonly MessageFile[],
  ): Promise<string> {
    // Without files an edit leaves the attachments as they are; with them, exactly these are kept.
    const request = files
      ? {
          body: { ...body, attachments: files.map((file, index) => ({ id: index, filename: file.name })) },
          files: files.map((file) => ({ name: file.name, data: file.data })),
        }
      : { body };
    for (let tries = 1; ; tries += 1) {
      // A recorded message is edited without the target's lock (one statement, not four; none when this
      // process edited it last): the lock only orders a claim against the record of a post, and a
      // committed record is all the locked read would find.
      const cached = this.known.get(key);
      const recorded = cached?.channel_id === target.channelId ? cached : await findRecordedMessage(this.db, target, by);
      const found = recorded
        ? { existing: recorded }
        : await this.db.transaction().execute(async (trx) => {
            await lockDiscordMessageTarget(trx, key);
            const existing = await findRecordedMessage(trx, target, by);
            return existing
              ? { existing }
              : await claimDiscordMessageTarget(trx, { target: key, channelId: target.channelId, nonce: newNonce() });
          });
      if ('existing' in found) {
        const { existing } = found;
        try {
          await this.call(target.chapterId, () =>
            this.rest.patch(Routes.channelMessage(existing.channel_id, existing.message_id), request),
          );
        } catch (error) {
          this.known.delete(key);
          if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage) || tries >= 3) throw error;
          this.logger.info({ messageId: existing.message_id, pageId: target.pageId }, 'message was deleted; posting it again');
          await deleteDiscordMessage(this.db, existing.id);
          continue;
        }
        const revisionId = existing.revision_id ?? target.revisionId;
        if (revisionId !== existing.revision_id && revisionId !== null) await setDiscordMessageRevision(this.db, existing.id, revisionId);
        this.remember(key, { ...existing, revision_id: revisionId });
        return existing.message_id;
      }
      return this.postClaimed(target, { by, key }, found, request);
    }
  }

  private remember(key: string, message: DiscordMessage): void {
    this.known.delete(key);
    this.known.set(key, message);
    const [oldest] = this.known.keys();
    if (this.known.size > KNOWN_MESSAGES && oldest !== undefined) this.known.delete(oldest);
  }

  /** Posts a claimed message with the claim's nonce and records it; an earlier claim's post may show an older body, so it is edited. */
  private async postClaimed(
    target: MessageTarget,
    { by, key }: { by: FindBy; key: string },
    claimed: { claim: DiscordMessageClaim; earlier: boolean },
    request: { body: object; files?: { name: string; data: Buffer }[] },
  ): Promise<string> {
    const posted = { ...request, body: { ...request.body, nonce: claimed.claim.nonce, enforce_nonce: true } };
    const message = (await this.call(target.chapterId, () =>
      this.rest.post(Routes.channelMessages(target.channelId), posted),
    )) as APIMessage;
    if (claimed.earlier)
      await this.call(target.chapterId, () => this.rest.patch(Routes.channelMessage(target.channelId, message.id), request));
    if (by === 'chapter_progress') await this.pin(target.channelId, message.id);
    const { record } = await recordPostedMessage(this.db, target, { by, key }, message.id);
    const recorded = record.message_id;
    this.remember(key, record);
    if (recorded !== message.id) {
      // Another message was recorded meanwhile (a claim older than Discord's nonce window): ours goes.
      this.logger.warn(
        { messageId: message.id, kept: recorded, pageId: target.pageId },
        'a second message for one target was posted; deleting it',
      );
      this.onRequest();
      await this.rest.delete(Routes.channelMessage(target.channelId, message.id)).catch(() => undefined);
    }
    return recorded;
  }

  /** A pin is a convenience: without the Manage Messages permission the message still works unpinned. */
  private async pin(channelId: string, messageId: string): Promise<void> {
    this.onRequest();
    try {
      await this.rest.put(Routes.channelMessagesPin(channelId, messageId));
    } catch (error) {
      this.logger.warn(
        { channelId, messageId, err: error instanceof Error ? error.message : String(error) },
        'could not pin the progress message',
      );
    }
  }

  private call<T>(chapterId: number | null, run: () => Promise<T>): Promise<T> {
    this.onRequest();
    return callDiscord(chapterId, run);
  }
}
