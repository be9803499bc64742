import type { Db } from '../db/connection.js';
import type { DeadlineRule, Story, StoryUpdate } from '../db/database.js';
import { getStory, updateStory } from '../db/stories.js';
import { canonicalLanguage, isStoryPageFormat, STORY_PAGE_FORMATS } from '../domain/lettering-settings.js';
import { modelRefusal } from '../domain/model-allowlist.js';
import { isPanelShape, isPanelSize, PANEL_SHAPES, PANEL_SIZES } from '../domain/panel-size.js';
import type { PriceTable } from '../domain/pricing.js';
import { MAX_TAKES_SETTING, MIN_TAKES, parseTakesSetting } from '../domain/takes.js';
import { parseQuorumRule } from '../domain/voting.js';
import { UserError } from './user-error.js';

export interface SettingsChange {
  quorum: string | null;
  maxRevisions: number | null;
  /** Takes a round asks the model for (1–4). */
  takes?: number | null;
  narratorModel: string | null;
  dialogueModel: string | null;
  narrationWords: number | null;
  tone: string | null;
  /** 0 turns the reminder or the deadline off. */
  reminderMinutes: number | null;
  deadlineMinutes: number | null;
  deadlineRule: DeadlineRule | null;
  /** US dollars a month; 0 removes the budget. */
  monthlyBudgetUsd: number | null;
  /** The panels' picture shape and size; renders already queued keep theirs. */
  panelShape: string | null;
  panelSize: string | null;
  /** How pages are lettered: the page format and the text's language (BCP 47, 'none' to clear). */
  pageFormat?: string | null;
  language?: string | null;
}

/** Applies the settings given (the others stay as they are) and returns the story as it now is. */
export async function changeSettings(
  db: Db,
  storyId: number,
  change: SettingsChange,
  models: { allowed: readonly string[]; prices: PriceTable },
): Promise<Story> {
  const update: StoryUpdate = {};
  for (const chosen of [change.narratorModel, change.dialogueModel]) {
    const refusal = chosen === null || chosen === 'default' ? null : modelRefusal(chosen, models.allowed, models.prices);
    if (refusal) throw new UserError(refusal);
  }
  if (change.quorum !== null) {
    const rule = parseQuorumRule(change.quorum);
    if (!rule) throw new UserError('The quorum is "majority", "all", or a number of votes such as 2.');
    update.quorum = rule.kind === 'count' ? String(rule.count) : rule.kind;
  }
  if (change.maxRevisions !== null) update.max_revisions = change.maxRevisions;
  if (change.takes !== undefined && change.takes !== null) {
    const takes = parseTakesSetting(change.takes);
    if (takes === null) throw new UserError(`Takes is a whole number from ${MIN_TAKES} to ${MAX_TAKES_SETTING}.`);
    update.takes = takes;
  }
  if (change.narratorModel !== null) update.narrator_model = change.narratorModel === 'default' ? null : change.narratorModel;
  if (change.dialogueModel !== null) update.dialogue_model = change.dialogueModel === 'default' ? null : change.dialogueModel;
  if (change.narrationWords !== null) update.narration_words = change.narrationWords;
  if (change.tone !== null) update.tone_note = change.tone === 'none' ? null : change.tone;
  if (change.reminderMinutes !== null) update.reminder_minutes = change.reminderMinutes === 0 ? null : change.reminderMinutes;
  if (change.deadlineMinutes !== null) update.deadline_minutes = change.deadlineMinutes === 0 ? null : change.deadlineMinutes;
  if (change.deadlineRule !== null) update.deadline_rule = change.deadlineRule;
  if (change.monthlyBudgetUsd !== null) {
    if (!Number.isFinite(change.monthlyBudgetUsd) || change.monthlyBudgetUsd < 0)
      throw new UserError('The monthly budget is an amount in US dollars, such as 20, or 0 for none.');
    update.monthly_budget_usd = change.monthlyBudgetUsd === 0 ? null : Math.round(change.monthlyBudgetUsd * 100) / 100;
  }
  if (change.panelShape !== null) {
    if (!isPanelShape(change.panelShape)) throw new UserError(`The panel shape is one of ${PANEL_SHAPES.join(', ')}.`);
    update.panel_shape = change.panelShape;
  }
  if (change.panelSize !== null) {
    if (!isPanelSize(change.panelSize)) throw new UserError(`The panel size is one of ${PANEL_SIZES.join(', ')}.`);
    update.panel_size = change.panelSize;
  }
  if (change.pageFormat !== undefined && change.pageFormat !== null) {
    if (!isStoryPageFormat(change.pageFormat)) throw new UserError(`The page format is one of ${STORY_PAGE_FORMATS.join(', ')}.`);
    update.page_format = change.pageFormat;
  }
  if (change.language !== undefined && change.language !== null) {
    const language = canonicalLanguage(change.language);
    if (language === null) throw new UserError('The language is a language tag such as en, ja, ar or pt-BR ("none" to clear).');
    update.language = language;
  }
  if (Object.keys(update).length > 0) return updateStory(db, storyId, update);
  const story = await getStory(db, storyId);
  if (!story) throw new Error(`story ${storyId} not found`);
  return story;
}
