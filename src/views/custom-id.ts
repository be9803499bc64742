import * as z from 'zod';
import { BIBLE_ENTRY_TYPES } from '../domain/bible-entry.js';

// The one place custom_ids are built and read. Self-describing (the bot keeps no memory of what it
// posted), short (Discord allows 100 characters), and checked with zod before any handler sees them.
const PREFIX = 'sr1';
const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const version = z.coerce.number().int().nonnegative().max(1_000_000_000);
const digits = /^\d{1,16}$/;

const ACTIONS = {
  approve: z.object({ action: z.literal('approve'), pageId: id, revisionId: id }),
  revise: z.object({ action: z.literal('revise'), pageId: id, revisionId: id }),
  feedback: z.object({ action: z.literal('feedback'), pageId: id, revisionId: id }),
  // Edit opens a form with the draft; the form's submission names the version it was made from.
  edit: z.object({ action: z.literal('edit'), pageId: id, revisionId: id }),
  editsave: z.object({ action: z.literal('editsave'), pageId: id, revisionId: id }),
  // A round of takes: Pick names the take's revision; Another take names any take of the open round.
  pick: z.object({ action: z.literal('pick'), pageId: id, revisionId: id }),
  another: z.object({ action: z.literal('another'), pageId: id, revisionId: id }),
  join: z.object({ action: z.literal('join'), chapterId: id }),
  retry: z.object({ action: z.literal('retry'), pageId: id, pageVersion: version }),
  cancel: z.object({ action: z.literal('cancel'), pageId: id, pageVersion: version }),
  // A new render of one panel (its panel_prompts row), with a new seed.
  reroll: z.object({ action: z.literal('reroll'), panelId: id }),
  // Change prompt opens a form with the panel's prompt; its submission names the render it was opened on.
  prompt: z.object({ action: z.literal('prompt'), panelId: id }),
  promptsave: z.object({ action: z.literal('promptsave'), panelId: id, renderId: id }),
  // Approve for a page's set of panels, as drawn at that version (the highest render id).
  panelsok: z.object({ action: z.literal('panelsok'), pageId: id, setVersion: id }),
  // Retry for the set's failed panels, as drawn at that version.
  panelsretry: z.object({ action: z.literal('panelsretry'), pageId: id, setVersion: id }),
  // Use as reference: opens a form (panel number, character) for a page's drawn panels; its submission.
  useref: z.object({ action: z.literal('useref'), pageId: id }),
  userefsave: z.object({ action: z.literal('userefsave'), pageId: id }),
  // A lettered page's version (its lettered_pages row): approve it, or letter the page again.
  letterok: z.object({ action: z.literal('letterok'), letteredId: id }),
  reletter: z.object({ action: z.literal('reletter'), letteredId: id }),
  // A select of a lettered version: the nudges of one balloon (its index in the layout), or a choice of
  // balloon (the options' values) when a page has more balloons than selects fit, 25 a group.
  nudge: z.object({ action: z.literal('nudge'), letteredId: id, balloon: z.coerce.number().int().min(0).max(999) }),
  nudgepick: z.object({ action: z.literal('nudgepick'), letteredId: id, group: z.coerce.number().int().min(0).max(39) }),
  // Retry after a composition of a lettered version failed for good: that version, its next round, why it failed.
  letterretry: z.object({
    action: z.literal('letterretry'),
    pageId: id,
    setVersion: id,
    version: id,
    round: id,
    reason: z.coerce.number().int().min(0).max(9),
  }),
  // Retry for an advisory agent that gave up: which one (0 reviewer, 1 panels), its draft, the next round.
  advisoryretry: z.object({
    action: z.literal('advisoryretry'),
    agentIndex: z.coerce.number().int().min(0).max(1),
    pageId: id,
    revisionId: id,
    round: z.coerce.number().int().min(1).max(20),
  }),
  // The /bible add form: the type (index into the types), priority + 100 and always (0 or 1) ride along.
  bibleentry: z.object({
    action: z.literal('bibleentry'),
    typeIndex: z.coerce
      .number()
      .int()
      .min(0)
      .max(BIBLE_ENTRY_TYPES.length - 1),
    priorityPlus100: z.coerce.number().int().min(0).max(200),
    always: z.coerce.number().int().min(0).max(1),
  }),
} as const;

export type CustomIdAction = keyof typeof ACTIONS;
type Action = CustomIdAction;
/** One action's decoded custom_id. */
export type CustomIdOf<A extends Action> = z.infer<(typeof ACTIONS)[A]>;
export type CustomIdData = { [A in Action]: CustomIdOf<A> }[Action];

const FIELD_ORDER: { [A in Action]: string[] } = {
  approve: ['pageId', 'revisionId'],
  revise: ['pageId', 'revisionId'],
  feedback: ['pageId', 'revisionId'],
  edit: ['pageId', 'revisionId'],
  editsave: ['pageId', 'revisionId'],
  pick: ['pageId', 'revisionId'],
  another: ['pageId', 'revisionId'],
  join: ['chapterId'],
  retry: ['pageId', 'pageVersion'],
  cancel: ['pageId', 'pageVersion'],
  reroll: ['panelId'],
  prompt: ['panelId'],
  promptsave: ['panelId', 'renderId'],
  panelsok: ['pageId', 'setVersion'],
  panelsretry: ['pageId', 'setVersion'],
  useref: ['pageId'],
  userefsave: ['pageId'],
  letterok: ['letteredId'],
  reletter: ['letteredId'],
  nudge: ['letteredId', 'balloon'],
  nudgepick: ['letteredId', 'group'],
  letterretry: ['pageId', 'setVersion', 'version', 'round', 'reason'],
  bibleentry: ['typeIndex', 'priorityPlus100', 'always'],
  advisoryretry: ['agentIndex', 'pageId', 'revisionId', 'round'],
};

export const FEEDBACK_FIELD = 'feedback';
export const EDIT_FIELD = 'draft';
export const PROMPT_FIELD = 'prompt';
export const USE_REFERENCE_FIELDS = { panel: 'panel', character: 'character' } as const;
export const BIBLE_FIELDS = { title: 'title', keywords: 'keywords', text: 'text' } as const;

export function encodeCustomId(data: CustomIdData): string {
  const values = FIELD_ORDER[data.action].map((field) => String((data as Record<string, unknown>)[field]));
  const encoded = [PREFIX, data.action, ...values].join(':');
  if (encoded.length > 100) throw new Error(`custom_id too long: ${encoded.length} characters`);
  return encoded;
}

/** Returns null for anything that is not one of ours, well formed: forged, truncated or from an old release. */
export function decodeCustomId(customId: string): CustomIdData | null {
  if (customId.length > 100) return null;
  const [prefix, action, ...values] = customId.split(':');
  // Object.hasOwn, not `in`: `in` also finds toString, constructor and the rest of Object.prototype.
  if (prefix !== PREFIX || action === undefined || !Object.hasOwn(ACTIONS, action)) return null;
  const fields = FIELD_ORDER[action as Action];
  if (values.length !== fields.length || !values.every((v) => digits.test(v))) return null;
  const candidate: Record<string, unknown> = { action };
  fields.forEach((field, index) => {
    candidate[field] = values[index];
  });
  const parsed = ACTIONS[action as Action].safeParse(candidate);
  return parsed.success ? parsed.data : null;
}
