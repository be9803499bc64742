import { EmbedBuilder, SlashCommandBuilder } from '@discordjs/builders';
import { ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { fitText } from '../src/views/message-parts.js';
import { ephemeral } from '../src/discord/reply.js';
import { readText } from '../src/discord/text-input.js';
import { changeSettings } from '../src/services/settings-service.js';
import { findStoryHere } from '../src/services/story-lookup.js';
import { getBudgetStatus } from '../src/services/budget-service.js';
import { UserError } from '../src/services/user-error.js';
import { suggestModels } from '../src/services/autocomplete-service.js';
import { STORY_PAGE_FORMAT_LABELS, STORY_PAGE_FORMATS } from '../src/domain/lettering-settings.js';
import { describePanelSize, PANEL_SHAPE_LABELS, PANEL_SHAPES, PANEL_SIZES } from '../src/domain/panel-size.js';

function parseDeadlineRule(value: string | null): 'approve_on_tie' | 'revise_on_tie' | null {
  if (value === null) return null;
  if (value === 'approve_on_tie' || value === 'revise_on_tie') return value;
  throw new UserError('The deadline rule is "approve on a tie" or "send back on a tie".');
}

export const data = new SlashCommandBuilder()
  .setName('settings')
  .setDescription('Show or change the story’s settings (Manage Server); with no options it shows them')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  // Guild-only: installed to servers, used in their channels (never in DMs).
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addStringOption((o) => o.setName('quorum').setDescription('Votes that decide a draft: majority, all, or a number').setMaxLength(10))
  .addIntegerOption((o) =>
    o.setName('takes').setDescription('Takes the model writes for each draft, to pick from (1–4)').setMinValue(1).setMaxValue(4),
  )
  .addIntegerOption((o) =>
    o.setName('max_revisions').setDescription('How many times a page may be sent back per draft kind').setMinValue(0).setMaxValue(50),
  )
  .addStringOption((o) =>
    o.setName('narrator_model').setDescription('Model for narration ("default" for the server’s)').setMaxLength(100).setAutocomplete(true),
  )
  .addStringOption((o) =>
    o.setName('dialogue_model').setDescription('Model for dialogue ("default" for the server’s)').setMaxLength(100).setAutocomplete(true),
  )
  .addIntegerOption((o) =>
    o.setName('narration_words').setDescription('Target length of a page’s narration').setMinValue(20).setMaxValue(800),
  )
  .addStringOption((o) => o.setName('tone').setDescription('A tone or style note for every prompt ("none" to clear)').setMaxLength(500))
  .addIntegerOption((o) =>
    o
      .setName('reminder_minutes')
      .setDescription('Remind co-writers who have not voted this long after a draft is posted (0: off)')
      .setMinValue(0)
      .setMaxValue(43_200),
  )
  .addIntegerOption((o) =>
    o
      .setName('deadline_minutes')
      .setDescription('Decide a draft by the votes cast this long after it is posted (0: off)')
      .setMinValue(0)
      .setMaxValue(43_200),
  )
  .addStringOption((o) =>
    o
      .setName('deadline_rule')
      .setDescription('At the deadline the side with more votes wins; on a tie (or no votes):')
      .addChoices({ name: 'approve on a tie', value: 'approve_on_tie' }, { name: 'send back on a tie', value: 'revise_on_tie' }),
  )
  .addNumberOption((o) =>
    o
      .setName('budget')
      .setDescription('Monthly budget in US dollars for this story’s drafts (0: none)')
      .setMinValue(0)
      .setMaxValue(100_000),
  )
  .addStringOption((o) =>
    o
      .setName('panel_shape')
      .setDescription('The shape of the panels’ pictures (new renders)')
      .addChoices(...PANEL_SHAPES.map((shape) => ({ name: PANEL_SHAPE_LABELS[shape], value: shape }))),
  )
  .addStringOption((o) =>
    o
      .setName('panel_size')
      .setDescription('The panels’ picture size: standard (about a megapixel) or small (quicker)')
      .addChoices(...PANEL_SIZES.map((size) => ({ name: size, value: size }))),
  )
  .addStringOption((o) =>
    o
      .setName('page_format')
      .setDescription('How lettered pages are laid out (pages lettered from then on)')
      .addChoices(...STORY_PAGE_FORMATS.map((format) => ({ name: STORY_PAGE_FORMAT_LABELS[format], value: format }))),
  )
  .addStringOption((o) =>
    o.setName('language').setDescription('Language of the story’s text for lettering, e.g. en, ja, ar ("none" to clear)').setMaxLength(35),
  );

export const settings: SlashCommand = {
  data,
  deferAs: 'ephemeral',
  autocomplete(context, interaction) {
    return Promise.resolve(suggestModels(context.config, interaction.options.getFocused()));
  },
  async execute(context, interaction) {
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      return ephemeral('Only members with the Manage Server permission can see or change the settings.');
    }
    const story = await findStoryHere(context.db, { guildId: interaction.guildId, channelId: interaction.channelId });
    const text = (name: string, max: number) => {
      const value = interaction.options.getString(name);
      return value === null ? null : readText(value, { label: `The ${name.replace('_', ' ')}`, max });
    };
    const updated = await changeSettings(
      context.db,
      story.id,
      {
        quorum: text('quorum', 10),
        maxRevisions: interaction.options.getInteger('max_revisions'),
        takes: interaction.options.getInteger('takes'),
        narratorModel: text('narrator_model', 100),
        dialogueModel: text('dialogue_model', 100),
        narrationWords: interaction.options.getInteger('narration_words'),
        tone: text('tone', 500),
        reminderMinutes: interaction.options.getInteger('reminder_minutes'),
        deadlineMinutes: interaction.options.getInteger('deadline_minutes'),
        deadlineRule: parseDeadlineRule(interaction.options.getString('deadline_rule')),
        monthlyBudgetUsd: interaction.options.getNumber('budget'),
        panelShape: interaction.options.getString('panel_shape'),
        panelSize: interaction.options.getString('panel_size'),
        pageFormat: interaction.options.getString('page_format'),
        language: text('language', 35),
      },
      { allowed: context.config.model.allowedModels, prices: context.config.prices },
    );
    const budget = await getBudgetStatus(context.db, story.id, context.config.prices);
    const minutes = (value: number | null) => (value === null ? 'off' : `${value} min`);
    const embed = new EmbedBuilder().setTitle(fitText(`Settings of ${updated.title}`, 256)).addFields(
      { name: 'Quorum', value: updated.quorum, inline: true },
      { name: 'Max revisions', value: String(updated.max_revisions), inline: true },
      { name: 'Takes', value: String(updated.takes), inline: true },
      { name: 'Narration words', value: String(updated.narration_words), inline: true },
      { name: 'Narrator model', value: updated.narrator_model ?? `${context.config.model.narratorModel} (default)`, inline: true },
      { name: 'Dialogue model', value: updated.dialogue_model ?? `${context.config.model.dialogueModel} (default)`, inline: true },
      { name: 'Reminder', value: minutes(updated.reminder_minutes), inline: true },
      {
        name: 'Deadline',
        value: `${minutes(updated.deadline_minutes)}${updated.deadline_minutes === null ? '' : updated.deadline_rule === 'approve_on_tie' ? ', a tie approves' : ', a tie sends back'}`,
        inline: true,
      },
      {
        name: 'Monthly budget',
        value:
          budget.budgetUsd === null
            ? `none ($${budget.spentUsd.toFixed(2)} spent this month)`
            : `$${budget.spentUsd.toFixed(2)} of $${budget.budgetUsd.toFixed(2)} spent this month`,
        inline: true,
      },
      {
        name: 'Panels',
        value: `${describePanelSize(updated.panel_shape, updated.panel_size)}${context.config.render ? '' : ' (rendering is off on this bot)'}`,
        inline: true,
      },
      {
        name: 'Lettering',
        value: `${STORY_PAGE_FORMAT_LABELS[updated.page_format]} · language ${updated.language === 'und' ? 'not set' : updated.language}`,
        inline: true,
      },
      { name: 'Tone', value: fitText(updated.tone_note ?? '(none)', 1024) },
    );
    return { type: 'message', ephemeral: true, body: { embeds: [embed.toJSON()] } };
  },
};
