import { EmbedBuilder, LabelBuilder, ModalBuilder, SlashCommandBuilder, TextInputBuilder } from '@discordjs/builders';
import { readAttachmentText } from '../src/discord/attachment-text.js';
import { ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits, TextInputStyle } from 'discord.js';
import { BIBLE_FIELDS, encodeCustomId } from '../src/views/custom-id.js';
import type { Reply } from '../src/discord/reply.js';
import { BIBLE_ENTRY_TYPES, type BibleEntryType } from '../src/domain/bible-entry.js';
import { fitText, LIMITS } from '../src/views/message-parts.js';
import { ephemeral } from '../src/discord/reply.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { readText } from '../src/discord/text-input.js';
import {
  addBibleEntry,
  BIBLE_EDIT_REFUSAL,
  describeAddedEntry,
  getBibleEntry,
  listBible,
  parseKeywords,
  removeBibleEntry,
} from '../src/services/bible-service.js';
import { findStoryHere } from '../src/services/story-lookup.js';
import { UserError } from '../src/services/user-error.js';
import { suggestBibleTitles } from '../src/services/autocomplete-service.js';
import { listStoryReferences } from '../src/services/reference-service.js';
import { bibleImageCommand, imageSubcommand } from './bible/image.js';

const TEXT_MAX = 6_000;
/** Discord's limit for a text input in a form. */
const FORM_TEXT_MAX = 4_000;
const FILE_MAX_BYTES = 200_000;

export const data = new SlashCommandBuilder()
  .setName('bible')
  .setDescription('The story bible: characters, places, rules and style the agents follow')
  // Guild-only: installed to servers, used in their channels (never in DMs).
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addSubcommand((sub) =>
    sub
      .setName('add')
      .setDescription('Add or replace an entry (Manage Server): text, a .md/.txt file, or neither to type it in a form')
      .addStringOption((o) =>
        o.setName('title').setDescription('Entry title, e.g. Kai').setRequired(true).setMinLength(1).setMaxLength(100),
      )
      .addStringOption((o) =>
        o
          .setName('type')
          .setDescription('What it is')
          .setRequired(true)
          .addChoices(...BIBLE_ENTRY_TYPES.map((t) => ({ name: t, value: t }))),
      )
      .addStringOption((o) => o.setName('text').setDescription('The entry, if short').setMaxLength(TEXT_MAX))
      .addAttachmentOption((o) => o.setName('file').setDescription('A Markdown or text file with the entry'))
      .addStringOption((o) => o.setName('keywords').setDescription('Comma-separated words that call it into a prompt').setMaxLength(300))
      .addIntegerOption((o) =>
        o.setName('priority').setDescription('Higher comes first when the budget is tight').setMinValue(-100).setMaxValue(100),
      )
      .addBooleanOption((o) => o.setName('always').setDescription('In every prompt, whatever the page is about')),
  )
  .addSubcommand((sub) => sub.setName('list').setDescription('List the entries'))
  .addSubcommand(imageSubcommand)
  .addSubcommand((sub) =>
    sub
      .setName('show')
      .setDescription('Show one entry')
      .addStringOption((o) => o.setName('title').setDescription('Entry title').setRequired(true).setMaxLength(100).setAutocomplete(true)),
  )
  .addSubcommand((sub) =>
    sub
      .setName('remove')
      .setDescription('Take an entry out of prompts (Manage Server); its text is kept as history')
      .addStringOption((o) => o.setName('title').setDescription('Entry title').setRequired(true).setMaxLength(100).setAutocomplete(true)),
  );

