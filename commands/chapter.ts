import { EmbedBuilder, SlashCommandBuilder } from '@discordjs/builders';
import {
  ApplicationIntegrationType,
  InteractionContextType,
  ChannelType,
  PermissionFlagsBits,
  ThreadAutoArchiveDuration,
} from 'discord.js';
import {
  abandonChapter,
  attachChapterThread,
  createChapter,
  joinChapter,
  recordChapterCard,
  requireStoryRoom,
} from '../src/services/story-service.js';
import { missingPermissionRefusal } from '../src/discord/permission-refusal.js';
import { reopenChapterCommand } from './chapter/reopen.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { CHAPTER_OPENING } from '../src/discord/bot-permissions.js';
import { renderChapterCard } from '../src/views/chapter-card.js';
import { fitText, LIMITS } from '../src/views/message-parts.js';
import { renderChapterProgressEmbed } from '../src/views/progress.js';
import { listMembers, ROLE_RIGHTS, setMemberRole } from '../src/services/member-service.js';
import {
  exportBaseName,
  exportChapterArchiveHere,
  loadChapterExport,
  type ArchiveFormat,
  type ChapterArchivePlan,
} from '../src/services/export-service.js';
import { chapterPdfCommand } from './chapter/export-pdf.js';
import { chapterToJson, chapterToMarkdown, type ExportChapter } from '../src/domain/chapter-export.js';
import { describeComicContents } from '../src/domain/comic-archive.js';
import { buildComfyWorkflow, DEFAULT_CHECKPOINT, describeExportReferences } from '../src/domain/comfyui-workflow.js';
import type { Reply } from '../src/discord/reply.js';
import { getChapterProgress } from '../src/services/progress-service.js';
import { ephemeral } from '../src/discord/reply.js';
import { readText } from '../src/discord/text-input.js';
import { UserError } from '../src/services/user-error.js';

