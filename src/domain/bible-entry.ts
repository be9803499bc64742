/** The kinds of story bible entry. The order is part of the /bible add form's custom_id (an index), so add at the end. */
export const BIBLE_ENTRY_TYPES = ['character', 'location', 'rule', 'style', 'reference'] as const;

export type BibleEntryType = (typeof BIBLE_ENTRY_TYPES)[number];
