import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WritersRoom } from '../../loopback/writers-room.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

// Finding 10: when Discord refuses the chapter's thread or its card, no numbered chapter without a
// thread is left behind, and the reply names the permission that is missing.
describe('/chapter start without the right permission', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;

  beforeAll(async () => {
    h = await startStoryroom('chapterperm');
    room = new WritersRoom(h);
    await room.setupStory();
  });
  afterAll(async () => {
    await h?.close();
  });

  const start = (title: string) =>
    h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: h.adminId,
        name: 'chapter',
        subcommand: 'start',
        options: { title },
      })
      .response();
  const chapters = () => h.database.db.selectFrom('chapters').select(['number', 'title', 'thread_id']).orderBy('number').execute();

  it('a refused thread leaves no chapter behind and names Create Public Threads', async () => {
    h.discord.failNext(
      { method: 'POST', route: /^\/channels\/:id\/threads$/ },
      { status: 403, code: 50013, message: 'Missing Permissions' },
    );
    const reply = await start('No threads allowed');
    expect(reply.content).toMatch(/Create Public Threads/);
    expect(await chapters()).toEqual([]);
  });

  it('a refused chapter card leaves no chapter or thread behind and names Send Messages in Threads', async () => {
    h.discord.failNext({ method: 'POST', route: '/channels/:id/messages' }, { status: 403, code: 50013, message: 'Missing Permissions' });
    const reply = await start('No card allowed');
    expect(reply.content).toMatch(/Send Messages in Threads/);
    expect(await chapters()).toEqual([]);
    expect(h.discord.threads(h.storyChannelId).filter((t) => t.name.includes('No card allowed'))).toEqual([]);
  });

  it('once the permission is back the chapter takes number 1', async () => {
    await room.openChapter('Allowed at last');
    expect((await chapters()).map((c) => c.number)).toEqual([1]);
  });
});
