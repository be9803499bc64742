import { describe, expect, it } from 'vitest';
import { fitText, LIMITS, splitIntoDescriptions } from '../../src/views/message-parts.js';
import { readText } from '../../src/discord/text-input.js';
import { UserError } from '../../src/services/user-error.js';

describe('fitting text into Discord', () => {
  it('leaves short text alone and cuts long text at a word with a marker', () => {
    expect(fitText('short', 10)).toBe('short');
    const cut = fitText('the quick brown fox jumps over the lazy dog', 20);
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('splits a long draft into embed descriptions inside the 6000-character message budget', () => {
    const paragraph = 'The forge was cold and the Mark was not. '.repeat(40);
    const text = Array.from({ length: 8 }, () => paragraph).join('\n\n');
    const parts = splitIntoDescriptions(text, 5800);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    expect(parts.reduce((n, p) => n + p.length, 0)).toBeLessThanOrEqual(5800);
    expect(parts.at(-1)).toContain('/page history');
  });

  it('keeps a draft that fits whole', () => {
    expect(splitIntoDescriptions('One paragraph.', 5800)).toEqual(['One paragraph.']);
  });
});

describe('reading what a person typed', () => {
  const field = { label: 'The page input', max: 20 };
  it('trims, normalises newlines and drops control and bidi characters', () => {
    expect(readText('  a\r\nb\u0007\u202e c  ', field)).toBe('a\nb c');
  });
  it.each([[''], ['   '], ['\u0000\u0001'], [undefined], [42]])('refuses empty input %j with a clear message', (raw) => {
    expect(() => readText(raw, field)).toThrow(new UserError('The page input is empty. Write something first.'));
  });
  it('refuses overlong input, naming the limit', () => {
    expect(() => readText('x'.repeat(21), field)).toThrow(/under 20 characters/);
  });
});
