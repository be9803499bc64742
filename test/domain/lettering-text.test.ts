import { describe, expect, it } from 'vitest';
import { breakText, wrapChunks } from '../../src/domain/lettering/text-breaks.js';

// Line breaking, pure: a plain measure (each character half an em at 10 px) stands in for the fonts.
const measure = (text: string) => [...text].length * 5;
const lines = (text: string, width: number, language = 'und') => wrapChunks(breakText(text, language), width, measure);

describe('line breaking', () => {
  it('keeps words whole and punctuation with its word', () => {
    expect(breakText('Wait, what? (Really.)', 'en').map((c) => c.text)).toEqual(['Wait,', 'what?', '(Really.)']);
    expect(lines('You came back. I thought the river took you.', 80).lines).toEqual(['You came back. I', 'thought the', 'river took you.']);
  });

  it('breaks Japanese between characters, never starting a line with 、。」 nor ending one with 「', () => {
    const chunks = breakText('「また」始まるのかしら。', 'ja').map((c) => c.text);
    expect(chunks).toEqual(['「ま', 'た」', '始', 'ま', 'る', 'の', 'か', 'し', 'ら。']);
    for (const width of [10, 15, 20, 25, 30]) {
      for (const line of lines('川がこんなに静かなのは初めてだ。嵐の前の静けさ、というやつね。', width, 'ja').lines) {
        expect(line).not.toMatch(/^[、。」]/);
        expect(line).not.toMatch(/「$/);
      }
    }
  });

  it('breaks after a hyphen and between Thai words, and flags a word wider than the line', () => {
    expect(breakText('well-known', 'en').map((c) => c.text)).toEqual(['well-', 'known']);
    expect(breakText('สวัสดีครับ', 'th').length).toBeGreaterThan(1);
    expect(lines('Donaudampfschifffahrtsgesellschaft ahoy', 60)).toMatchObject({ tooWide: true });
    expect(lines('short words only', 60)).toMatchObject({ tooWide: false });
  });

  it('keeps Arabic and Cyrillic words whole', () => {
    expect(breakText('مرحبا بالعالم، هل سمعت ذلك؟', 'ar').map((c) => c.text)).toEqual(['مرحبا', 'بالعالم،', 'هل', 'سمعت', 'ذلك؟']);
    expect(breakText('Ты слышала это?', 'ru').map((c) => c.text)).toEqual(['Ты', 'слышала', 'это?']);
  });
});
