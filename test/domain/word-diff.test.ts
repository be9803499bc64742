import { describe, expect, it } from 'vitest';
import { DIFF_STEP_LIMIT, diffStats, diffWords, diffWordsBounded, renderDiffMarkdown, type DiffPart } from '../../src/domain/word-diff.js';

const side = (parts: DiffPart[], keep: 'added' | 'removed') =>
  parts
    .filter((p) => p.op === 'same' || p.op === keep)
    .map((p) => p.text)
    .join('');

describe('word diff', () => {
  const pairs: [string, string][] = [
    ['', ''],
    ['', 'New text.'],
    ['Old text.', ''],
    ['Same words here.', 'Same words here.'],
    ['Mira lifts her lantern at the pass.', 'Mira lifts the lantern higher; the pass is silent.'],
    ['One.\n\nTwo paragraphs   with  spaces.\n', 'One.\nTwo paragraphs with spaces and more.\n\n'],
    ['a b c d e f g', 'g f e d c b a'],
  ];

  it.each(pairs)('rebuilds both texts exactly: %j → %j', (before, after) => {
    const parts = diffWords(before, after);
    expect(side(parts, 'removed')).toBe(before);
    expect(side(parts, 'added')).toBe(after);
    // Neighbours never share an op: runs are merged.
    for (let i = 1; i < parts.length; i += 1) expect(parts[i]?.op).not.toBe(parts[i - 1]?.op);
  });

  it('rebuilds both texts after random edits (seeded)', () => {
    let state = 12345;
    const random = (below: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % below;
    };
    const vocabulary = ['Mira', 'Kai', 'lantern', 'the', 'pass,', 'glows.', '\n\n', ' ', '  ', '\n', '*bold*', 'a_b'];
    const text = (length: number) => Array.from({ length }, () => vocabulary[random(vocabulary.length)]).join(random(2) ? ' ' : '');
    for (let round = 0; round < 200; round += 1) {
      const before = text(random(40));
      const words = before.split(' ');
      const after = words
        .map((w) => (random(5) === 0 ? (vocabulary[random(vocabulary.length)] ?? '') : w))
        .join(random(4) === 0 ? '  ' : ' ');
      const parts = diffWords(before, after);
      expect(side(parts, 'removed')).toBe(before);
      expect(side(parts, 'added')).toBe(after);
      for (const part of parts) expect(part.text).not.toBe('');
    }
  });

  it('finds the changed words and counts them', () => {
    const parts = diffWords('Mira lifts her lantern at the pass.', 'Mira lifts the lantern higher at the pass.');
    expect(parts.filter((p) => p.op !== 'same').map((p) => [p.op, p.text.trim()])).toEqual([
      ['removed', 'her'],
      ['added', 'the'],
      ['added', 'higher'],
    ]);
    expect(diffStats(parts)).toEqual({ added: 2, removed: 1 });
  });

  it('groups word-by-word alternation into one removed and one added run', () => {
    const parts = diffWords('Kai works late at the forge.', 'Rain drums on the forge.');
    expect(parts).toEqual([
      { op: 'removed', text: 'Kai works late at' },
      { op: 'added', text: 'Rain drums on' },
      { op: 'same', text: ' the forge.' },
    ]);
  });

  it('identical texts are one unchanged part', () => {
    expect(diffWords('Same.', 'Same.')).toEqual([{ op: 'same', text: 'Same.' }]);
    expect(diffStats(diffWords('Same.', 'Same.'))).toEqual({ added: 0, removed: 0 });
  });

  it('handles two long texts, and two long unrelated texts, without trouble', () => {
    const words = Array.from({ length: 4_000 }, (_, i) => `w${i}`);
    const edited = words.map((w, i) => (i % 50 === 0 ? `${w}x` : w));
    const parts = diffWords(words.join(' '), edited.join(' '));
    expect(diffStats(parts)).toEqual({ added: 80, removed: 80 });
    const other = Array.from({ length: 4_000 }, (_, i) => `v${i}`).join(' ');
    const replaced = diffWords(words.join(' '), other);
    expect(side(replaced, 'removed')).toBe(words.join(' '));
    expect(side(replaced, 'added')).toBe(other);
  });
});

