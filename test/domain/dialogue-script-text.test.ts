import { describe, expect, it } from 'vitest';
import { DIALOGUE_LIMITS, formatScriptForEditing, parseScriptText, type DialogueScript } from '../../src/domain/dialogue-script.js';

const script: DialogueScript = {
  panels: [
    { panel: 1, caption: 'Night. The forge.', lines: [{ speaker: 'Kai', line: 'It is glowing again: look.' }] },
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

describe('a dialogue script typed by hand', () => {
  it('formats as panels, captions in asterisks and SPEAKER: line, and reads back to the same script', () => {
    const text = formatScriptForEditing(script);
    expect(text).toBe(
      'Panel 1\n*Night. The forge.*\nKai: It is glowing again: look.\n\nPanel 2\nMira: Then something is coming.\nKai: Now?',
    );
    expect(parseScriptText(text)).toEqual({ ok: true, script });
  });

  it('renumbers panels, ignores blank lines and Windows line ends, and accepts "Panel 3:" and **bold** captions', () => {
    const parsed = parseScriptText('\r\npanel 7:\r\n**Dawn.**\r\n\r\nKAI:  Up!  \r\nPANEL 9\r\nMira: No.');
    expect(parsed).toEqual({
      ok: true,
      script: {
        panels: [
          { panel: 1, caption: 'Dawn.', lines: [{ speaker: 'KAI', line: 'Up!' }] },
          { panel: 2, caption: null, lines: [{ speaker: 'Mira', line: 'No.' }] },
        ],
      },
    });
  });

  it.each([
    ['a line before the first panel', 'Kai: Hi', 1, 'expected "Panel 1" before the first caption or line'],
    [
      'a line without a speaker',
      'Panel 1\nKai: Hi\nJust words here',
      3,
      'expected "Panel N", a caption in *asterisks*, or "SPEAKER: line"',
    ],
    ['an empty speaker', 'Panel 1\n: Hi', 2, 'expected "Panel N", a caption in *asterisks*, or "SPEAKER: line"'],
    ['an empty line of dialogue', 'Panel 1\nKai:   ', 2, `a line is 1 to ${DIALOGUE_LIMITS.line} characters`],
    [
      'a second caption',
      'Panel 1\n*One*\n*Two*',
      3,
      'panel 1 already has a caption; expected "Panel N", a caption in *asterisks*, or "SPEAKER: line"',
    ],
    ['an empty caption', 'Panel 1\n**', 2, 'the caption is empty'],
    ['nothing at all', '  \n ', 1, 'expected at least one "Panel 1"'],
    ['an empty panel', 'Panel 1\nKai: Hi\nPanel 2', 3, 'panel 2 has neither a caption nor a line'],
    [
      'a speaker name too long',
      `Panel 1\n${'K'.repeat(DIALOGUE_LIMITS.speaker + 1)}: Hi`,
      2,
      `a speaker's name is 1 to ${DIALOGUE_LIMITS.speaker} characters`,
    ],
  ])('refuses %s, naming the line and what was expected', (_name, text, line, problem) => {
    expect(parseScriptText(text)).toEqual({ ok: false, line, problem });
  });

  it('refuses a thirteenth panel on its own line', () => {
    const text = Array.from({ length: DIALOGUE_LIMITS.panels + 1 }, (_, i) => `Panel ${i + 1}\nKai: ${i}`).join('\n');
    expect(parseScriptText(text)).toEqual({
      ok: false,
      line: DIALOGUE_LIMITS.panels * 2 + 1,
      problem: `a page has at most ${DIALOGUE_LIMITS.panels} panels`,
    });
  });

  it('reads a speaker line padded with 100,000 spaces', () => {
    const parsed = parseScriptText(`Panel 1\nKai:${' '.repeat(100_000)}x`);
    expect(parsed).toEqual({ ok: true, script: { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'x' }] }] } });
  });
});
