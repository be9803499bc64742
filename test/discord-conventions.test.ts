import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS } from '../loopback/discord/permissions.js';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { button, embedText, WritersRoom } from '../loopback/writers-room.js';
import { INVITE_PERMISSIONS } from '../src/discord/bot-permissions.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'Suggested.' }] }] };

describe('Discord conventions: app permissions, autocomplete, /help, command mentions and the invite', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  let commandIds: Map<string, string>;

  beforeAll(async () => {
    h = await startStoryroom('conventions');
    h.model.setResponder((request) => (request.responseFormatName ? { json: SCRIPT } : { content: 'A draft to vote on.' }));
    room = new WritersRoom(h);
    await room.setupStory('Conventional');
    threadId = await room.openChapter('Rules of the Road');
    writer = room.newMember('writer');
    await room.join(threadId, writer);
    commandIds = new Map((h.discord.registeredCommands(h.guildId) as { id: string; name: string }[]).map((c) => [c.name, c.id]));
  });
  afterAll(async () => {
    await h?.close();
  });

  const slash = (
    channelId: string,
    userId: string,
    name: string,
    subcommand: string | undefined,
    options: Record<string, string | number | boolean> = {},
  ) => h.discord.slashCommand({ guildId: h.guildId, channelId, userId, name, ...(subcommand ? { subcommand } : {}), options }).response();
  const suggest = async (
    channelId: string,
    name: string,
    subcommand: string,
    options: Record<string, string | number | boolean>,
    focused: string,
  ) =>
    (await h.discord.autocomplete({ guildId: h.guildId, channelId, userId: writer, name, subcommand, options, focused }).response())
      .choices ?? [];

  it('a missing permission of the bot is named to the person before anything changes', async () => {
    h.discord.setBotPermissions(h.guildId, ALL_PERMISSIONS & ~PermissionFlagsBits.CreatePublicThreads);
    const chaptersBefore = await h.database.db.selectFrom('chapters').select('id').execute();
    const threadsBefore = h.discord.threads(h.storyChannelId).length;
    try {
      const refused = await slash(h.storyChannelId, h.adminId, 'chapter', 'start', { title: 'Never opened' });
      expect(refused.ephemeral).toBe(true);
      expect(refused.content).toMatch(/missing the \*\*Create Public Threads\*\* permission/);
      expect(await h.database.db.selectFrom('chapters').select('id').execute()).toEqual(chaptersBefore);
      expect(h.discord.threads(h.storyChannelId)).toHaveLength(threadsBefore);

      // A button in a thread needs the bot to post there: without it the click is refused by name, its vote not taken.
      h.discord.setBotPermissions(
        h.guildId,
        ALL_PERMISSIONS & ~(PermissionFlagsBits.SendMessagesInThreads | PermissionFlagsBits.EmbedLinks),
      );
      const card = room.chapterCard(threadId);
      const stranger = room.newMember('stranger');
      const click = await h.discord
        .clickButton({
          guildId: h.guildId,
          channelId: threadId,
          userId: stranger,
          messageId: card.id,
          customId: button(card, 'Join').custom_id ?? '',
        })
        .response();
      expect(click.ephemeral).toBe(true);
      expect(click.content).toMatch(/missing the \*\*Embed Links\*\*, \*\*Send Messages In Threads\*\* permissions/);
      expect(await h.database.db.selectFrom('chapter_members').select('user_id').where('user_id', '=', stranger).execute()).toEqual([]);
    } finally {
      h.discord.setBotPermissions(h.guildId, ALL_PERMISSIONS);
    }
    // With the permission back, the same command works.
    expect((await slash(h.storyChannelId, h.adminId, 'chapter', 'start', { title: 'Opened after all' })).ephemeral).toBe(false);
  });

  it('autocomplete offers bible titles, page numbers, versions and the allowed models', async () => {
    await slash(h.storyChannelId, h.adminId, 'bible', 'add', { title: 'Mira', type: 'character', text: 'A lantern-bearer.' });
    await slash(h.storyChannelId, h.adminId, 'bible', 'add', { title: 'The Mark', type: 'rule', text: 'It glows near danger.' });
    expect(await suggest(h.storyChannelId, 'bible', 'show', { title: 'mi' }, 'title')).toEqual([
      { name: 'Mira (character)', value: 'Mira' },
    ]);
    expect((await suggest(threadId, 'bible', 'remove', { title: '' }, 'title')).map((c) => c.value)).toEqual(['Mira', 'The Mark']);

    await room.startPage(threadId, h.adminId, 'Kai reads the signs').response();
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    await room.revise(threadId, narration, h.adminId, 'More rain.');
    await room.revise(threadId, narration, writer, 'And thunder.');
    await room.openDraft(threadId, 1, 'Narration', 2);
    expect(await suggest(threadId, 'page', 'history', { page: '' }, 'page')).toEqual([
      { name: 'Page 1 · user reviewing narration', value: 1 },
    ]);
    const versions = await suggest(threadId, 'page', 'diff', { page: 1, from: '', to: 2 }, 'from');
    expect(versions.map((c) => c.value)).toEqual([2, 1]);
    expect(versions[1]?.name).toMatch(/^narration v1 · /);
    expect(await suggest(h.storyChannelId, 'page', 'history', { page: '' }, 'page')).toEqual([]);

    const models = await suggest(h.storyChannelId, 'settings', undefined as never, { narrator_model: 'mini' }, 'narrator_model');
    expect(models.map((c) => c.value)).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4.1-mini']));
    expect(models.every((c) => String(c.value).includes('mini'))).toBe(true);
    expect(h.discord.violations).toEqual([]);
  });

  it('/help is ephemeral and lists what this member can do here, as clickable command mentions', async () => {
    const inStory = await slash(h.storyChannelId, h.adminId, 'help', undefined);
    expect(inStory.ephemeral).toBe(true);
    const storyText = embedText(inStory as never);
    expect(storyText).toContain(`</chapter start:${commandIds.get('chapter')}>`);
    expect(storyText).toContain(`</settings:${commandIds.get('settings')}>`);

    const asWriter = embedText((await slash(threadId, writer, 'help', undefined)) as never);
    expect(asWriter).toContain('As a writer you can');
    expect(asWriter).toContain(`</page start:${commandIds.get('page')}>`);
    expect(asWriter).not.toContain('</page restore');
    expect(asWriter).not.toContain('</settings');

    const newcomer = room.newMember('newcomer');
    const asNewcomer = embedText((await slash(threadId, newcomer, 'help', undefined)) as never);
    expect(asNewcomer).toContain('not a member of this chapter yet');
    expect(asNewcomer).toContain(`</chapter join:${commandIds.get('chapter')}>`);
    expect(asNewcomer).not.toContain('</page start');

    // Times are Discord timestamps: the pinned progress carries the embed timestamp each reader sees in their own zone.
    const pinned = await h.discord.waitFor(
      () => h.discord.messages(threadId).find((m) => JSON.stringify(m.embeds).includes('📌 Chapter progress · updated')),
      { description: 'pinned progress' },
    );
    const stamp = (pinned.embeds as unknown as { timestamp?: string }[])[0]?.timestamp ?? '';
    expect(Number.isNaN(Date.parse(stamp))).toBe(false);
    expect(JSON.stringify(pinned.embeds)).not.toContain('UTC');

    // The story setup reply points at the next step with a mention too.
    const renamed = await slash(h.storyChannelId, h.adminId, 'story', 'setup', { title: 'Conventional' });
    expect(renamed.ephemeral).toBe(false);
  });

  it('the chapter card hints at /page start with a clickable mention, redrawn the same way when someone joins', async () => {
    const mention = `start pages here with </page start:${commandIds.get('page')}>`;
    expect(embedText(room.chapterCard(threadId))).toContain(mention);
    await room.join(threadId, room.newMember('latecomer'));
    expect(embedText(room.chapterCard(threadId))).toContain(mention);
    expect(embedText(room.chapterCard(threadId))).not.toContain('`/page');
  });

  it("a refusal's command hint is a clickable mention too, with its subcommand", async () => {
    const refused = await slash(h.storyChannelId, writer, 'page', 'start', { input: 'Not in a thread' });
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toBe(
      `Pages are started inside a chapter thread. Open one with </chapter start:${commandIds.get('chapter')}> in the story channel.`,
    );
  });

  it('deploy-commands registers the commands and prints the invite URL with the exact permission integer', async () => {
    // Asynchronously: the emulator it talks to runs in this process.
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/deploy-commands.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...h.env },
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/Could not register/);
    expect(run.stdout).toMatch(/Registered 7 slash commands/);
    const url = new URL(/https:\/\/discord\.com\/oauth2\/authorize\S+/.exec(run.stdout)?.[0] ?? 'http://missing');
    expect(url.searchParams.get('client_id')).toBe(h.env.DISCORD_APPLICATION_ID);
    expect(url.searchParams.get('scope')).toBe('bot applications.commands');
    expect(BigInt(url.searchParams.get('permissions') ?? '0')).toBe(INVITE_PERMISSIONS);
    for (const needed of [
      PermissionFlagsBits.CreatePublicThreads,
      PermissionFlagsBits.SendMessagesInThreads,
      PermissionFlagsBits.EmbedLinks,
      PermissionFlagsBits.PinMessages,
    ]) {
      expect(INVITE_PERMISSIONS & needed).toBe(needed);
    }
    expect(INVITE_PERMISSIONS & PermissionFlagsBits.Administrator).toBe(0n);
  });
});