describe('diff as Discord markdown', () => {
  it('strikes removed words and bolds added ones, whitespace outside the markers, markdown escaped', () => {
    const parts = diffWords('Kai *runs* home.', 'Kai walks home_now.');
    // Changes one space apart read as one edit: the old run struck, the new run in bold.
    expect(renderDiffMarkdown(parts, 2000)).toBe('Kai ~~\\*runs\\* home.~~**walks home\\_now.**');
    const spaced = renderDiffMarkdown(diffWords('a b', 'a  c '), 2000);
    expect(spaced).toContain('~~b~~');
    expect(spaced).toContain('**c**');
  });

  it('escapes Markdown in unchanged, removed and added text as discord.js escapeMarkdown does', () => {
    const parts: DiffPart[] = [
      { op: 'same', text: 'a\\b*c_d~e`f|g>h ' },
      { op: 'removed', text: '|| >q ' },
      { op: 'added', text: '`code`' },
    ];
    // A single ~ or | formats nothing in Discord, and > only at a line's start: those stay as they are.
    expect(renderDiffMarkdown(parts, 2000)).toBe('a\\\\b\\*c\\_d~e\\`f|g>h ~~\\|\\| >q~~ **\\`code\\`**');
  });

  it('keeps struck and bold runs intact around words full of Markdown, and line-start markers plain', () => {
    const parts = diffWords(
      'Kai **shouts** ~~no~~ __now__.\n# Night\n- Mira waits',
      'Kai *whispers* ||yes|| __now__.\n# Night\n- Mira waits_here',
    );
    const rendered = renderDiffMarkdown(parts, 2000);
    expect(rendered).toBe(
      'Kai ~~\\*\\*shouts\\*\\* \\~\\~no\\~\\~~~**\\*whispers\\* \\|\\|yes\\|\\|** \\_\\_now\\_\\_.\n\\# Night\n\\- Mira ~~waits~~**waits\\_here**',
    );
    // With the escapes taken out, the only Markdown left is the diff's own markers, each pair closed.
    const bare = rendered.replace(/\\./g, '');
    expect(bare.replace(/~~[^~*]+~~|\*\*[^~*]+\*\*/g, '')).not.toMatch(/[*_`~|]/);
  });

  it('never leaves a lone escape or a marker open when cutting', () => {
    for (let max = 18; max < 80; max += 1) {
      const text = renderDiffMarkdown(
        [
          { op: 'same', text: '* '.repeat(30) },
          { op: 'added', text: 'new words' },
        ],
        max,
      );
      expect(text.length).toBeLessThanOrEqual(max);
      expect(text.endsWith('\n…(diff truncated)')).toBe(true);
      const kept = text.slice(0, -'\n…(diff truncated)'.length);
      expect(kept).toMatch(/^(\\\* ?)*$/);
    }
    expect(renderDiffMarkdown([{ op: 'added', text: 'x'.repeat(50) }], 30)).toBe('\n…(diff truncated)');
  });

  it('fits the limit, cutting at a part and saying so', () => {
    const before = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    const after = Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? `changed${i}` : `word${i}`)).join(' ');
    const text = renderDiffMarkdown(diffWords(before, after), 300);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text.endsWith('…(diff truncated)')).toBe(true);
    expect(text.split('**').length % 2).toBe(1); // no unclosed bold
    expect(text.split('~~').length % 2).toBe(1);
  });
});

describe('/page diff is bounded', () => {
  let state = 7;
  const word = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return `w${state % 5000}`;
  };
  const draft = (words: number) => Array.from({ length: words }, word).join(' ');

  it('two 4,000-word drafts that differ everywhere stop at the step bound and say so', () => {
    const result = diffWordsBounded(draft(4000), draft(4000));
    expect(result.exact).toBe(false);
    expect(result.steps).toBeLessThanOrEqual(DIFF_STEP_LIMIT);
    expect(side(result.parts, 'removed').length).toBeGreaterThan(0);
  });

  it('a 4,000-word draft with a few edits is still diffed word by word', () => {
    const before = draft(4000).split(' ');
    const after = [...before];
    for (const at of [10, 1000, 2500, 3990]) after[at] = 'CHANGED';
    const result = diffWordsBounded(before.join(' '), after.join(' '));
    expect(result.exact).toBe(true);
    expect(diffStats(result.parts)).toEqual({ added: 4, removed: 4 });
  });
});
