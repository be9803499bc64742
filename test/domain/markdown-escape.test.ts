import { escapeMarkdown } from '@discordjs/formatters';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeDiscordMarkdown } from '../../src/domain/markdown-escape.js';

const ORDINARY = [
  'It *burns*.',
  'snake_case `x`',
  '> ||secret||',
  '~~gone~~ \\o/',
  '**Kai** shouts __now__ and ***really*** means it_',
  'a\\b*c_d~e`f|g>h ',
  '```js\ncode()\n``` and `inline` and ``double``',
  'See https://example.com/a_b*c and (https://example.com/x_y)',
  'An emoji <:snake_case:123456> and <a:dancing_kai:42>',
  '# Night\n- Mira waits\n* Kai\n1. one\n  2. two\n### deep',
  '[click](https://example.com) and more',
  'A [a link](javascript:alert(1)) here',
  'Look: *there*, `x` ||y|| and a lone ~ and | pipe',
  'The forge – “cold” – at 3 a.m. … ok? (yes)',
  '',
];

describe('escaping Markdown in linear time', () => {
  it.each(ORDINARY)('escapes %j as discord.js does', (text) => {
    expect(escapeDiscordMarkdown(text)).toBe(escapeMarkdown(text));
    expect(escapeDiscordMarkdown(text, { lineStarts: true })).toBe(
      escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true }),
    );
    expect(escapeDiscordMarkdown(text, { maskedLinks: true })).toBe(escapeMarkdown(text, { maskedLink: true }));
  });

  it('takes out exactly what it adds: without its escapes any text reads as written', () => {
    const markdownish = fc.string({ unit: fc.constantFrom(...'ab *_~|`\\#-+>1.[]():/<>\n\t'.split('')), maxLength: 80 });
    fc.assert(
      fc.property(markdownish, (text) => {
        for (const options of [{}, { lineStarts: true }, { maskedLinks: true }])
          expect(escapeDiscordMarkdown(text, options).replace(/\\(.)/gs, '$1')).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves no formatting marker unescaped outside addresses, however long the run', () => {
    const markers = fc.string({ unit: fc.constantFrom(...'a *_~|`\\'.split('')), maxLength: 120 });
    fc.assert(
      fc.property(markers, (text) => {
        const bare = escapeDiscordMarkdown(text).replace(/\\./g, '·');
        expect(bare).not.toMatch(/[*_`\\]|~~|\|\|/);
      }),
      { numRuns: 500 },
    );
  });

  it('escapes every link on a line, where discord.js escapes the first and leaves the others links', () => {
    expect(escapeDiscordMarkdown('[a] [b](https://example.com) [c](https://example.org)', { maskedLinks: true })).toBe(
      '\\[a] \\[b](https://example.com) \\[c](https://example.org)',
    );
  });

  it('leaves an address in angle brackets as written, as it does a bare one', () => {
    expect(escapeDiscordMarkdown('<https://example.com/x_y*z>')).toBe('<https://example.com/x_y*z>');
  });
});