export const data = new SlashCommandBuilder()
  .setName('chapter')
  .setDescription('Chapters of the story: each lives in its own thread')
  // Guild-only: installed to servers, used in their channels (never in DMs).
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addSubcommand((sub) =>
    sub
      .setName('start')
      .setDescription('Open the next chapter in a new thread')
      .addStringOption((o) => o.setName('title').setDescription('The chapter’s title').setRequired(true).setMinLength(1).setMaxLength(90)),
  )
  .addSubcommand((sub) =>
    sub
      .setName('reopen')
      .setDescription('Open a chapter marked as needing attention again (owners, Manage Server)')
      .addIntegerOption((o) =>
        o.setName('number').setDescription('From the story channel: the chapter’s number (when its thread is gone)').setMinValue(1),
      ),
  )
  .addSubcommand((sub) => sub.setName('join').setDescription('Become a co-writer of this chapter (run it in the chapter thread)'))
  .addSubcommand((sub) => sub.setName('progress').setDescription('Each page’s state, versions and the votes still to come'))
  .addSubcommand((sub) =>
    sub
      .setName('members')
      .setDescription('List the chapter’s members and roles; owners can give someone a role or remove them')
      .addUserOption((o) => o.setName('user').setDescription('The member to change (leave out to list everyone)'))
      .addStringOption((o) =>
        o
          .setName('role')
          .setDescription('The role to give them, or remove')
          .addChoices(
            { name: 'owner', value: 'owner' },
            { name: 'writer', value: 'writer' },
            { name: 'viewer', value: 'viewer' },
            { name: 'remove from the chapter', value: 'remove' },
          ),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('export')
      .setDescription('The chapter as a file: Markdown, JSON, a comic book archive, or the panel prompts for ComfyUI')
      .addStringOption((o) =>
        o
          .setName('format')
          .setDescription('File format')
          .setRequired(true)
          .addChoices(
            { name: 'Markdown (zipped with the approved panels when there are some)', value: 'markdown' },
            { name: 'JSON', value: 'json' },
            { name: 'ComfyUI workflow (panel prompts)', value: 'comfyui' },
            { name: 'Comic book archive (CBZ: the approved panels)', value: 'cbz' },
            { name: 'PDF for print (one lettered page per PDF page)', value: 'pdf' },
          ),
      )
      .addStringOption((o) =>
        o.setName('checkpoint').setDescription(`ComfyUI only: the checkpoint file name (default ${DEFAULT_CHECKPOINT})`).setMaxLength(200),
      ),
  );

const ROLES = ['owner', 'writer', 'viewer', 'remove'] as const;
const EXPORT_FORMATS = ['markdown', 'json', 'comfyui', 'cbz', 'pdf'] as const;

const COMFY_DEFAULTS = { width: 1024, height: 1024, steps: 25, cfg: 7, seed: 1 } as const;

function describeExport(exported: ExportChapter): string {
  const approved = exported.pages.filter((p) => p.approved).length;
  return `${exported.pages.length} page${exported.pages.length === 1 ? '' : 's'}, ${approved} approved`;
}

/** Discord takes files up to 10 MiB from a bot in a server without boosts. */
const FILE_LIMIT_BYTES = 10 * 1024 * 1024;

function exportReply(name: string, text: string, content: string): Reply {
  const data = Buffer.from(text, 'utf8');
  if (data.length > FILE_LIMIT_BYTES) {
    throw new UserError(
      `The export is ${(data.length / 1024 / 1024).toFixed(1)} MiB, more than Discord takes (10 MiB). The HTTP API's /api/chapters/:id/pages and /api/pages/:id/history give the same data.`,
    );
  }
  return { type: 'message', ephemeral: true, body: { content, files: [{ name, data }] } };
}

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * A zipped export too large for Discord, refused before it was built: the web process's JSON API
 * serves the same file (streamed), to whoever has its token.
 */
function archiveTooLarge(format: ArchiveFormat, chapterId: number, bytes: number, publicUrl: string | null): UserError {
  const route = `/api/chapters/${chapterId}/export.${format === 'cbz' ? 'cbz' : 'zip'}`;
  const where = publicUrl ? `${publicUrl}${route}` : `<the web reader's address>${route}`;
  return new UserError(
    `The ${format === 'cbz' ? 'comic book archive' : 'zipped Markdown'} would be ${mebibytes(bytes)}, more than Discord takes from a bot here (10 MiB), so it was not built. ` +
      `Get it from the web process's JSON API, which sends it whole: \`curl -H "Authorization: Bearer $HTTP_API_TOKEN" -o chapter.${format === 'cbz' ? 'cbz' : 'zip'} ${where}\` (whoever runs this bot has the token). ` +
      'Here, `/chapter export format:json` gives the chapter’s text without its images.',
  );
}

/** A zipped export, attached (it fits: it was sized before it was built). */
function archiveReply(archive: ChapterArchivePlan, bytes: Buffer, format: ArchiveFormat): Reply {
  const missing =
    archive.pagesWithoutPanels.length > 0
      ? ` Pages ${archive.pagesWithoutPanels.join(', ')} have no approved panels yet${format === 'cbz' ? ' and are not in it' : ''}.`
      : '';
  const what =
    format === 'cbz'
      ? `Chapter ${archive.chapterNumber} as a comic book archive: ${describeComicContents(archive)} in reading order, with ComicInfo.xml.`
      : `Chapter ${archive.chapterNumber} as Markdown, zipped with ${archive.images} approved panel image${archive.images === 1 ? '' : 's'} beside it.`;
  return { type: 'message', ephemeral: true, body: { content: `${what}${missing}`, files: [{ name: archive.fileName, data: bytes }] } };
}

export const chapter: SlashCommand = {
  data,
  // Opening a chapter is announced to the room; joining is only the joiner's business.
  deferAs: (interaction) => (interaction.options.getSubcommand(false) === 'start' ? 'public' : 'ephemeral'),
  botPermissions: (interaction) => (interaction.options.getSubcommand(false) === 'start' ? CHAPTER_OPENING : 0n),
  async execute(context, interaction) {
    const place = { guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id };
    const isAdmin = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
    switch (interaction.options.getSubcommand()) {
      case 'reopen':
        return reopenChapterCommand(context, interaction, { ...place, isAdmin });
      case 'progress':
        return {
          type: 'message',
          ephemeral: true,
          body: { embeds: [renderChapterProgressEmbed(await getChapterProgress(context.db, place))] },
        };
      case 'members': {
        const user = interaction.options.getUser('user');
        const role = interaction.options.getString('role');
        if (user === null && role === null) {
          const { chapter: found, members } = await listMembers(context.db, place);
          const lines = members.map((m) => `<@${m.userId}> · **${m.role}**`);
          const embed = new EmbedBuilder()
            .setTitle(fitText(`Members of chapter ${found.number}: ${found.title}`, LIMITS.embedTitle))
            .setDescription(fitText(lines.join('\n') || 'Nobody yet.', LIMITS.embedDescription))
            .addFields(ROLES.filter((r) => r !== 'remove').map((r) => ({ name: r, value: ROLE_RIGHTS[r], inline: true })));
          return { type: 'message', ephemeral: true, body: { embeds: [embed.toJSON()] } };
        }
        if (user === null || role === null)
          throw new UserError('Give both a user and a role to change someone’s role (or neither, to list the members).');
        const chosen = ROLES.find((r) => r === role);
        if (!chosen) throw new UserError('The role is owner, writer, viewer, or remove.');
        const changed = await setMemberRole(context.db, { ...place, isAdmin }, { userId: user.id, isBot: user.bot }, chosen);
        const before = changed.previous ? ` (was ${changed.previous})` : '';
        const wasCoWriter = changed.previous === 'owner' || changed.previous === 'writer';
        const isCoWriter = chosen === 'owner' || chosen === 'writer';
        const votes =
          wasCoWriter && !isCoWriter
            ? ' Their votes on open drafts no longer count; votes on decided drafts stay in the history.'
            : !wasCoWriter && isCoWriter && changed.previous !== null
              ? ' Any votes of theirs on open drafts count again.'
              : '';
        return ephemeral(
          chosen === 'remove'
            ? `<@${user.id}> is no longer in **${changed.chapterTitle}**${before}.${votes}`
            : `<@${user.id}> is now ${chosen === 'owner' ? 'an' : 'a'} **${chosen}** of **${changed.chapterTitle}**${before}.${votes}`,
        );
      }
      case 'export': {
        const format = EXPORT_FORMATS.find((f) => f === interaction.options.getString('format', true));
        if (!format) throw new UserError('The format is markdown, json, comfyui, cbz or pdf.');
        if (format === 'pdf') return chapterPdfCommand(context, place, FILE_LIMIT_BYTES);
        if (format === 'cbz' || format === 'markdown') {
          const exported = await exportChapterArchiveHere(context.db, place, format, FILE_LIMIT_BYTES);
          if (exported && 'tooLarge' in exported)
            throw archiveTooLarge(format, exported.chapterId, exported.tooLarge, context.config.web.publicUrl);
          if (exported) return archiveReply(exported.archive, exported.bytes, format);
          if (format === 'cbz')
            throw new UserError(
              'No panels of this chapter are approved yet: a CBZ holds the panels the co-writers approved. Approve a page’s panels, then export again.',
            );
        }
        const exported = await loadChapterExport(context.db, place);
        const base = exportBaseName(exported.chapterNumber, exported.chapterTitle);
        if (format === 'markdown')
          return exportReply(
            `${base}.md`,
            chapterToMarkdown(exported),
            `Chapter ${exported.chapterNumber} as Markdown (${describeExport(exported)}).`,
          );
        if (format === 'json')
          return exportReply(
            `${base}.json`,
            chapterToJson(exported),
            `Chapter ${exported.chapterNumber} as JSON (${describeExport(exported)}).`,
          );
        const checkpoint = interaction.options.getString('checkpoint');
        const panels = exported.pages.flatMap((page) => page.panels.map((panel) => ({ page: page.number, panel })));
        if (panels.length === 0) {
          throw new UserError('No panel prompts yet: they are written when a page is approved. Approve a page, then export again.');
        }
        const workflow = buildComfyWorkflow(panels, {
          ...COMFY_DEFAULTS,
          checkpoint: checkpoint ? readText(checkpoint, { label: 'The checkpoint', max: 200 }) : DEFAULT_CHECKPOINT,
          filenamePrefix: base,
        });
        const missing = exported.pages.filter((page) => page.approved && page.panels.length === 0).map((page) => page.number);
        const references = describeExportReferences(panels.map(({ panel }) => panel));
        return exportReply(
          `${base}-comfyui.json`,
          JSON.stringify(workflow, null, 2),
          `${panels.length} panel prompt${panels.length === 1 ? '' : 's'} as a ComfyUI workflow (API format: load it in ComfyUI or POST it to /prompt). It expects the checkpoint \`${checkpoint ?? DEFAULT_CHECKPOINT}\`.${references}${missing.length > 0 ? ` Pages ${missing.join(', ')} have no panel prompts yet.` : ''}`,
        );
      }
    }
    if (interaction.options.getSubcommand() === 'join') {
      const joined = await joinChapter(context.db, place, null);
      return ephemeral(
        joined.joined
          ? `You joined **${joined.chapterTitle}** as a co-writer (${joined.coWriters} in all).`
          : `You are already a co-writer of **${joined.chapterTitle}**.`,
      );
    }

    const title = readText(interaction.options.getString('title', true), { label: 'The title', max: 90 });
    await requireStoryRoom(context.db, place);
    const channel = interaction.channel;
    if (!channel || channel.type !== ChannelType.GuildText) throw new UserError('Chapters are opened from the story’s text channel.');
    const { story, chapter: created } = await createChapter(context.db, place, title);
    // The chapter is only kept once its thread and card exist: a refusal takes it back (and its number).
    const giveUp = async (error: unknown, doing: string, permission: string): Promise<never> => {
      await abandonChapter(context.db, created.id);
      throw (
        missingPermissionRefusal(
          error,
          doing,
          permission,
          `No chapter was created; once a server admin grants it, run ${context.mentions.mention('chapter start')} again.`,
        ) ?? error
      );
    };
    const thread = await channel.threads
      .create({
        name: `Chapter ${created.number}: ${title}`.slice(0, 100),
        autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
        reason: `storyroom chapter ${created.number}`,
      })
      .catch((error: unknown) => giveUp(error, "open the chapter's thread", 'Create Public Threads'));
    const card = await thread
      .send({
        ...renderChapterCard({ id: created.id, number: created.number, title, storyTitle: story.title, coWriters: 1 }, context.mentions),
        allowedMentions: { parse: [] },
      })
      .catch(async (error: unknown) => {
        await thread.delete('storyroom: the chapter card could not be posted').catch(() => undefined);
        return giveUp(error, 'post the chapter card in its thread', 'Send Messages in Threads');
      });
    await attachChapterThread(context.db, created.id, thread.id);
    await recordChapterCard(context.db, created.id, thread.id, card.id);
    return {
      type: 'message',
      ephemeral: false,
      body: { content: `📖 **Chapter ${created.number}: ${title}** is open in <#${thread.id}>. Join there to write it together.` },
    };
  },
};
