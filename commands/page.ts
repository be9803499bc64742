import { SlashCommandBuilder } from '@discordjs/builders';
import { findQueuePlace } from '../src/services/generation-slots.js';
import { recordStartedPageCard, startPage } from '../src/services/start-page.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { THREAD_WORK } from '../src/discord/bot-permissions.js';
import { describeQueuePlace, renderPageCard } from '../src/views/page-messages.js';
import { readText } from '../src/discord/text-input.js';
import { MAX_TAKES_PER_ROUND, parseTakeLetter, takeLetter } from '../src/domain/takes.js';
import { renderPageHistory } from '../src/views/page-history.js';
import { getPageHistory } from '../src/services/history-service.js';
import { ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import type { DraftKind } from '../src/domain/page-state-machine.js';
import { renderVersionDiff } from '../src/views/version-diff.js';
import { getTwoVersions, restoreVersion } from '../src/services/version-service.js';
import { UserError } from '../src/services/user-error.js';
import { suggestPageNumbers, suggestVersions } from '../src/services/autocomplete-service.js';
import { readAttachmentText } from '../src/discord/attachment-text.js';
import { saveEdit } from '../src/discord/edit-draft.js';
import { EDIT_LIMITS, openDraftOfPage } from '../src/services/edit-draft.js';

export const PAGE_INPUT_MAX = 1_000;
/** A page's draft is far shorter; the bound keeps a mistaken upload from being read whole. */
const EDIT_FILE_MAX_BYTES = 100_000;
const KIND_CHOICES = [
  { name: 'narration', value: 'narration' },
  { name: 'dialogue', value: 'dialogue' },
] as const;

/** A version's takes are addressed by letter ("v2 B"); a version of one take has only A. */
const TAKE_CHOICES = Array.from({ length: MAX_TAKES_PER_ROUND }, (_, take) => ({ name: takeLetter(take), value: takeLetter(take) }));

function readTake(value: string | null): number {
  if (value === null) return 0;
  const take = parseTakeLetter(value);
  if (take === null || take >= MAX_TAKES_PER_ROUND)
    throw new UserError(`A take is a letter from A to ${takeLetter(MAX_TAKES_PER_ROUND - 1)}.`);
  return take;
}

function readKind(value: string | null): DraftKind {
  if (value === null || value === 'narration') return 'narration';
  if (value === 'dialogue') return 'dialogue';
  throw new UserError('The kind is narration or dialogue.');
}

export const data = new SlashCommandBuilder()
  .setName('page')
  .setDescription('Pages of the chapter')
  // Guild-only: installed to servers, used in their channels (never in DMs).
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addSubcommand((sub) =>
    sub
      .setName('start')
      .setDescription('Start the next page from a short prompt (in a chapter thread)')
      .addStringOption((o) =>
        o.setName('input').setDescription('What happens on this page').setRequired(true).setMinLength(1).setMaxLength(PAGE_INPUT_MAX),
      )
      .addIntegerOption((o) =>
        o.setName('takes').setDescription('Takes of each draft to pick from (default: the story’s setting)').setMinValue(1).setMaxValue(4),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('history')
      .setDescription('Every version of a page with its votes, feedback and what its prompt used')
      .addIntegerOption((o) =>
        o.setName('page').setDescription('Page number (default: the latest)').setMinValue(1).setMaxValue(100_000).setAutocomplete(true),
      )
      .addIntegerOption((o) =>
        o
          .setName('skip')
          .setDescription('Leave out this many of the newest versions, to page back through a long history')
          .setMinValue(1)
          .setMaxValue(10_000),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('diff')
      .setDescription('What changed between two versions of a page, word by word')
      .addIntegerOption((o) =>
        o.setName('page').setDescription('Page number').setRequired(true).setMinValue(1).setMaxValue(100_000).setAutocomplete(true),
      )
      .addIntegerOption((o) =>
        o.setName('from').setDescription('The earlier version').setRequired(true).setMinValue(1).setMaxValue(10_000).setAutocomplete(true),
      )
      .addIntegerOption((o) =>
        o.setName('to').setDescription('The later version').setRequired(true).setMinValue(1).setMaxValue(10_000).setAutocomplete(true),
      )
      .addStringOption((o) =>
        o
          .setName('kind')
          .setDescription('Narration (default) or dialogue')
          .addChoices(...KIND_CHOICES),
      )
      .addStringOption((o) =>
        o
          .setName('from_take')
          .setDescription('The take of the earlier version, when it had several (default A)')
          .addChoices(...TAKE_CHOICES),
      )
      .addStringOption((o) =>
        o
          .setName('to_take')
          .setDescription('The take of the later version, when it had several (default A)')
          .addChoices(...TAKE_CHOICES),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('restore')
      .setDescription('Make an earlier version the current draft again and put it to a vote (chapter owners)')
      .addIntegerOption((o) =>
        o.setName('page').setDescription('Page number').setRequired(true).setMinValue(1).setMaxValue(100_000).setAutocomplete(true),
      )
      .addIntegerOption((o) =>
        o
          .setName('version')
          .setDescription('The version to bring back')
          .setRequired(true)
          .setMinValue(1)
          .setMaxValue(10_000)
          .setAutocomplete(true),
      )
      .addStringOption((o) =>
        o
          .setName('kind')
          .setDescription('Narration (default) or dialogue')
          .addChoices(...KIND_CHOICES),
      )
      .addStringOption((o) =>
        o
          .setName('take')
          .setDescription('The take to bring back, when that version had several (default A)')
          .addChoices(...TAKE_CHOICES),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('edit')
      .setDescription('Replace the draft up for a vote with your text from a file (for drafts too long for Edit)')
      .addIntegerOption((o) => o.setName('page').setDescription('Page number').setRequired(true).setMinValue(1).setMaxValue(100_000))
      .addAttachmentOption((o) =>
        o
          .setName('file')
          .setDescription(
            `Your draft as .txt or .md, up to ${EDIT_LIMITS.file.toLocaleString('en-US')} characters (dialogue: Panel 1, *caption*, SPEAKER: line)`,
          )
          .setRequired(true),
      ),
  );

export const page: SlashCommand = {
  data,
  // A started page and a restore are announced to the room; a history or a diff is for the one who asked.
  deferAs: (interaction) => (['start', 'restore'].includes(interaction.options.getSubcommand(false) ?? '') ? 'public' : 'ephemeral'),
  // Starting or restoring puts a draft up for a vote in the thread: the bot posts and edits there.
  botPermissions: (interaction) => (['start', 'restore'].includes(interaction.options.getSubcommand(false) ?? '') ? THREAD_WORK : 0n),
  autocomplete(context, interaction) {
    const place = { guildId: interaction.guildId, channelId: interaction.channelId };
    const focused = interaction.options.getFocused(true);
    if (focused.name === 'page') return suggestPageNumbers(context.db, place, focused.value);
    const kind = interaction.options.getString('kind') === 'dialogue' ? 'dialogue' : 'narration';
    return suggestVersions(context.db, place, { pageNumber: interaction.options.getInteger('page'), kind, typed: focused.value });
  },
  async execute(context, interaction) {
    const here = { guildId: interaction.guildId, channelId: interaction.channelId };
    switch (interaction.options.getSubcommand()) {
      case 'history': {
        const { page: found, versions } = await getPageHistory(context.db, here, interaction.options.getInteger('page'));
        return {
          type: 'message',
          ephemeral: true,
          body: { embeds: renderPageHistory(found, versions, interaction.options.getInteger('skip') ?? 0) },
        };
      }
      case 'diff': {
        const kind = readKind(interaction.options.getString('kind'));
        const pageNumber = interaction.options.getInteger('page', true);
        const from = { version: interaction.options.getInteger('from', true), take: readTake(interaction.options.getString('from_take')) };
        const to = { version: interaction.options.getInteger('to', true), take: readTake(interaction.options.getString('to_take')) };
        const versions = await getTwoVersions(context.db, here, pageNumber, kind, from, to);
        return {
          type: 'message',
          ephemeral: true,
          body: { embeds: [renderVersionDiff(pageNumber, versions.from, versions.to, context.mentions)] },
        };
      }
      case 'edit': {
        const place = { ...here, userId: interaction.user.id };
        const target = await openDraftOfPage(context.db, place, interaction.options.getInteger('page', true));
        const typed = await readAttachmentText(interaction.options.getAttachment('file', true), {
          maxBytes: EDIT_FILE_MAX_BYTES,
          allowedOrigins: context.config.discord.attachmentOrigins,
        });
        return saveEdit(context, place, target, typed, 'file');
      }
      case 'restore': {
        const kind = readKind(interaction.options.getString('kind'));
        const place = {
          ...here,
          userId: interaction.user.id,
          isAdmin: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
        };
        const source = { version: interaction.options.getInteger('version', true), take: readTake(interaction.options.getString('take')) };
        const restored = await restoreVersion(
          context.db,
          place,
          interaction.options.getInteger('page', true),
          kind,
          source,
          context.config.review,
        );
        return {
          type: 'message',
          ephemeral: false,
          body: {
            content: `↩️ <@${interaction.user.id}> restored page ${restored.page.number}'s ${kind} v${restored.restoredFrom.version}${restored.restoredFrom.take > 0 ? ` ${takeLetter(restored.restoredFrom.take)}` : ''} as v${restored.revision.version}: it is up for a vote again below.${restored.supersededRevisionId !== null ? ' The draft it replaces is kept as superseded.' : ''}`,
          },
        };
      }
    }
    const input = readText(interaction.options.getString('input', true), { label: 'The page input', max: PAGE_INPUT_MAX });
    const place = { guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id };
    const started = await startPage(context.db, place, input, context.config.limits, interaction.options.getInteger('takes'));
    const queuePlace = await findQueuePlace(context.db, started.page.id, context.config.limits.maxGenerationsPerGuild);
    const card = renderPageCard(
      started.page,
      queuePlace === null ? 'Queued: the narration will appear below as it is written.' : describeQueuePlace(queuePlace),
    );
    return {
      type: 'message',
      ephemeral: false,
      body: { embeds: card.embeds },
      afterSend: async (messageId) => {
        const recorded = await recordStartedPageCard(context.db, {
          channelId: interaction.channelId,
          messageId,
          chapterId: started.chapterId,
          pageId: started.page.id,
        });
        // Discord answered so slowly that the worker posted the page's card first: that one is kept.
        return recorded ? 'keep' : 'withdraw';
      },
    };
  },
};
