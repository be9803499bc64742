import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionHandle } from '../../loopback/discord/emulator.js';
import { button, WritersRoom } from '../../loopback/writers-room.js';
import { seedChapter, seedPage, seedRevision, seedStory } from '../../loopback/seed.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';

describe('bad input and trust', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let otherThreadId: string;
  let writer: string;
  let stranger: string;
  let draft: {
    messageId: string;
    pageId: number;
    revisionId: number;
    otherGuildPageId: number;
    otherGuildRevisionId: number;
    otherChapterId: number;
  };

  beforeAll(async () => {
    h = await startStoryroom('badinput');
    room = new WritersRoom(h);
    h.model.setResponder(() => ({ content: 'A draft for the room.' }));
    await room.setupStory();
    threadId = await room.openChapter('Trust');
    otherThreadId = await room.openChapter('Elsewhere');
    writer = room.newMember('writer');
    stranger = room.newMember('stranger');
    await room.join(threadId, writer);
    await room.startPage(threadId, h.adminId, 'A page under test').response();
    const open = await room.openDraft(threadId, 1, 'Narration', 1);
    const [, , pageId, revisionId] = (button(open, 'Approve').custom_id ?? '').split(':').map(Number);
    // Another server's story, page and draft: its ids must be unreachable from this server.
    const db = h.database.db;
    const storyId = await seedStory(db, {
      guildId: '500000000000000001',
      channelId: '500000000000000002',
      title: 'Theirs',
      createdBy: 'x',
    });
    const chapterId = await seedChapter(db, { storyId, number: 1, title: 'Theirs', threadId: '500000000000000003', createdBy: 'x' });
    const otherPageId = await seedPage(db, { chapterId, number: 1, input: 'theirs', state: 'user_reviewing_narration', createdBy: 'x' });
    const otherRevisionId = await seedRevision(db, { pageId: otherPageId, kind: 'narration', body: 'theirs' });
    await db.updateTable('story_pages').set({ current_revision_id: otherRevisionId }).where('id', '=', otherPageId).execute();
    draft = {
      messageId: open.id,
      pageId: pageId ?? 0,
      revisionId: revisionId ?? 0,
      otherGuildPageId: otherPageId,
      otherGuildRevisionId: otherRevisionId,
      otherChapterId: chapterId,
    };
  });
  afterAll(async () => {
    await h?.close();
  });

  async function snapshot() {
    const db = h.database.db;
    const count = async (
      table:
        | 'stories'
        | 'chapters'
        | 'chapter_members'
        | 'story_pages'
        | 'page_revisions'
        | 'votes'
        | 'user_feedback'
        | 'page_transitions'
        | 'outbox',
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const titles = await db.selectFrom('stories').select('title').orderBy('id').execute();
    return {
      stories: await count('stories'),
      chapters: await count('chapters'),
      members: await count('chapter_members'),
      pages: await count('story_pages'),
      revisions: await count('page_revisions'),
      votes: await count('votes'),
      feedback: await count('user_feedback'),
      transitions: await count('page_transitions'),
      outbox: await count('outbox'),
      titles: titles.map((t) => t.title),
    };
  }

  const slash =
    (channel: () => string, user: () => string, name: string, subcommand: string | undefined, options: Record<string, string>) => () =>
      h.discord.slashCommand({
        guildId: h.guildId,
        channelId: channel(),
        userId: user(),
        name,
        ...(subcommand ? { subcommand } : {}),
        options,
      });
  const click =
    (customId: () => string, user: () => string = () => writer, channel: () => string = () => threadId) =>
    () =>
      h.discord.clickButton({
        guildId: h.guildId,
        channelId: channel(),
        userId: user(),
        // A forged id rides on a message of the thread it is clicked in.
        messageId: channel() === threadId ? draft.messageId : room.chapterCard(channel()).id,
        customId: customId(),
      });
  const feedback =
    (
      fields: Record<string, string>,
      customId: () => string = () => `sr1:feedback:${draft.pageId}:${draft.revisionId}`,
      user: () => string = () => writer,
    ) =>
    () =>
      h.discord.submitModal({
        guildId: h.guildId,
        channelId: threadId,
        userId: user(),
        customId: customId(),
        fields,
        messageId: draft.messageId,
      });

  const inThread = () => threadId;
  const inStory = () => h.storyChannelId;
  const admin = () => h.adminId;
  const asWriter = () => writer;
  const asStranger = () => stranger;
  const pageStart = (input: string, channel = inThread, user = asWriter) => slash(channel, user, 'page', 'start', { input });

  const cases: [string, () => InteractionHandle, RegExp][] = [
    ['empty page input', pageStart(''), /is empty/],
    ['whitespace-only page input', pageStart('   \n\t  '), /is empty/],
    ['control characters only', pageStart('\u0000\u0007\u001b'), /is empty/],
    ['zero-width and bidi characters only', pageStart('\u200b\u202e\u2066'), /is empty/],
    ['page input past our limit', pageStart('x'.repeat(1_001)), /under 1000 characters/],
    ['page input past Discord’s limit', pageStart('y'.repeat(6_001)), /under 1000 characters/],
    ['page input in the story channel', pageStart('hello', inStory), /inside a chapter thread/],
    ['page start by someone who has not joined', pageStart('hello', inThread, asStranger), /Only co-writers/],
    ['a second page while one is in progress', pageStart('next page'), /Page 1 is still in progress/],
    ['page input with mass mentions while a page is open', pageStart('@everyone @here <@&1> look'), /still in progress/],
    ['empty chapter title', slash(inStory, admin, 'chapter', 'start', { title: '' }), /is empty/],
    ['whitespace chapter title', slash(inStory, admin, 'chapter', 'start', { title: '    ' }), /is empty/],
    ['chapter title past its limit', slash(inStory, admin, 'chapter', 'start', { title: 'c'.repeat(91) }), /under 90 characters/],
    [
      'chapter started inside a thread',
      slash(inThread, admin, 'chapter', 'start', { title: 'Nested' }),
      /start the next chapter from the story channel/,
    ],
    ['chapter join outside a thread', slash(inStory, asWriter, 'chapter', 'join', {}), /from inside its thread/],
    ['story setup without Manage Server', slash(inStory, asWriter, 'story', 'setup', { title: 'Mine now' }), /Manage Server/],
    ['story setup with an overlong title', slash(inStory, admin, 'story', 'setup', { title: 't'.repeat(101) }), /under 100 characters/],
    ['story setup inside a thread', slash(inThread, admin, 'story', 'setup', { title: 'Thread story' }), /not inside a thread/],
    ['an unknown command', slash(inThread, admin, 'nonsense', undefined, {}), /not part of storyroom/],
    ['empty feedback', feedback({ feedback: '' }), /is empty/],
    ['whitespace feedback', feedback({ feedback: '  \n ' }), /is empty/],
    ['control-character feedback', feedback({ feedback: '\u0001\u0002' }), /is empty/],
    ['feedback past its limit', feedback({ feedback: 'f'.repeat(1_501) }), /under 1500 characters/],
    ['a form missing its feedback field', feedback({ other: 'hello' }), /is empty/],
    [
      'feedback by someone who has not joined (given back to copy)',
      feedback({ feedback: 'Mine, all of it' }, undefined, asStranger),
      /Only co-writers[\s\S]*Your text, to copy:\n```\nMine, all of it\n```/,
    ],
    [
      'feedback forged for another server’s draft',
      feedback({ feedback: 'x' }, () => `sr1:feedback:${draft.otherGuildPageId}:${draft.otherGuildRevisionId}`),
      /does not belong/,
    ],
    ['a custom_id that is not ours', click(() => 'garbage'), /not one storyroom understands/],
    ['a truncated custom_id', click(() => `sr1:approve:${draft.pageId}`), /not one storyroom understands/],
    ['a custom_id with letters for ids', click(() => 'sr1:approve:abc:def'), /not one storyroom understands/],
    ['a custom_id with a negative id', click(() => 'sr1:approve:-5:3'), /not one storyroom understands/],
    ['a custom_id with a zero id', click(() => 'sr1:approve:0:0'), /not one storyroom understands/],
    ['a custom_id with an extra field', click(() => `sr1:approve:${draft.pageId}:${draft.revisionId}:9`), /not one storyroom understands/],
    ['a 100-character custom_id', click(() => 'z'.repeat(100)), /not one storyroom understands/],
    ['a modal action on a button', click(() => `sr1:feedback:${draft.pageId}:${draft.revisionId}`), /not one storyroom understands/],
    ['an id past 2^53', click(() => 'sr1:approve:99999999999999999:1'), /not one storyroom understands/],
    ['a page that does not exist', click(() => 'sr1:approve:987654:987654'), /does not belong/],
    [
      'another server’s page and draft',
      click(() => `sr1:approve:${draft.otherGuildPageId}:${draft.otherGuildRevisionId}`),
      /does not belong/,
    ],
    ['this page with another server’s draft', click(() => `sr1:approve:${draft.pageId}:${draft.otherGuildRevisionId}`), /does not belong/],
    [
      'this server’s draft clicked from another thread',
      click(
        () => `sr1:approve:${draft.pageId}:${draft.revisionId}`,
        asWriter,
        () => otherThreadId,
      ),
      /does not belong/,
    ],
    ['joining another server’s chapter', click(() => `sr1:join:${draft.otherChapterId}`), /from inside its thread/],
    [
      'Approve by someone who has not joined',
      click(() => `sr1:approve:${draft.pageId}:${draft.revisionId}`, asStranger),
      /Only co-writers/,
    ],
    ['Revise by someone who has not joined', click(() => `sr1:revise:${draft.pageId}:${draft.revisionId}`, asStranger), /Only co-writers/],
    ['Retry with a stale page version', click(() => `sr1:retry:${draft.pageId}:0`), /moved on/],
    ['Cancel while nothing is being written', click(() => `sr1:cancel:${draft.pageId}:999`), /moved on/],
  ];

  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s: explained privately, nothing changes', async (_name, act, message) => {
    const before = await snapshot();
    const response = await act().response();
    expect(response.ephemeral).toBe(true);
    expect(response.content).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it('the same interaction delivered twice is handled once', async () => {
    const chapterThread = await room.openChapter('Delivered twice');
    const before = await snapshot();
    const handle = room.startPage(chapterThread, h.adminId, 'Only once, please');
    h.discord.redeliver(handle);
    await handle.response();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await snapshot();
    expect(after.pages - before.pages).toBe(1);
    expect(h.discord.calls.filter((c) => c.path.includes(`/interactions/${handle.id}/`))).toHaveLength(1);
    expect(h.discord.violations).toEqual([]);
  });

  it('the same click delivered twice is handled once (50 runs)', async () => {
    const voter = room.newMember('twice');
    await room.join(threadId, voter);
    await h.database.db.updateTable('stories').set({ quorum: 'all' }).execute();
    const votesBefore = (await snapshot()).votes;
    for (let run = 0; run < 50; run += 1) {
      const handle = h.discord.clickButton({
        guildId: h.guildId,
        channelId: threadId,
        userId: voter,
        messageId: draft.messageId,
        customId: `sr1:approve:${draft.pageId}:${draft.revisionId}`,
      });
      h.discord.redeliver(handle);
      await handle.response();
      expect(h.discord.calls.filter((c) => c.path.includes(`/interactions/${handle.id}/`))).toHaveLength(1);
    }
    expect((await snapshot()).votes).toBe(votesBefore + 1);
    expect(h.discord.violations.filter((v) => v.includes('twice'))).toEqual([]);
    await h.database.db.updateTable('stories').set({ quorum: 'majority' }).execute();
  });

  it('nothing the bot sends can ping anyone', () => {
    const sent = h.discord.calls.filter(
      (c) => ['POST', 'PATCH'].includes(c.method) && /messages|callback|webhooks/.test(c.route) && c.status < 300,
    );
    expect(sent.length).toBeGreaterThan(10);
    for (const call of sent) {
      const body = call.body as { allowed_mentions?: unknown; data?: { allowed_mentions?: unknown }; type?: number };
      if (call.route.endsWith('/callback') && (body.type === 5 || body.type === 6 || body.type === 9)) continue;
      const mentions = call.route.endsWith('/callback') ? body.data?.allowed_mentions : body.allowed_mentions;
      expect(mentions, `${call.method} ${call.route}`).toEqual({ parse: [] });
    }
  });
});
