import { describe, expect, it } from 'vitest';
import { measureText } from '../../src/compositor/fonts.js';

// The lettering fonts as Skia shapes them: a rasteriser without shaping would draw Arabic as isolated
// letters and Devanagari without conjuncts, and a missing font would draw empty boxes.

const lettersApart = (text: string) => [...text].reduce((sum, ch) => sum + measureText(ch, 'speech', 100), 0);

describe('lettering fonts', () => {
  it('join Arabic letters: a shaped word is not as wide as its letters set apart', () => {
    const word = 'بالعالم';
    expect(measureText(word, 'speech', 100)).toBeLessThan(lettersApart(word) * 0.92);
  });

  it('form Devanagari conjuncts: क्ष is narrower than क, the virama and ष side by side', () => {
    expect(measureText('क्ष', 'speech', 100)).toBeLessThan(lettersApart('क्ष') * 0.9);
  });

  it('draw Japanese from Noto Sans JP: every kanji and kana a full em, in every kind of line', () => {
    for (const kind of ['speech', 'caption', 'sound', 'whisper'] as const) {
      for (const ch of ['漢', '東', 'き', 'カ']) expect(measureText(ch, kind, 100), `${ch} in ${kind}`).toBeCloseTo(100, 0);
    }
  });

  it('measure widths in proportion to the size, so each text is shaped once', () => {
    expect(measureText('Only the wind.', 'speech', 30)).toBeCloseTo(measureText('Only the wind.', 'speech', 15) * 2, 6);
    expect(measureText('Только ветер', 'speech', 20)).toBeGreaterThan(0);
  });
});
