import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { WritersRoom } from '../loopback/writers-room.js';

describe('a member an owner removed stays out until an owner adds them again', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const members = (userId: string, options: Record<string, string>) =>
    h.discord.slashCommand({ guildId: h.guildId, channelId: threadId, userId, name: 'chapter', subcommand: 'members', options }).response();
  const roleOf = async (userId: string) =>
    (await h.database.db.selectFrom('chapter_members').select('role').where('user_id', '=', userId).executeTakeFirst())?.role ?? null;

  beforeAll(async () => {
    h = await startStoryroom('member-removal');
    h.model.setResponder(() => ({ content: 'The lantern gutters in the wind.' }));
    room = new WritersRoom(h);
    await room.setupStory('Lanterns');
    threadId = await room.openChapter('The Pass');
    writer = room.newMember('writer');
    await room.join(threadId, writer);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('removed, they press Join (or run /chapter join): refused privately, and they are still out', async () => {
    expect((await members(h.adminId, { user: writer, role: 'remove' })).content).toMatch(/no longer in/);
    const pressed = await room.join(threadId, writer);
    expect(pressed.ephemeral).toBe(true);
    expect(pressed.content).toMatch(/removed you from \*\*The Pass\*\*.*owner can add you again/);
    const typed = await h.discord
      .slashCommand({ guildId: h.guildId, channelId: threadId, userId: writer, name: 'chapter', subcommand: 'join', options: {} })
      .response();
    expect(typed).toMatchObject({ ephemeral: true, content: expect.stringMatching(/removed you/) });
    expect(await roleOf(writer)).toBeNull();
    const page = await room.startPage(threadId, writer, 'Kai sneaks back in').response();
    expect(page.ephemeral).toBe(true);
    expect(await h.database.db.selectFrom('story_pages').select('id').execute()).toEqual([]);
  });

  it('an owner adds them again: they are a writer and can start a page', async () => {
    expect((await members(h.adminId, { user: writer, role: 'writer' })).content).toMatch(/now a \*\*writer\*\*/);
    expect(await roleOf(writer)).toBe('writer');
    expect(await room.join(threadId, writer)).toMatchObject({ ephemeral: true, content: expect.stringMatching(/already a co-writer/) });
    await room.startPage(threadId, writer, 'Kai is welcomed back').response();
    await room.openDraft(threadId, 1, 'Narration', 1);
  });

  it('someone never removed still joins with the button', async () => {
    const newcomer = room.newMember('newcomer');
    const joined = await room.join(threadId, newcomer);
    expect(joined.kind).toBe('update');
    expect(joined.ephemeral).toBe(false);
    expect(await roleOf(newcomer)).toBe('writer');
  });
});
