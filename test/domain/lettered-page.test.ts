import { describe, expect, it } from 'vitest';
import { canReletter, flagLines, scriptForVersion, voteOnLettered, type LetteredVoteInput } from '../../src/domain/lettered-page.js';
import type { LetteringScript } from '../../src/domain/lettering/script.js';

const script: LetteringScript = {
  format: 'comic',
  direction: 'ltr',
  language: 'en',
  panels: [
    {
      width: 800,
      height: 1200,
      lines: [
        { speaker: null, kind: 'caption', text: 'Dawn.' },
        { speaker: 'Mira', kind: 'speech', text: 'Keep it low.' },
        { speaker: 'Kai', kind: 'speech', text: 'Why?' },
      ],
      placements: { Mira: { x: 'left', depth: 'near' }, Kai: { x: 'right', depth: 'near' } },
    },
    {
      width: 800,
      height: 1200,
      lines: [{ speaker: 'Kai', kind: 'speech', text: 'Look.' }],
      placements: { Kai: { x: 'centre', depth: 'far' } },
    },
  ],
};

describe('lettered versions', () => {
  it.each([
    [1, { Mira: { x: 'left', depth: 'near' }, Kai: { x: 'right', depth: 'near' } }, { x: 'centre', depth: 'far' }],
    [2, { Mira: { x: 'right', depth: 'near' }, Kai: { x: 'left', depth: 'near' } }, { x: 'centre', depth: 'far' }],
    [3, { Mira: { x: 'left', depth: 'far' }, Kai: { x: 'right', depth: 'far' } }, { x: 'centre', depth: 'near' }],
    [4, { Mira: { x: 'right', depth: 'far' }, Kai: { x: 'left', depth: 'far' } }, { x: 'centre', depth: 'near' }],
    [5, { Mira: { x: 'left', depth: 'near' }, Kai: { x: 'right', depth: 'near' } }, { x: 'centre', depth: 'far' }],
  ])('version %i places the speakers another way (and the fifth as the first)', (version, first, kai) => {
    const lettered = scriptForVersion(script, version);
    expect(lettered.panels[0]?.placements).toEqual(first);
    expect(lettered.panels[1]?.placements.Kai).toEqual(kai);
    expect(lettered.panels[0]?.lines).toEqual(script.panels[0]?.lines);
  });

  it('a flagged line is named as the dialogue numbers it: the caption by name, spoken lines from 1', () => {
    const flagged = flagLines(script, [
      { panel: 0, line: 0, problem: 'no-room', message: '' },
      { panel: 0, line: 2, problem: 'too-long', message: '' },
      { panel: 1, line: 0, problem: 'too-long', message: '' },
    ]);
    expect(flagged.map((f) => f.words.split(' — ')[0])).toEqual([
      'The caption of panel 1 finds no room in the panel at the smallest readable size',
      'Line 2 of panel 1 does not fit at the smallest readable size',
      'Line 1 of panel 2 does not fit at the smallest readable size',
    ]);
  });

  const open: LetteredVoteInput = { status: 'open', newest: true, voters: [], rule: { kind: 'majority' }, coWriters: 3 };
  it.each<[string, LetteredVoteInput, string, ReturnType<typeof voteOnLettered>]>([
    [
      'the first approval of three co-writers',
      open,
      'a',
      { kind: 'counted', tally: { approvals: 1, revisions: 0, required: 2, voters: 3 }, decided: false },
    ],
    [
      'the approval reaching the majority',
      { ...open, voters: ['a'] },
      'b',
      { kind: 'counted', tally: { approvals: 2, revisions: 0, required: 2, voters: 3 }, decided: true },
    ],
    ['a second click by the same co-writer', { ...open, voters: ['a'] }, 'a', { kind: 'refused', reason: 'already_approved_by_you' }],
    ['a click on a version lettered again since', { ...open, newest: false }, 'a', { kind: 'refused', reason: 'stale' }],
    ['a click on a superseded version', { ...open, status: 'superseded', newest: false }, 'a', { kind: 'refused', reason: 'stale' }],
    ['a click on the approved version', { ...open, status: 'approved' }, 'c', { kind: 'refused', reason: 'approved' }],
    [
      'with quorum all, one of three',
      { ...open, rule: { kind: 'all' } },
      'a',
      { kind: 'counted', tally: { approvals: 1, revisions: 0, required: 3, voters: 3 }, decided: false },
    ],
  ])('%s', (_name, input, userId, expected) => {
    expect(voteOnLettered(input, userId)).toEqual(expected);
  });

  it.each([
    [{ status: 'open', newest: true }, null],
    [{ status: 'open', newest: false }, 'stale'],
    [{ status: 'superseded', newest: false }, 'stale'],
    [{ status: 'approved', newest: true }, 'approved'],
  ] as const)('Re-letter from %o: %s', (input, expected) => {
    expect(canReletter(input)).toBe(expected);
  });
});