export const bible: SlashCommand = {
  data,
  // /bible add with neither text nor a file answers with a form to type the entry in.
  deferAs: (interaction) =>
    interaction.options.getSubcommand(false) === 'add' && !interaction.options.get('text') && !interaction.options.get('file')
      ? 'modal'
      : 'ephemeral',
  autocomplete(context, interaction) {
    return suggestBibleTitles(
      context.db,
      { guildId: interaction.guildId, channelId: interaction.channelId },
      interaction.options.getFocused(),
    );
  },
  async execute(context, interaction) {
    const story = await findStoryHere(context.db, { guildId: interaction.guildId, channelId: interaction.channelId });
    const sub = interaction.options.getSubcommand();
    const mayEdit = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
    if ((sub === 'add' || sub === 'remove' || sub === 'image') && !mayEdit) return ephemeral(BIBLE_EDIT_REFUSAL);
    if (sub === 'image') return bibleImageCommand(context, interaction, story.id);

    if (sub === 'list') {
      const entries = await listBible(context.db, story.id);
      if (entries.length === 0) return ephemeral(`The bible is empty. Add entries with ${context.mentions.mention('bible add')}.`);
      const lines = entries.map(
        (e) =>
          `**${e.title}** · ${e.ref_type}${e.always_include ? ' · always' : ''}${e.priority ? ` · priority ${e.priority}` : ''}${e.keywords.length ? ` · ${e.keywords.join(', ')}` : ''} · ${e.token_count} tokens`,
      );
      const embed = new EmbedBuilder()
        .setTitle(fitText(`Bible of ${story.title} (${entries.length})`, LIMITS.embedTitle))
        .setDescription(fitText(lines.join('\n'), LIMITS.embedDescription));
      return { type: 'message', ephemeral: true, body: { embeds: [embed.toJSON()] } };
    }
    if (sub === 'show') {
      const entry = await getBibleEntry(
        context.db,
        story.id,
        readText(interaction.options.getString('title', true), { label: 'The title', max: 100 }),
      );
      const embed = new EmbedBuilder()
        .setTitle(fitText(`${entry.title} · ${entry.ref_type}`, LIMITS.embedTitle))
        .setDescription(fitText(entry.body, LIMITS.embedDescription));
      const references = (await listStoryReferences(context.db, story.id)).find((group) => group.name === entry.title)?.references ?? [];
      if (references.length > 0)
        embed.addFields({
          name: `Reference images (${references.length})`,
          value: fitText(references.map((r, i) => describeReference(r, i)).join('\n'), 1024),
        });
      return { type: 'message', ephemeral: true, body: { embeds: [embed.toJSON()] } };
    }
    if (sub === 'remove') {
      const entry = await removeBibleEntry(
        context.db,
        story.id,
        readText(interaction.options.getString('title', true), { label: 'The title', max: 100 }),
      );
      return ephemeral(`Removed **${entry.title}** from the bible. Its text is kept in the story's history.`);
    }

    const title = readText(interaction.options.getString('title', true), { label: 'The title', max: 100 });
    const type = interaction.options.getString('type', true) as BibleEntryType;
    if (!BIBLE_ENTRY_TYPES.includes(type)) throw new UserError('Choose one of the listed types.');
    const attachment = interaction.options.getAttachment('file');
    const text = interaction.options.getString('text');
    if (!attachment && !text)
      return bibleForm(
        title,
        type,
        interaction.options.getString('keywords'),
        interaction.options.getInteger('priority') ?? 0,
        interaction.options.getBoolean('always') ?? false,
      );
    const body = readText(
      attachment
        ? await readAttachmentText(attachment, { maxBytes: FILE_MAX_BYTES, allowedOrigins: context.config.discord.attachmentOrigins })
        : text,
      {
        label: 'The entry',
        max: attachment ? FILE_MAX_BYTES : TEXT_MAX,
      },
    );
    const { entry, replaced } = await addBibleEntry(context.db, story.id, {
      title,
      type,
      body,
      keywords: parseKeywords(interaction.options.getString('keywords')),
      priority: interaction.options.getInteger('priority') ?? 0,
      alwaysInclude: interaction.options.getBoolean('always') ?? false,
      userId: interaction.user.id,
    });
    return ephemeral(describeAddedEntry(entry, replaced));
  },
};

/** "1. upload by <@123> on 6 Dec 2026 · a1b2c3d4 (drawn with)": one line of /bible show's references. */
function describeReference(reference: { source: string; added_by: string; created_at: Date; image_hash: string }, index: number): string {
  const day = reference.created_at.toISOString().slice(0, 10);
  const from = reference.source === 'panel' ? 'from a panel' : 'uploaded';
  return `${index + 1}. ${from} by <@${reference.added_by}> on ${day} · \`${reference.image_hash.slice(0, 8)}\`${index === 0 ? ' · drawn with' : ''}`;
}

/** The form /bible add opens when neither text nor a file is given; its submission is handled with the other components. */
function bibleForm(title: string, type: BibleEntryType, keywords: string | null, priority: number, always: boolean): Reply {
  const input = (id: string, label: string, style: TextInputStyle, max: number, required: boolean, value: string | null) => {
    const field = new TextInputBuilder().setCustomId(id).setStyle(style).setMaxLength(max).setRequired(required);
    if (value) field.setValue(value);
    return new LabelBuilder().setLabel(label).setTextInputComponent(field);
  };
  const modal = new ModalBuilder()
    .setCustomId(
      encodeCustomId({
        action: 'bibleentry',
        typeIndex: BIBLE_ENTRY_TYPES.indexOf(type),
        priorityPlus100: priority + 100,
        always: always ? 1 : 0,
      }),
    )
    .setTitle(`New ${type} for the story bible`)
    .addLabelComponents(
      input(BIBLE_FIELDS.title, 'Title', TextInputStyle.Short, 100, true, title),
      input(BIBLE_FIELDS.keywords, 'Keywords (comma-separated, optional)', TextInputStyle.Short, 300, false, keywords),
      input(BIBLE_FIELDS.text, 'The entry', TextInputStyle.Paragraph, FORM_TEXT_MAX, true, null),
    );
  return { type: 'modal', modal: modal.toJSON() };
}
