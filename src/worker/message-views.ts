import { DiscordAPIError, type REST, type RawFile } from '@discordjs/rest';
import { RESTJSONErrorCodes, Routes, type APIMessage } from 'discord-api-types/v10';
import type { Db } from '../db/connection.js';
import type { DiscordMessage } from '../db/database.js';
import type { MessageAttachment } from '../db/delivery-tables.js';
import {
  claimDiscordMessageTarget,
  claimViewEdit,
  deleteDiscordMessage,
  lockDiscordMessageTarget,
  recordViewShown,
  takeViewVersion,
} from '../db/discord-messages.js';
import type { Executor } from '../db/executor.js';
import type { Logger } from '../logger.js';
import type { MessageBody } from '../views/message-parts.js';
import { callDiscord, findRecordedMessage, newNonce, recordPostedMessage, type FindBy, type MessageTarget } from './message-targets.js';

// A message that shows a view of Postgres (the panels message while its renders run, for instance) can
// be drawn by several writers at once: a render's progress, a render ending on another worker, a
// coalesced refresh. Edits are ordered by the view's number, taken with the view's read of Postgres
// under the message's lock (so a later read has a higher number; no Discord call is made meanwhile):
// - an edit is sent only after claiming the message row with a compare-and-set (view_version < ours),
//   so a view read before a newer one that already claimed the message is dropped;
// - Discord's answer is recorded the same way (shown_version); a view answered after a newer one may
//   have landed last, so the message is drawn again from Postgres.
// No database connection is held while Discord answers.

/** An image a view shows, read only when it has to be uploaded (the message does not carry it yet). */
export interface ViewFile {
  name: string;
  load(): Promise<Buffer>;
}

export interface MessageView {
  body: MessageBody;
  /** The files the message carries after the edit, in order; their names are unique per image. */
  files: readonly ViewFile[];
}

interface Parts {
  rest: REST;
  db: Db;
  logger: Logger;
  /** Told of every request sent: how busy the REST budget is (see RestPressure). */
  onRequest: () => void;
}

type Outcome = { kind: 'shown' | 'superseded'; messageId: string } | { kind: 'draw again'; messageId: string | null };

/** Draws and shows the view until it is on the message, or a newer view is; the message's id. */
export async function showMessageView(
  parts: Parts,
  target: MessageTarget,
  find: { by: FindBy; key: string },
  draw: (db: Executor) => Promise<MessageView>,
): Promise<string> {
  for (let round = 1; ; round += 1) {
    // The number is taken and the view read under the target's lock: a view read later has a higher number.
    // One snapshot for the whole read (repeatable read, a read-only transaction but for the number), so
    // its parts agree: read committed gave each query its own, and a render finishing between two of
    // them showed as "being drawn again · the image above is render 2" on render 2. The snapshot is taken
    // as the lock is asked for; a change committed while waiting is shown by the view its commit asks for.
    const { version, view } = await parts.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await lockDiscordMessageTarget(trx, find.key);
        return { version: await takeViewVersion(trx), view: await draw(trx) };
      });
    const outcome = await showOnce(parts, target, find, version, view);
    if (outcome.kind !== 'draw again') return outcome.messageId;
    if (round >= 4) {
      if (outcome.messageId) return outcome.messageId;
      throw new Error('the message could not be shown after several tries');
    }
  }
}

async function showOnce(
  parts: Parts,
  target: MessageTarget,
  find: { by: FindBy; key: string },
  version: string,
  view: MessageView,
): Promise<Outcome> {
  const found = await parts.db.transaction().execute(async (trx) => {
    await lockDiscordMessageTarget(trx, find.key);
    const existing = await findRecordedMessage(trx, target, find.by);
    if (existing) return { existing, claimed: await claimViewEdit(trx, existing.id, version) };
    return { claim: await claimDiscordMessageTarget(trx, { target: find.key, channelId: target.channelId, nonce: newNonce() }) };
  });
  if ('existing' in found) {
    if (!found.claimed) return { kind: 'superseded', messageId: found.existing.message_id };
    return editShown(parts, target, found.existing, version, view);
  }
  return postShown(parts, target, find, version, view, found.claim);
}

