import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordEmulator } from '../../loopback/discord/emulator.js';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { claimViewEdit, recordViewShown, takeViewVersion } from '../../src/db/discord-messages.js';
import { createLogger } from '../../src/logger.js';
import { NO_MENTIONS, type MessageBody } from '../../src/views/message-parts.js';
import { createDiscordRest, DiscordMessages } from '../../src/worker/discord-messages.js';
import type { MessageTarget } from '../../src/worker/message-targets.js';

// Two workers draw one message at once: an older view never stays on it after a newer one.

const bodyOf = (content: string): MessageBody => ({ content, embeds: [], components: [], allowed_mentions: NO_MENTIONS });

describe('message views are shown in the order they were read', () => {
  let database: TestDatabase;
  let discord: DiscordEmulator;
  let channelId: string;
  const logger = createLogger({ level: 'silent', name: 'test' });

  beforeAll(async () => {
    database = await createTestDatabase('message_view_order');
    discord = await DiscordEmulator.start();
    channelId = discord.createChannel(discord.createGuild().id).id;
  });
  afterAll(async () => {
    await discord?.close();
    await database?.drop();
  });

  /** A worker of its own: its own REST client and its own in-process ordering. */
  const worker = () =>
    new DiscordMessages(
      createDiscordRest({
        token: discord.token,
        apiUrl: discord.apiUrl,
      }),
      database.db,
      logger,
    );

  it('the message row keeps the newest view claimed and answered: an older number is refused both times', async () => {
    const target: MessageTarget = { channelId, purpose: 'notice', chapterId: null, pageId: null, revisionId: null, generationKey: 'rows' };
    await worker().show(target, { by: 'generation_key' }, () => Promise.resolve({ body: bodyOf('first'), files: [] }));
    const row = await database.db.selectFrom('discord_messages').selectAll().where('generation_key', '=', 'rows').executeTakeFirstOrThrow();
    const [older, newer] = [await takeViewVersion(database.db), await takeViewVersion(database.db)];
    expect(await claimViewEdit(database.db, row.id, newer)).toBe(true);
    expect(await claimViewEdit(database.db, row.id, older)).toBe(false);
    expect(await recordViewShown(database.db, row.id, newer, [])).toBe(true);
    expect(await recordViewShown(database.db, row.id, older, [])).toBe(false);
  });

  it('a view Discord answers after a newer one is drawn again from what is current, so the newest stays', async () => {
    const target: MessageTarget = { channelId, purpose: 'notice', chapterId: null, pageId: null, revisionId: null, generationKey: 'race' };
    let state = 'panel 1 of 3 · rendering';
    const draws: string[] = [];
    const view = (who: string) => () => {
      draws.push(`${who}: ${state}`);
      return Promise.resolve({ body: bodyOf(state), files: [] });
    };
    const [a, b] = [worker(), worker()];
    const messageId = await a.show(target, { by: 'generation_key' }, view('a'));

    // A's edit is carried out but its answer is held; meanwhile B shows a newer state and is answered first.
    const held = discord.holdNext({ method: 'PATCH', route: '/channels/:id/messages/:id' });
    state = '1 of 3 panels rendered · panel 2 rendering';
    const first = a.show(target, { by: 'generation_key' }, view('a'));
    await held.arrived;
    state = '2 of 3 panels rendered · panel 3 rendering';
    await b.show(target, { by: 'generation_key' }, view('b'));
    state = '3 of 3 panels rendered';
    held.release();
    await first;

    expect(discord.messages(channelId).find((m) => m.id === messageId)?.content).toBe('3 of 3 panels rendered');
    expect(draws.at(-1)).toBe('a: 3 of 3 panels rendered');
  });
});
