import { describe, expect, it } from 'vitest';
import { parsePublicPath, publicPathOf, slugFromTitle } from '../../src/domain/publication.js';
import { paragraphsOf, previewText, toReaderPage } from '../../src/domain/reader-page.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

describe('published addresses', () => {
  it.each([
    ['The Glowing Mark', 'the-glowing-mark'],
    ['Éclair à la crème', 'eclair-a-la-creme'],
    ['Ash <script>alert("title")</script> & Ember', 'ash-script-alert-title-script-ember'],
    ['  --  ', 'story'],
    ['火の物語', 'story'],
    ['a'.repeat(80), 'a'.repeat(60)],
  ])('the title %j has the slug %j', (title, slug) => {
    expect(slugFromTitle(title)).toBe(slug);
  });

  it.each([
    [`the-glowing-mark-${TOKEN}`, { slug: 'the-glowing-mark', token: TOKEN }],
    [`story-${TOKEN}`, { slug: 'story', token: TOKEN }],
    [TOKEN, null],
    [`the-mark-${TOKEN.toUpperCase()}`, null],
    [`the-mark-${TOKEN}0`, null],
    [`../etc-${TOKEN}`, null],
    [`${'a'.repeat(61)}-${TOKEN}`, null],
    ['', null],
  ])('the path segment %j reads as %j', (segment, expected) => {
    expect(parsePublicPath(segment)).toEqual(expected);
  });

  it('an address read back is the address written', () => {
    const address = { slug: slugFromTitle('Ash and Ember'), token: TOKEN };
    expect(parsePublicPath(publicPathOf(address))).toEqual(address);
  });
});

describe('what a reader sees of a page', () => {
  it.each([
    ['One line.', ['One line.']],
    ['First\nstill first.\n\nSecond.', ['First still first.', 'Second.']],
    ['\n\n  \n\nOnly.\n \n', ['Only.']],
  ])('narration %j is split into paragraphs %j', (text, paragraphs) => {
    expect(paragraphsOf(text)).toEqual(paragraphs);
  });

  it.each([
    ['short', 'short'],
    ['word '.repeat(100), `${'word '.repeat(69).trimEnd()}…`],
    ['é'.repeat(400), `${'é'.repeat(173)}…`],
    ['🐉'.repeat(200), `${'🐉'.repeat(86)}…`],
  ])('a preview of %j fits 350 bytes', (text, preview) => {
    const result = previewText(text);
    expect(result).toBe(preview);
    expect(new TextEncoder().encode(result).length).toBeLessThanOrEqual(350);
  });

  it('a stored script becomes panels with their descriptions and images; anything else is shown as stored', () => {
    const page = { id: 7, number: 3, narration: 'It glowed.', dialogue: '**Panel 1**', approvedAt: new Date(0) };
    const script = {
      panels: [
        { panel: 4, caption: ' Night. ', lines: [{ speaker: 'Kai', line: 'Look.' }] },
        { panel: 4, caption: null, lines: [] },
      ],
    };
    const read = toReaderPage(
      { ...page, script },
      {
        storyAddress: `ridge-${'0'.repeat(32)}`,
        descriptions: [{ panelNumber: 2, scene: 'A ridge.' }],
        images: [{ panelNumber: 1, hash: 'a'.repeat(64), contentType: 'image/png', width: 768, height: 512 }],
      },
    );
    expect(read.anchor).toBe('page-3');
    expect(read.panels).toEqual([
      {
        number: 1,
        caption: 'Night.',
        lines: [{ speaker: 'Kai', line: 'Look.' }],
        description: null,
        image: { path: `/ridge-${'0'.repeat(32)}/images/${'a'.repeat(64)}.png`, width: 768, height: 512 },
        references: null,
      },
      { number: 2, caption: null, lines: [], description: 'A ridge.', image: null, references: null },
    ]);
    expect(read.plainDialogue).toBeNull();
    const unreadable = toReaderPage(
      { ...page, script: { not: 'a script' } },
      { storyAddress: `ridge-${'0'.repeat(32)}`, descriptions: [], images: [] },
    );
    expect(unreadable.panels).toEqual([]);
    expect(unreadable.plainDialogue).toBe('**Panel 1**');
  });
});
