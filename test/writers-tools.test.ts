import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { WritersRoom } from '../loopback/writers-room.js';

describe('the writers’ tools: /bible, /page history, /usage, /settings', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;

  beforeAll(async () => {
    h = await startStoryroom('tools', { env: { PROMPT_TOKEN_BUDGET: '4000', BIBLE_TOKEN_BUDGET: '600' } });
    room = new WritersRoom(h);
    await room.setupStory('Ash and Ember');
    threadId = await room.openChapter('Cinders');
    writer = room.newMember('writer');
    await room.join(threadId, writer);
  });
  afterAll(async () => {
    await h?.close();
  });

  const bible = (
    userId: string,
    subcommand: string,
    options: Record<string, string | number | boolean>,
    attachments?: Record<string, { filename: string; contentType: string; content: string }>,
  ) =>
    h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId,
        name: 'bible',
        subcommand,
        options,
        ...(attachments ? { attachments } : {}),
      })
      .response();

  it('adds entries from text and from a Markdown file, lists, shows, replaces (keeping the old text) and removes them', async () => {
    const style = await bible(h.adminId, 'add', {
      title: 'House style',
      type: 'style',
      text: 'Short sentences. Smell and sound first.',
      always: true,
      priority: 10,
    });
    expect(style).toMatchObject({ ephemeral: true, content: expect.stringMatching(/^Added style \*\*House style\*\*.*in every prompt/) });
    const mira = await bible(
      h.adminId,
      'add',
      { title: 'Mira', type: 'character', keywords: 'lantern, the guide' },
      {
        file: {
          filename: 'mira.md',
          contentType: 'text/markdown',
          content: '# Mira\nA lantern-bearer who knows every road north. Never lies, rarely speaks.',
        },
      },
    );
    expect(mira.content).toMatch(/Added character \*\*Mira\*\*.*called up by lantern, the guide/);
    const filler = 'Old grudges between the mountain clans, their tolls and their feuds. '.repeat(60);
    await bible(h.adminId, 'add', { title: 'The North', type: 'location', text: filler, keywords: 'mountains' });

    const list = await bible(writer, 'list', {});
    expect(JSON.stringify(list.embeds)).toContain('Mira');
    const shown = await bible(writer, 'show', { title: 'mira' });
    expect(JSON.stringify(shown.embeds)).toContain('lantern-bearer');

    const replaced = await bible(h.adminId, 'add', {
      title: 'The North',
      type: 'location',
      text: `${filler} Snow falls early.`,
      keywords: 'mountains',
    });
    expect(replaced.content).toMatch(/^Replaced location \*\*The North\*\*.*kept as history/);
    const versions = await h.database.db
      .selectFrom('canonical_refs')
      .select(['title', 'superseded_at'])
      .where('title', '=', 'The North')
      .execute();
    expect(versions).toHaveLength(2);
    expect(versions.filter((v) => v.superseded_at === null)).toHaveLength(1);

    expect(await bible(writer, 'add', { title: 'Mine', type: 'rule', text: 'No.' })).toMatchObject({
      ephemeral: true,
      content: expect.stringMatching(/Manage Server/),
    });
    expect(
      (
        await bible(
          h.adminId,
          'add',
          { title: 'Bad file', type: 'rule' },
          { file: { filename: 'x.pdf', contentType: 'application/pdf', content: '%PDF' } },
        )
      ).content,
    ).toMatch(/Markdown or text/);
    // Neither text nor a file: a form opens to type the entry in.
    const form = await bible(h.adminId, 'add', { title: 'Oaths', type: 'rule', priority: 4, always: true });
    expect(form.kind).toBe('modal');
    expect(JSON.stringify(form.modal)).toContain('"value":"Oaths"');
    const submitted = await h.discord
      .submitModal({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: h.adminId,
        customId: form.modal?.custom_id ?? '',
        fields: { title: 'Oaths', keywords: 'oath, vow', text: 'An oath spoken at the pass binds for a year.' },
      })
      .response();
    expect(submitted).toMatchObject({
      ephemeral: true,
      content: expect.stringMatching(/^Added rule \*\*Oaths\*\*.*called up by oath, vow; in every prompt/),
    });
    expect(
      await h.database.db
        .selectFrom('canonical_refs')
        .select(['priority', 'always_include'])
        .where('title', '=', 'Oaths')
        .executeTakeFirst(),
    ).toEqual({ priority: 4, always_include: true });
    const writerForm = await h.discord
      .submitModal({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: writer,
        customId: form.modal?.custom_id ?? '',
        fields: { title: 'Sneaky', keywords: '', text: 'No.' },
      })
      .response();
    expect(writerForm.content).toMatch(/Manage Server/);
    await bible(h.adminId, 'remove', { title: 'Oaths' });
    await bible(h.adminId, 'add', { title: 'Temporary', type: 'rule', text: 'Gone soon.' });
    expect((await bible(h.adminId, 'remove', { title: 'Temporary' })).content).toMatch(/Removed \*\*Temporary\*\*/);
    expect((await bible(writer, 'show', { title: 'Temporary' })).content).toMatch(/no entry called/);
  });

  it('the narrator’s prompt carries the always-in entries and the ones the page calls up, and /page history says so', async () => {
    h.model.setResponder(() => ({ content: 'Mira lifts her lantern at the pass.' }));
    const before = h.model.requests.length;
    await room.startPage(threadId, writer, 'Mira lights the lantern at the pass').response();
    await room.openDraft(threadId, 1, 'Narration', 1);
    const prompt = h.model.requests.slice(before).find((r) => !r.responseFormatName)?.promptText ?? '';
    expect(prompt).toContain('Smell and sound first.');
    expect(prompt).toContain('lantern-bearer');
    expect(prompt).not.toContain('Old grudges'); // The North is not called up and the bible does not fit whole

    const history = await h.discord
      .slashCommand({ guildId: h.guildId, channelId: threadId, userId: writer, name: 'page', subcommand: 'history', options: {} })
      .response();
    expect(history.ephemeral).toBe(true);
    const text = JSON.stringify(history.embeds);
    expect(text).toContain('Page 1 · history');
    expect(text).toContain('Narration v1');
    expect(text).toMatch(/Bible: House style, Mira/);
    expect(text).toContain('of 4000 tokens');
  });

  it('/usage shows tokens, the cached share and an estimated cost, per chapter, agent and day', async () => {
    const response = await h.discord
      .slashCommand({ guildId: h.guildId, channelId: threadId, userId: writer, name: 'usage', options: {} })
      .response();
    expect(response.ephemeral).toBe(true);
    const text = JSON.stringify(response.embeds);
    expect(text).toContain('Usage of Ash and Ember');
    expect(text).toContain('Chapter 1: Cinders');
    expect(text).toMatch(/narrator/);
    expect(text).toMatch(/% cached/);
    expect(text).toMatch(/\$\d+\.\d{4}/);
    const outside = await h.discord
      .slashCommand({ guildId: h.guildId, channelId: h.discord.createChannel(h.guildId).id, userId: writer, name: 'usage', options: {} })
      .response();
    expect(outside).toMatchObject({ ephemeral: true, content: expect.stringMatching(/story channel/) });
  });

  it('/settings shows the settings, changes the ones given, refuses bad values and non-admins, and the tone reaches the prompt', async () => {
    const settings = (userId: string, options: Record<string, string | number>) =>
      h.discord.slashCommand({ guildId: h.guildId, channelId: h.storyChannelId, userId, name: 'settings', options }).response();
    const shown = await settings(h.adminId, {});
    expect(JSON.stringify(shown.embeds)).toMatch(/"Quorum","value":"majority"/);
    const changed = await settings(h.adminId, { quorum: '2', max_revisions: 1, tone: 'Hushed, wintry.', narration_words: 120 });
    const text = JSON.stringify(changed.embeds);
    expect(text).toMatch(/"Quorum","value":"2"/);
    expect(text).toMatch(/"Max revisions","value":"1"/);
    expect(text).toContain('Hushed, wintry.');
    expect(await settings(h.adminId, { quorum: 'most' })).toMatchObject({
      ephemeral: true,
      content: expect.stringMatching(/"majority", "all", or a number/),
    });
    expect(await settings(writer, { quorum: 'all' })).toMatchObject({ ephemeral: true, content: expect.stringMatching(/Manage Server/) });
    const story = await h.database.db
      .selectFrom('stories')
      .select(['quorum', 'max_revisions', 'tone_note', 'narration_words'])
      .executeTakeFirstOrThrow();
    expect(story).toEqual({ quorum: '2', max_revisions: 1, tone_note: 'Hushed, wintry.', narration_words: 120 });

    const thread = await room.openChapter('Winter');
    const before = h.model.requests.length;
    await room.startPage(thread, h.adminId, 'Snow on the pass').response();
    await room.openDraft(thread, 1, 'Narration', 1);
    const prompt = h.model.requests.slice(before).find((r) => !r.responseFormatName)?.promptText ?? '';
    expect(prompt).toContain('Hushed, wintry.');
    expect(prompt).toContain('about 120 words');
  });

  it('/chapter progress shows each page’s state, its draft and the votes still to come', async () => {
    const response = await h.discord
      .slashCommand({ guildId: h.guildId, channelId: threadId, userId: writer, name: 'chapter', subcommand: 'progress', options: {} })
      .response();
    expect(response.ephemeral).toBe(true);
    const text = JSON.stringify(response.embeds);
    expect(text).toContain('Chapter 1: Cinders');
    expect(text).toMatch(/1 page: 0 approved, 1 in review/);
    expect(text).toMatch(/Page 1\*\*: Waiting for votes on the narration · narration v1 · 0 of 2 voted/);
    const outside = await h.discord
      .slashCommand({
        guildId: h.guildId,
        channelId: h.storyChannelId,
        userId: writer,
        name: 'chapter',
        subcommand: 'progress',
        options: {},
      })
      .response();
    expect(outside).toMatchObject({ ephemeral: true, content: expect.stringMatching(/inside a chapter thread/) });
  });
});