async function editShown(
  parts: Parts,
  target: MessageTarget,
  existing: DiscordMessage,
  version: string,
  view: MessageView,
): Promise<Outcome> {
  const route = Routes.channelMessage(existing.channel_id, existing.message_id);
  let message: APIMessage;
  try {
    const request = await requestFor(view, existing.attachments);
    try {
      parts.onRequest();
      message = (await callDiscord(target.chapterId, () => parts.rest.patch(route, request))) as APIMessage;
    } catch (error) {
      // The ids recorded are not the message's (a late edit replaced them): every file is sent again.
      if (!(error instanceof DiscordAPIError && error.status === 400 && request.kept > 0)) throw error;
      parts.logger.info({ messageId: existing.message_id, err: error.message }, 'kept attachments refused; sending every file');
      const everything = await requestFor(view, []);
      parts.onRequest();
      message = (await callDiscord(target.chapterId, () => parts.rest.patch(route, everything))) as APIMessage;
    }
  } catch (error) {
    if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage)) throw error;
    parts.logger.info({ messageId: existing.message_id, pageId: target.pageId }, 'message was deleted; posting it again');
    await deleteDiscordMessage(parts.db, existing.id);
    return { kind: 'draw again', messageId: null };
  }
  const inOrder = await recordViewShown(parts.db, existing.id, version, attachmentsOf(message));
  return inOrder ? { kind: 'shown', messageId: existing.message_id } : { kind: 'draw again', messageId: existing.message_id };
}

/** Posts the first view with the claim's nonce and records it; a message recorded or posted by another run meanwhile is drawn again. */
async function postShown(
  parts: Parts,
  target: MessageTarget,
  find: { by: FindBy; key: string },
  version: string,
  view: MessageView,
  claimed: { claim: { nonce: string }; earlier: boolean },
): Promise<Outcome> {
  const request = await requestFor(view, []);
  const posted = { ...request, body: { ...request.body, nonce: claimed.claim.nonce, enforce_nonce: true } };
  parts.onRequest();
  const message = (await callDiscord(target.chapterId, () =>
    parts.rest.post(Routes.channelMessages(target.channelId), posted),
  )) as APIMessage;
  const { record, inserted } = await recordPostedMessage(parts.db, target, find, message.id, {
    version,
    attachments: attachmentsOf(message),
  });
  const recorded = inserted ? null : record.message_id;
  if (recorded === null && !claimed.earlier) return { kind: 'shown', messageId: message.id };
  if (recorded !== null && recorded !== message.id) {
    parts.logger.warn(
      { messageId: message.id, kept: recorded, pageId: target.pageId },
      'a second message for one target was posted; deleting it',
    );
    parts.onRequest();
    await parts.rest.delete(Routes.channelMessage(target.channelId, message.id)).catch(() => undefined);
  }
  // Another run posted this message (the nonce returned it) or recorded one: what it shows is drawn again.
  return { kind: 'draw again', messageId: recorded ?? message.id };
}

/** The request for a view: files the message carries already kept by id, the others uploaded as files[n]. */
async function requestFor(
  view: MessageView,
  current: readonly MessageAttachment[],
): Promise<{ body: object; files?: RawFile[]; kept: number }> {
  const attachments: ({ id: string } | { id: number; filename: string })[] = [];
  const files: RawFile[] = [];
  for (const file of view.files) {
    const kept = current.find((attachment) => attachment.filename === file.name);
    if (kept) attachments.push({ id: kept.id });
    else {
      attachments.push({ id: files.length, filename: file.name });
      files.push({ name: file.name, data: await file.load() });
    }
  }
  const body = { ...view.body, attachments };
  return files.length > 0 ? { body, files, kept: attachments.length - files.length } : { body, kept: attachments.length };
}

function attachmentsOf(message: APIMessage): MessageAttachment[] {
  return (message.attachments ?? []).map((attachment) => ({ id: attachment.id, filename: attachment.filename }));
}
