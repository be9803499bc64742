import * as z from 'zod';

// The continuity reviewer's structured output. Strict-output friendly like the dialogue schema:
// every property required, lengths checked after parsing.

export const REVIEW_LIMITS = { notes: 5, note: 300 } as const;
export const NOTE_KINDS = ['contradiction', 'spelling', 'dropped_thread', 'other'] as const;

export const continuityReviewSchema = z.object({
  notes: z.array(z.object({ kind: z.enum(NOTE_KINDS), note: z.string() })),
});
export type ContinuityReview = z.infer<typeof continuityReviewSchema>;

const LABEL: Record<(typeof NOTE_KINDS)[number], string> = {
  contradiction: 'Contradiction',
  spelling: 'Spelling',
  dropped_thread: 'Dropped thread',
  other: 'Note',
};

/** The notes as short lines for the draft message: empty, trimmed, duplicate and overlong notes are tidied away. */
export function formatReviewNotes(review: ContinuityReview): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const { kind, note } of review.notes) {
    const text = note.replace(/\s+/g, ' ').trim();
    if (!text || seen.has(text.toLowerCase())) continue;
    seen.add(text.toLowerCase());
    const clipped = text.length > REVIEW_LIMITS.note ? `${text.slice(0, REVIEW_LIMITS.note - 1)}…` : text;
    lines.push(`${LABEL[kind]}: ${clipped}`);
    if (lines.length === REVIEW_LIMITS.notes) break;
  }
  return lines;
}
