import { describe, expect, it } from 'vitest';
import { parseBibleFile, readBibleType } from '../../src/domain/bible-file.js';

describe('a bible file as an entry', () => {
  it('reads front matter: title, type, keywords, priority and always', () => {
    const parsed = parseBibleFile(
      {
        name: 'mira.md',
        folder: 'misc',
        text: '---\ntitle: Mira\ntype: character\nkeywords: lantern, the guide ,\npriority: 5\nalways: yes\n---\n# Ignored heading\nA lantern-bearer.',
      },
      'reference',
    );
    expect(parsed).toEqual({
      title: 'Mira',
      type: 'character',
      body: '# Ignored heading\nA lantern-bearer.',
      keywords: ['lantern', 'the guide'],
      priority: 5,
      alwaysInclude: true,
    });
  });

  it('without front matter takes the first heading, the folder’s type, and no keywords', () => {
    expect(
      parseBibleFile({ name: 'north.md', folder: 'Locations', text: '\uFEFFIntro line\n# The North\nSnow falls early.' }, 'reference'),
    ).toMatchObject({
      title: 'The North',
      type: 'location',
      keywords: [],
      priority: 0,
      alwaysInclude: false,
    });
  });

  it('falls back to the file name and the default type', () => {
    expect(parseBibleFile({ name: 'house_style-notes.txt', folder: 'bible', text: 'Short sentences.' }, 'style')).toMatchObject({
      title: 'house style notes',
      type: 'style',
    });
  });

  it('refuses what cannot be an entry, saying why', () => {
    const refuse = (text: string, name = 'x.md') => parseBibleFile({ name, folder: null, text }, 'rule');
    expect(refuse('---\ntype: dragon\n---\nBody')).toEqual({ error: expect.stringMatching(/unknown type "dragon"/) });
    expect(refuse('---\npriority: high\n---\nBody')).toEqual({ error: expect.stringMatching(/priority/) });
    expect(refuse('---\ntitle: Empty\n---\n   ')).toEqual({ error: 'the file has no text' });
    expect(refuse(`# ${'T'.repeat(101)}\nbody`)).toEqual({ error: expect.stringMatching(/title/) });
    expect(refuse('binary\u0000data')).toEqual({ error: 'not a text file' });
    expect(refuse('x'.repeat(200_001))).toEqual({ error: expect.stringMatching(/longer than/) });
  });

  it('reads type names the way people write them', () => {
    expect(readBibleType('Characters')).toBe('character');
    expect(readBibleType(' places ')).toBe('location');
    expect(readBibleType('dragons')).toBeNull();
  });
});

describe('adversarial lines parse in linear time', () => {
  const N = Number(process.env.ADVERSARIAL_LINE_CHARS ?? 100_000);
  const spaces = ' '.repeat(N);
  const half = ' '.repeat(N / 2);
  const cases: [string, string, string][] = [
    ['a heading of spaces', `#${half}x${half}\nbody`, 'x'],
    ['a heading whose spaces end in a word', `# T${spaces}x`, `T${spaces}x`],
    ['a heading whose spaces end in a hash and a word', `# a${spaces}#x\nbody`, `a${spaces}#x`],
    ['a heading ending in spaces and hashes', `# Title${' #'.repeat(N / 2)}\nbody`, 'Title'],
    ['a heading of hashes', `# ${'#'.repeat(N)}a\nbody`, `${'#'.repeat(N)}a`],
    ['a front matter value of spaces', `---\ntitle: T${half}x${half}\n---\nbody`, `T${half}x`],
    ['a front matter line of spaces and colons', `---\n${' :'.repeat(N / 2)}\ntitle: T\n---\nbody`, 'T'],
  ];
  it.each(cases.map(([name, text, title]) => ({ name, text, title })))(
    `$name (a ${N}-character line) is read at once`,
    ({ text, title }) => {
      const parsed = parseBibleFile({ name: 'x.md', folder: null, text }, 'character');
      if ('error' in parsed) expect(parsed.error).toMatch(/title must be 1–100 characters/);
      else expect(parsed.title).toBe(title);
    },
    5_000,
  );
});
