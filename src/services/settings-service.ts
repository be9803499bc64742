import type { Db } from '../db/connection.js';
import type { Story, StoryUpdate } from '../db/database.js';
import { parseQuorumRule } from '../domain/voting.js';
import { UserError } from './user-error.js';

export interface SettingsChange {
  quorum: string | null;
  maxRevisions: number | null;
  narratorModel: string | null;
  dialogueModel: string | null;
  narrationWords: number | null;
  tone: string | null;
}

/** Applies the settings given (the others stay as they are) and returns the story as it now is. */
export async function changeSettings(db: Db, storyId: number, change: SettingsChange): Promise<Story> {
  const update: StoryUpdate = {};
  if (change.quorum !== null) {
    const rule = parseQuorumRule(change.quorum);
    if (!rule) throw new UserError('The quorum is "majority", "all", or a number of votes such as 2.');
    update.quorum = rule.kind === 'count' ? String(rule.count) : rule.kind;
  }
  if (change.maxRevisions !== null) update.max_revisions = change.maxRevisions;
  if (change.narratorModel !== null) update.narrator_model = change.narratorModel === 'default' ? null : change.narratorModel;
  if (change.dialogueModel !== null) update.dialogue_model = change.dialogueModel === 'default' ? null : change.dialogueModel;
  if (change.narrationWords !== null) update.narration_words = change.narrationWords;
  if (change.tone !== null) update.tone_note = change.tone === 'none' ? null : change.tone;
  if (Object.keys(update).length === 0) return db.selectFrom('stories').selectAll().where('id', '=', storyId).executeTakeFirstOrThrow();
  return db.updateTable('stories').set(update).where('id', '=', storyId).returningAll().executeTakeFirstOrThrow();
}
