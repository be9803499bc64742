import { ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import { EmbedBuilder, SlashCommandBuilder } from '@discordjs/builders';
import type { SlashCommand } from '../src/discord/slash-command.js';
import { fitText, LIMITS } from '../src/views/message-parts.js';
import { findStoryHere } from '../src/services/story-lookup.js';
import { getBudgetStatus, isBudgetSpent } from '../src/services/budget-service.js';
import { summariseUsage, type UsageLine } from '../src/services/usage-service.js';

export const data = new SlashCommandBuilder()
  .setName('usage')
  .setDescription('Tokens, cached tokens and estimated cost of this story, per chapter, agent and day')
  // Guild-only: installed to servers, used in their channels (never in DMs).
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);

const number = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${number(n)} ${word}${n === 1 ? '' : 's'}`;
const tokens = (line: UsageLine) =>
  `${number(line.promptTokens)} in (${Math.round(line.cacheShare * 100)}% cached) · ${number(line.completionTokens)} out · $${line.cost.toFixed(4)}`;
const describe = (line: UsageLine) => `${tokens(line)} · ${plural(line.calls, 'request')}`;
// A take's line: how many takes, and how many of them were a request of their own (not one of `n` choices).
const describeTake = (line: UsageLine) =>
  `${tokens(line)} · ${plural(line.rows, 'take')}${line.rows === line.calls ? '' : `, ${number(line.rows - line.calls)} in a request shared with an earlier take`}`;
const field = (lines: UsageLine[], describeLine = describe) =>
  fitText(lines.map((line) => `**${line.label}**: ${describeLine(line)}`).join('\n') || 'None yet.', LIMITS.fieldValue);

export const usage: SlashCommand = {
  data,
  deferAs: 'ephemeral',
  async execute(context, interaction) {
    const story = await findStoryHere(context.db, { guildId: interaction.guildId, channelId: interaction.channelId });
    const report = await summariseUsage(context.db, story.id, context.config.prices);
    const budget = await getBudgetStatus(context.db, story.id, context.config.prices);
    const month =
      budget.budgetUsd === null
        ? `This month: $${budget.spentUsd.toFixed(4)} (no monthly budget).`
        : `This month: $${budget.spentUsd.toFixed(4)} of the $${budget.budgetUsd.toFixed(2)} budget${isBudgetSpent(budget) ? ' — spent: new drafts wait until it is raised or the month turns' : ''}.`;
    const embed = new EmbedBuilder()
      .setTitle(fitText(`Usage of ${story.title}, last 30 days`, LIMITS.embedTitle))
      .setDescription(`${describe(report.total)}\n${month}\nCosts are estimates from the price table (MODEL_PRICES).`)
      .addFields(
        { name: 'By chapter', value: field(report.byChapter) },
        { name: 'By agent', value: field(report.byAgent) },
        { name: 'By day', value: field(report.byDay) },
      );
    // Drafts written as takes: with `n` one request writes them all and its prompt is read once, counted on take A.
    if (report.byTake.length > 0)
      embed.addFields({
        name: 'By take (one request with n writes several takes; its prompt is counted on take A)',
        value: field(report.byTake, describeTake),
      });
    return { type: 'message', ephemeral: true, body: { embeds: [embed.toJSON()] } };
  },
};
