import { describe, expect, it } from 'vitest';
import { formatReviewNotes, REVIEW_LIMITS } from '../../src/domain/continuity-review.js';
import { toPanelRows } from '../../src/domain/panel-prompts.js';

describe('continuity notes for the draft message', () => {
  it('labels each note, tidies whitespace and drops empty and repeated notes', () => {
    expect(
      formatReviewNotes({
        notes: [
          { kind: 'contradiction', note: 'Kai  is left-handed\nin page 1.' },
          { kind: 'spelling', note: '   ' },
          { kind: 'dropped_thread', note: 'The letter from page 2 is never opened.' },
          { kind: 'other', note: 'kai is left-handed in page 1.' },
        ],
      }),
    ).toEqual(['Contradiction: Kai is left-handed in page 1.', 'Dropped thread: The letter from page 2 is never opened.']);
  });

  it('keeps at most five notes of bounded length', () => {
    const notes = formatReviewNotes({
      notes: Array.from({ length: 9 }, (_, i) => ({ kind: 'other' as const, note: `${i} ${'x'.repeat(400)}` })),
    });
    expect(notes).toHaveLength(REVIEW_LIMITS.notes);
    for (const note of notes) expect(note.length).toBeLessThanOrEqual(REVIEW_LIMITS.note + 'Note: '.length);
  });

  it('an empty review is no notes', () => {
    expect(formatReviewNotes({ notes: [] })).toEqual([]);
  });
});

describe('panel prompts to store', () => {
  const panel = (n: number, prompt: string) => ({
    panel: n,
    scene: ' A  pass ',
    characters: ['Mira', 'Mira', ' '],
    camera: 'wide',
    mood: 'calm',
    image_prompt: prompt,
    negative_prompt: 'text',
  });

  it('numbers panels in the order given and tidies the text', () => {
    expect(toPanelRows({ panels: [panel(3, 'snow'), panel(3, 'glow')] })).toEqual([
      { panelNumber: 1, scene: 'A pass', characters: ['Mira'], camera: 'wide', mood: 'calm', prompt: 'snow', negativePrompt: 'text' },
      { panelNumber: 2, scene: 'A pass', characters: ['Mira'], camera: 'wide', mood: 'calm', prompt: 'glow', negativePrompt: 'text' },
    ]);
  });

  it('refuses a panel without an image prompt', () => {
    expect(toPanelRows({ panels: [panel(1, 'snow'), panel(2, '   ')] })).toBeNull();
  });
});
