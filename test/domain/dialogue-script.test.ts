import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DIALOGUE_LIMITS, dialogueScriptSchema, renderDialogueScript, type DialogueScript } from '../../src/domain/dialogue-script.js';

const script: DialogueScript = {
  panels: [
    { panel: 1, caption: 'Night. The forge.', lines: [{ speaker: 'Kai', line: 'It is glowing again.' }] },
    {
      panel: 2,
      caption: null,
      lines: [
        { speaker: 'Mira', line: 'Then something is coming.' },
        { speaker: 'Kai', line: 'Now?' },
      ],
    },
  ],
};

describe('rendering a dialogue script', () => {
  it('shows a heading per panel, the caption in italics and bold speakers, panels apart', () => {
    expect(renderDialogueScript(script)).toBe(
      '**Panel 1**\n*Night. The forge.*\n**Kai:** It is glowing again.\n\n**Panel 2**\n**Mira:** Then something is coming.\n**Kai:** Now?',
    );
  });

  it.each([
    ['stray emphasis', 'It *burns*.', 'It \\*burns\\*.'],
    ['underscores and code', 'snake_case `x`', 'snake\\_case \\`x\\`'],
    // A quote marker mid-line is plain text in Discord: only the spoilers are escaped.
    ['spoilers', '> ||secret||', '> \\|\\|secret\\|\\|'],
    ['a masked link', '[click](https://example.com)', '\\[click](https://example.com)'],
    ['strikethrough and a backslash', '~~gone~~ \\o/', '\\~\\~gone\\~\\~ \\\\o/'],
    ['line breaks', 'One.\n\n  Two.', 'One. Two.'],
  ])('escapes %s in a line so the model cannot change the layout', (_name, line, shown) => {
    expect(renderDialogueScript({ panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line }] }] })).toBe(
      `**Panel 1**\n**Kai:** ${shown}`,
    );
  });

  it('keeps speakers bold and captions in italics whatever Markdown the model writes in them', () => {
    const rendered = renderDialogueScript({
      panels: [
        {
          panel: 1,
          caption: '*Dawn* __over__ the_pass',
          lines: [
            { speaker: '**Kai**_2', line: 'Look: *there*, `x` ||y||' },
            { speaker: 'Mira*', line: 'Go.' },
          ],
        },
      ],
    });
    expect(rendered).toBe(
      [
        '**Panel 1**',
        '*\\*Dawn\\* \\_\\_over\\_\\_ the\\_pass*',
        '**\\*\\*Kai\\*\\*\\_2:** Look: \\*there\\*, \\`x\\` \\|\\|y\\|\\|',
        '**Mira\\*:** Go.',
      ].join('\n'),
    );
    // Every marker the renderer adds is the only unescaped one on its line.
    for (const line of rendered.split('\n'))
      expect(line.replace(/\\./g, '').replace(/^\*\*Panel 1\*\*$|^\*\*[^*]*:\*\*|^\*|\*$/g, '')).not.toMatch(/[*_`~|]/);
  });

  it('leaves out an empty caption and shows a panel without lines as its heading', () => {
    expect(renderDialogueScript({ panels: [{ panel: 3, caption: '  ', lines: [] }] })).toBe('**Panel 3**');
  });
});

describe('the dialogue script schema', () => {
  it('accepts a script with a null caption', () => {
    expect(dialogueScriptSchema.safeParse(script).success).toBe(true);
  });

  it.each([
    ['no panels', { panels: [] }],
    [
      'too many panels',
      { panels: Array.from({ length: DIALOGUE_LIMITS.panels + 1 }, (_, i) => ({ panel: i + 1, caption: null, lines: [] })) },
    ],
    ['a missing caption', { panels: [{ panel: 1, lines: [] }] }],
    ['panel zero', { panels: [{ panel: 0, caption: null, lines: [] }] }],
    ['a blank speaker', { panels: [{ panel: 1, caption: null, lines: [{ speaker: ' ', line: 'Hi.' }] }] }],
    ['an empty line', { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: '' }] }] }],
    [
      'a line longer than a balloon',
      { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'x'.repeat(DIALOGUE_LIMITS.line + 1) }] }] },
    ],
    [
      'a speaker longer than a name',
      { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'K'.repeat(DIALOGUE_LIMITS.speaker + 1), line: 'Hi.' }] }] },
    ],
    ['a caption longer than a caption box', { panels: [{ panel: 1, caption: 'x'.repeat(DIALOGUE_LIMITS.caption + 1), lines: [] }] }],
  ])('refuses %s', (_name, value) => {
    expect(dialogueScriptSchema.safeParse(value).success).toBe(false);
  });

  it('makes a strict-output JSON schema: every property required, no string length keywords', () => {
    const schema = z.toJSONSchema(dialogueScriptSchema);
    expect(schema).toMatchObject({
      required: ['panels'],
      properties: {
        panels: { items: { required: ['panel', 'caption', 'lines'], properties: { lines: { items: { required: ['speaker', 'line'] } } } } },
      },
    });
    const json = JSON.stringify(schema);
    expect(json).not.toMatch(/minLength|maxLength/);
  });
});
