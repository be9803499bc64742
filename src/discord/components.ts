import { LabelBuilder, ModalBuilder, TextInputBuilder } from '@discordjs/builders';
import { PermissionFlagsBits, TextInputStyle, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { assertDraftOpenForVote, castVoteOrPick, type VoteOutcome } from '../services/cast-vote.js';
import { afterRoundVote, anotherTake, pickTake } from './take-round.js';
import { cancelGeneration, retryGeneration } from '../services/retry-generation.js';
import { ADVISORY_AGENTS, retryAdvisoryAgent } from '../services/retry-advisory.js';
import { joinChapter } from '../services/story-service.js';
import { renderSettingsOf, rerollPanel } from '../services/panel-renders.js';
import { approvePanelSet } from '../services/approve-panels.js';
import { retryFailedPanels } from '../services/retry-panels.js';
import { panelsHeading, summarisePanels } from '../views/panels-message.js';
import { getChapter } from '../db/chapters.js';
import type { HandlerContext } from './context.js';
import { BIBLE_FIELDS, decodeCustomId, EDIT_FIELD, encodeCustomId, FEEDBACK_FIELD, PROMPT_FIELD } from './custom-id.js';
import { changePanelPrompt, panelPromptToChange, PROMPT_FORM_MAX, type PromptToChange } from '../services/change-panel-prompt.js';
import { editableText, editForm, saveEdit } from './edit-draft.js';
import { draftToEdit, EDIT_FORM_MAX } from '../services/edit-draft.js';
import { addBibleEntry, BIBLE_EDIT_REFUSAL, describeAddedEntry, parseKeywords } from '../services/bible-service.js';
import { BIBLE_ENTRY_TYPES } from '../domain/bible-entry.js';
import { findStoryHere } from '../services/story-lookup.js';
import { renderChapterCard } from '../views/chapter-card.js';
import { draftViewOf, renderDraftMessage, renderFailureMessage } from '../views/page-messages.js';
import { ephemeral, type Reply } from './reply.js';
import { readText } from './text-input.js';

export const FEEDBACK_MAX = 1_500;

/** Buttons and modals: the custom_id is decoded (and checked) once, then one domain service is called. */
export async function handleComponent(context: HandlerContext, interaction: ButtonInteraction | ModalSubmitInteraction): Promise<Reply> {
  const data = decodeCustomId(interaction.customId);
  if (!data) return ephemeral('That button is not one storyroom understands (it may be from an older version). Nothing was changed.');
  const place = { guildId: interaction.guildId ?? '', channelId: interaction.channelId ?? '', userId: interaction.user.id };

  switch (data.action) {
    case 'approve': {
      const cast = await castVoteOrPick(context.db, place, data, 'approve', null);
      if (cast.kind === 'round') return afterRoundVote(context, cast.outcome, data.revisionId);
      afterVote(context, cast.outcome);
      return voteReply(cast.outcome, 'Approve');
    }
    case 'pick':
      return pickTake(context, place, data);
    case 'another':
      return anotherTake(context, place, data);
    case 'revise': {
      const { page, revision } = await assertDraftOpenForVote(context.db, place, data);
      const modal = new ModalBuilder()
        .setCustomId(encodeCustomId({ action: 'feedback', pageId: data.pageId, revisionId: data.revisionId }))
        .setTitle(`Revise page ${page.number} ${revision.kind} v${revision.version}`.slice(0, 45))
        .addLabelComponents(
          new LabelBuilder()
            .setLabel('What should change?')
            .setTextInputComponent(
              new TextInputBuilder()
                .setCustomId(FEEDBACK_FIELD)
                .setStyle(TextInputStyle.Paragraph)
                .setPlaceholder('e.g. Slow the reveal down; Kai would not know the Mark yet.')
                .setMinLength(1)
                .setMaxLength(FEEDBACK_MAX)
                .setRequired(true),
            ),
        );
      return { type: 'modal', modal: modal.toJSON() };
    }
    case 'feedback': {
      if (!interaction.isModalSubmit()) return ephemeral('That button is not one storyroom understands. Nothing was changed.');
      const field = interaction.fields.fields.find((f) => f.customId === FEEDBACK_FIELD);
      const feedback = readText(field && 'value' in field ? field.value : '', { label: 'Your feedback', max: FEEDBACK_MAX });
      const cast = await castVoteOrPick(context.db, place, data, 'revise', feedback);
      if (cast.kind === 'round') return afterRoundVote(context, cast.outcome, data.revisionId);
      afterVote(context, cast.outcome);
      return voteReply(cast.outcome, 'Revise');
    }
    case 'edit': {
      const { page, revision } = await draftToEdit(context.db, place, data);
      const text = editableText(revision);
      if (text.length > EDIT_FORM_MAX) {
        return ephemeral(
          `This draft is ${text.length} characters, more than a form holds (${EDIT_FORM_MAX}). Download it, edit it and send it back with ${context.mentions.mention('page edit')} (page ${page.number}, with the file).`,
        );
      }
      return { type: 'modal', modal: editForm(page.number, revision, text).toJSON() };
    }
    case 'editsave': {
      if (!interaction.isModalSubmit()) return ephemeral('That button is not one storyroom understands. Nothing was changed.');
      const field = interaction.fields.fields.find((f) => f.customId === EDIT_FIELD);
      const typed = field && 'value' in field && typeof field.value === 'string' ? field.value : '';
      return saveEdit(context, place, data, typed);
    }
    case 'join': {
      const joined = await joinChapter(context.db, place, data.chapterId);
      if (!joined.joined) return ephemeral(`You are already a co-writer of ${joined.chapterTitle}.`);
      context.refreshProgress(data.chapterId);
      const chapter = await getChapter(context.db, data.chapterId);
      if (!chapter) return ephemeral(`You joined ${joined.chapterTitle}.`);
      return {
        type: 'update',
        body: renderChapterCard({ id: chapter.id, number: chapter.number, title: chapter.title, storyTitle: chapter.story_title, coWriters: joined.coWriters }, context.mentions),
        note: `You joined **${joined.chapterTitle}** as a co-writer. Start a page with ${context.mentions.mention('page start')}, and vote on drafts here.`,
      };
    }
    case 'retry': {
      const applied = await retryGeneration(context.db, place, data, context.config.limits);
      context.kickRelay(applied.queued);
      context.refreshProgress(applied.page.chapter_id);
      const body = renderFailureMessage(applied.page, applied.page.stage, 'Retry requested: a fresh draft is being written below.');
      return { type: 'update', body: { embeds: body.embeds, components: [] } };
    }
    case 'bibleentry': {
      if (!interaction.isModalSubmit()) return ephemeral('That button is not one storyroom understands. Nothing was changed.');
      if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return ephemeral(BIBLE_EDIT_REFUSAL);
      const story = await findStoryHere(context.db, place);
      const field = (id: string): string => {
        const found = interaction.fields.fields.find((f) => f.customId === id);
        return found && 'value' in found && typeof found.value === 'string' ? found.value : '';
      };
      const type = BIBLE_ENTRY_TYPES[data.typeIndex];
      if (!type) return ephemeral('That form is not one storyroom understands. Nothing was changed.');
      const { entry, replaced } = await addBibleEntry(context.db, story.id, {
        title: readText(field(BIBLE_FIELDS.title), { label: 'The title', max: 100 }),
        type,
        body: readText(field(BIBLE_FIELDS.text), { label: 'The entry', max: 4_000 }),
        keywords: parseKeywords(field(BIBLE_FIELDS.keywords)),
        priority: data.priorityPlus100 - 100,
        alwaysInclude: data.always === 1,
        userId: interaction.user.id,
      });
      return ephemeral(describeAddedEntry(entry, replaced));
    }
    case 'reroll': {
      const rerolled = await rerollPanel(context.db, place, data.panelId, renderSettingsOf(context.config.render), context.config.prices);
      context.kickRelay(rerolled.queued);
      return ephemeral(`Panel ${rerolled.panelNumber} is being drawn again with a new seed; the earlier render is kept.`);
    }
    case 'prompt': {
      const current = await panelPromptToChange(context.db, place, data.panelId, renderSettingsOf(context.config.render));
      if (current.prompt.length > PROMPT_FORM_MAX) return ephemeral(`Panel ${current.panelNumber}'s prompt is longer than a form holds (${PROMPT_FORM_MAX} characters). Nothing was changed.`);
      return { type: 'modal', modal: panelPromptForm(data.panelId, current).toJSON() };
    }
    case 'promptsave': {
      if (!interaction.isModalSubmit()) return ephemeral('That button is not one storyroom understands. Nothing was changed.');
      const field = interaction.fields.fields.find((f) => f.customId === PROMPT_FIELD);
      const prompt = readText(field && 'value' in field ? field.value : '', { label: 'The prompt', max: PROMPT_FORM_MAX }).replace(/\s+/g, ' ');
      const changed = await changePanelPrompt(context.db, place, data, prompt, renderSettingsOf(context.config.render), context.config.prices);
      context.kickRelay(changed.queued);
      return ephemeral(`Panel ${changed.panelNumber} is being drawn again with your prompt; the earlier prompt and render are kept.`);
    }
    case 'panelsok': {
      const voted = await approvePanelSet(context.db, place, { pageId: data.pageId, setVersion: data.setVersion });
      context.kickRelay(voted.queued);
      // Only the text changes (every panel is drawn when a vote counts); the worker redraws an approved set.
      const status = summarisePanels(Array.from({ length: voted.panelCount }, (_, i) => ({ panelNumber: i + 1, render: { status: 'done' as const } })), voted.state);
      return {
        type: 'update',
        body: { content: panelsHeading({ number: voted.pageNumber }, status), ...(voted.decided ? { components: [] } : {}) },
        note: voted.decided ? `Your approval decided it: page ${voted.pageNumber}'s panels are approved and final.` : `Your approval is counted (${voted.state.tally.approvals} of ${voted.state.tally.required} needed).`,
      };
    }
    case 'panelsretry': {
      const retried = await retryFailedPanels(context.db, place, data, renderSettingsOf(context.config.render), context.config.prices);
      context.kickRelay(retried.queued);
      const which = retried.panelNumbers.length === 1 ? `Panel ${retried.panelNumbers[0]} is` : `Panels ${retried.panelNumbers.join(', ')} are`;
      return ephemeral(`${which} being drawn again with the same prompt and seed.`);
    }
    case 'advisoryretry': {
      const agent = ADVISORY_AGENTS[data.agentIndex];
      if (!agent) return ephemeral('That button is not one storyroom understands. Nothing was changed.');
      const retried = await retryAdvisoryAgent(context.db, place, { agent, pageId: data.pageId, revisionId: data.revisionId, round: data.round });
      context.kickRelay(retried.queued);
      return { type: 'update', body: { content: `${interaction.message?.content ?? ''}\n↻ <@${place.userId}> asked for another try.`.slice(0, 2000), components: [] } };
    }
    case 'cancel': {
      const applied = await cancelGeneration(context.db, place, data);
      context.refreshProgress(applied.page.chapter_id);
      const body = renderFailureMessage(applied.page, applied.page.stage, `Cancelled by <@${place.userId}>.`);
      return { type: 'update', body: { embeds: body.embeds, components: body.components } };
    }
  }
}

/** The Change prompt form: the panel's current prompt, ready to edit. */
function panelPromptForm(panelId: number, current: PromptToChange): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(encodeCustomId({ action: 'promptsave', panelId, renderId: current.renderId }))
    .setTitle(`Page ${current.pageNumber} · panel ${current.panelNumber} prompt`.slice(0, 45))
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('What the image shows')
        .setTextInputComponent(
          new TextInputBuilder().setCustomId(PROMPT_FIELD).setStyle(TextInputStyle.Paragraph).setValue(current.prompt).setMinLength(1).setMaxLength(PROMPT_FORM_MAX).setRequired(true),
        ),
    );
}

function afterVote(context: HandlerContext, outcome: VoteOutcome): void {
  if (outcome.queued.length > 0) context.kickRelay(outcome.queued);
  if (outcome.reviewJobsPending) context.cancelReviewJobs(outcome.revision.id);
  context.refreshProgress(outcome.page.chapter_id);
}

function voteReply(outcome: VoteOutcome, label: 'Approve' | 'Revise'): Reply {
  const view = draftViewOf(outcome.page.number, outcome.revision);
  const phase =
    outcome.decision === 'open'
      ? { phase: 'open' as const, tally: outcome.tally }
      : { phase: outcome.decision, tally: outcome.tally };
  const body = renderDraftMessage(view, phase);
  const note = outcome.changed ? `You changed your vote to ${label}.` : undefined;
  return { type: 'update', body: { embeds: body.embeds, components: body.components }, ...(note ? { note } : {}) };
}
