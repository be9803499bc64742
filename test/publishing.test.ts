import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { WritersRoom } from '../loopback/writers-room.js';

const PUBLIC_URL = 'https://read.example.test/stories';
const LINK = /https:\/\/read\.example\.test\/stories\/the-glowing-mark-([0-9a-f]{32})\b/;

describe('/story publish and /story unpublish', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;

  beforeAll(async () => {
    h = await startStoryroom('publishing', { env: { PUBLIC_URL: `${PUBLIC_URL}/` } });
    room = new WritersRoom(h);
    await room.setupStory('The Glowing Mark');
    threadId = await room.openChapter('Sparks');
  });
  afterAll(async () => {
    await h?.close();
  });

  const story = (userId: string, subcommand: 'publish' | 'unpublish', channelId = h.storyChannelId) =>
    h.discord.slashCommand({ guildId: h.guildId, channelId, userId, name: 'story', subcommand, options: {} }).response();
  const storedToken = async () => (await h.database.db.selectFrom('stories').select('public_token').executeTakeFirstOrThrow()).public_token;

  it('an admin publishes: the link is posted in the channel for everyone, with an unguessable token', async () => {
    const response = await story(h.adminId, 'publish');
    expect(response.ephemeral).toBe(false);
    expect(response.content).toMatch(/<\/story unpublish:\d+> revokes it/);
    const token = LINK.exec(response.content ?? '')?.[1];
    expect(token).toBeDefined();
    expect(await storedToken()).toBe(token);
  });

  it('a writer who owns no chapter is refused and nothing changes; a chapter owner may publish from the thread', async () => {
    const before = await storedToken();
    const writer = room.newMember('writer');
    await room.join(threadId, writer);
    expect(await story(writer, 'publish')).toMatchObject({ ephemeral: true, content: expect.stringMatching(/Manage Server or an owner/) });
    expect(await story(writer, 'unpublish')).toMatchObject({
      ephemeral: true,
      content: expect.stringMatching(/Manage Server or an owner/),
    });
    expect(await storedToken()).toBe(before);

    const owner = room.newMember('owner');
    await room.join(threadId, owner);
    await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: threadId,
        userId: h.adminId,
        name: 'chapter',
        subcommand: 'members',
        options: { user: owner, role: 'owner' },
      })
      .response();
    const republished = await story(owner, 'publish', threadId);
    const token = LINK.exec(republished.content ?? '')?.[1];
    expect(token).toBeDefined();
    expect(token).not.toBe(before);
    expect(await storedToken()).toBe(token);
  });

  it('unpublishing revokes the link; unpublishing again says it is not published; publishing again makes a new token', async () => {
    const old = await storedToken();
    const revoked = await story(h.adminId, 'unpublish');
    expect(revoked).toMatchObject({ ephemeral: false, content: expect.stringMatching(/no longer published/) });
    expect(await storedToken()).toBeNull();
    expect(await story(h.adminId, 'unpublish')).toMatchObject({ ephemeral: true, content: expect.stringMatching(/is not published/) });
    const again = await story(h.adminId, 'publish');
    const token = LINK.exec(again.content ?? '')?.[1];
    expect(token).toBeDefined();
    expect(token).not.toBe(old);
  });

  it('outside a story room it says where to run it', async () => {
    const elsewhere = h.discord.createChannel(h.guildId).id;
    expect(await story(h.adminId, 'publish', elsewhere)).toMatchObject({
      ephemeral: true,
      content: expect.stringMatching(/story channel/),
    });
  });
});
