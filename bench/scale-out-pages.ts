// The scale-out bench's pages: each queued in a chapter of its own, and what its draft cost in Discord calls.
import { pino } from 'pino';
import type { RecordedCall } from '../loopback/discord/types.js';
import type { StoryroomHarness } from '../loopback/stack.js';
import { startPage } from '../src/services/start-page.js';
import type { MessageBody } from '../src/views/message-parts.js';
import { createDiscordRest, DiscordMessages } from '../src/worker/discord-messages.js';

/**
 * Each page is in a chapter of its own, whose pinned progress message and page card are posted before
 * the clock starts, as in a running room (the bot posts a page's card when the page starts; a chapter's
 * progress message is posted with its first page): what is counted is what a draft costs.
 */
const seeded = (content: string): MessageBody => ({ content, embeds: [], components: [], allowed_mentions: { parse: [] } });

/** A queued page, its thread and the ids of its card and its chapter's progress message. */
export interface QueuedPage {
  pageId: number;
  threadId: string;
  cardId: string;
  progressId: string;
}

export async function queuePages(h: StoryroomHarness, storyId: number, round: string, pages: number): Promise<QueuedPage[]> {
  const db = h.database.db;
  const queued: QueuedPage[] = [];
  const messages = new DiscordMessages(createDiscordRest(h.config.discord), db, pino({ level: 'silent' }));
  for (let i = 0; i < pages; i += 1) {
    const threadId = h.discord.createChannel(h.guildId).id;
    const last = await db
      .selectFrom('chapters')
      .select((eb) => eb.fn.max<number | null>('number').as('n'))
      .executeTakeFirstOrThrow();
    const chapter = await db
      .insertInto('chapters')
      .values({ story_id: storyId, number: (last.n ?? 0) + 1, title: `${round} ${i}`, thread_id: threadId, created_by: h.adminId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('chapter_members').values({ chapter_id: chapter.id, user_id: h.adminId, role: 'owner' }).execute();
    const { page } = await startPage(db, { guildId: h.guildId, channelId: threadId, userId: h.adminId }, 'Scale out', {
      pageStartCooldownMs: 0,
      maxGenerationsPerGuild: 1_000_000,
      prices: {},
    });
    const target = { channelId: threadId, chapterId: chapter.id, pageId: page.id, revisionId: null, generationKey: null };
    const cardId = await messages.upsert({ ...target, purpose: 'page_card' }, { by: 'page_card' }, seeded(`Page ${page.number}`));
    const progressId = await messages.upsert({ ...target, purpose: 'progress' }, { by: 'chapter_progress' }, seeded('Progress'));
    queued.push({ pageId: page.id, threadId, cardId, progressId });
  }
  return queued;
}

/**
 * Whether every page's messages show where it now is: its draft finished, its card waiting for votes,
 * its chapter's progress counting it in review (redrawn after a short delay that folds changes).
 * Counting calls only until the pages' state changed would leave the last drafts' edits out.
 */
export function shownInFull(h: StoryroomHarness, pages: readonly QueuedPage[], withProgress = true): boolean {
  return pages.every(({ threadId, cardId, progressId }) => {
    const shows = (id: string, text: string) => JSON.stringify(h.discord.message(threadId, id) ?? '').includes(text);
    const draft = h.discord.messages(threadId).find((message) => message.id !== cardId && message.id !== progressId);
    const draftText = JSON.stringify(draft ?? '');
    const draftShown = draftText.includes('A short scaled draft.') && !draftText.includes('▍') && shows(cardId, 'Waiting for votes');
    return draftShown && (!withProgress || shows(progressId, '1 in review'));
  });
}

/** Calls per draft over the drafts after the first wave (as many as run at once), which start into an idle budget. */
export function callsAfterFirstWave(calls: readonly RecordedCall[], pages: readonly QueuedPage[], wave: number): number {
  const later = new Set(pages.slice(wave).map((page) => page.threadId));
  const counted = calls.filter((call) => later.has(/^\/channels\/(\d+)/.exec(call.path)?.[1] ?? '')).length;
  return later.size > 0 ? counted / later.size : Number.NaN;
}

/** The calls per draft by the message they went to: posts (every message posted is a draft's here), and edits of each kind of message. */
export async function callsByMessage(h: StoryroomHarness, calls: readonly RecordedCall[], drafts: number): Promise<string> {
  const edited = calls.flatMap((call) => {
    const id = call.method === 'PATCH' ? /\/messages\/(\d+)/.exec(call.path)?.[1] : undefined;
    return id === undefined ? [] : [id];
  });
  const shown =
    edited.length === 0
      ? []
      : await h.database.db.selectFrom('discord_messages').select(['message_id', 'purpose']).where('message_id', 'in', edited).execute();
  const purposeOf = new Map(shown.map((message) => [message.message_id, message.purpose]));
  const counts = new Map<string, number>([['draft posts', calls.filter((call) => call.method === 'POST').length]]);
  for (const id of edited) {
    const kind = `${purposeOf.get(id) ?? 'other'} edits`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${kind} ${(n / drafts).toFixed(2)}`).join(', ');
}
