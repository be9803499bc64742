import { describe, expect, it } from 'vitest';
import { centre, contains, containsPoint, overlaps } from '../../src/domain/lettering/geometry.js';
import { letterPage, type LetteredBalloon } from '../../src/domain/lettering/letter-page.js';
import { adjustmentFor, nudgeOptions, NO_ADJUSTMENT } from '../../src/domain/lettering/nudges.js';
import type { BalloonNudge, LetteringScript, NudgeChange } from '../../src/domain/lettering/script.js';
import type { MeasureText } from '../../src/domain/lettering/text-fit.js';

// A co-writer's nudges of single balloons, pure: each one changes that balloon as it says and keeps
// every rule of the letterer (inside its panel, clear of the others, the tail in its speaker's place).
const measure: MeasureText = (text, _kind, size) => [...text].length * size * 0.55;

const script: LetteringScript = {
  format: 'comic',
  direction: 'ltr',
  language: 'en',
  panels: [
    {
      width: 1216,
      height: 832,
      placements: { Kai: { x: 'left', depth: 'near' }, Mira: { x: 'right', depth: 'near' } },
      lines: [
        { speaker: null, kind: 'caption', text: 'Dawn at the pass.' },
        { speaker: 'Kai', kind: 'speech', text: 'Who is there?' },
        { speaker: 'Mira', kind: 'speech', text: 'Only me. Keep the lantern low.' },
      ],
    },
    {
      width: 1024,
      height: 1024,
      placements: { Kai: { x: 'centre', depth: 'near' } },
      lines: [{ speaker: 'Kai', kind: 'speech', text: 'It glows on its own.' }],
    },
  ],
};

const lettered = (nudges: BalloonNudge[]) => letterPage({ script: { ...script, nudges }, measure });
const balloonOf = (page: ReturnType<typeof letterPage>, panel: number, line: number): LetteredBalloon => {
  const found = page.balloons.find((b) => b.panel === panel && b.lines.includes(line));
  if (!found) throw new Error(`no balloon for panel ${panel} line ${line}`);
  return found;
};
const kai = (change: NudgeChange): BalloonNudge => ({ panel: 0, lines: [1], change });

function expectRulesKept(page: ReturnType<typeof letterPage>): void {
  expect(page.problems).toEqual([]);
  page.balloons.forEach((b, i) => {
    expect(contains(page.panels[b.panel]!.frame, b.box)).toBe(true);
    for (const other of page.balloons.slice(i + 1)) expect(overlaps(b.box, other.box)).toBe(false);
    if (b.tip && b.place) expect(containsPoint(b.place, b.tip)).toBe(true);
  });
}

describe('what the nudges of a version ask of one balloon', () => {
  const table: { nudges: BalloonNudge[]; expected: typeof NO_ADJUSTMENT }[] = [
    { nudges: [], expected: NO_ADJUSTMENT },
    { nudges: [kai('place')], expected: { skip: 1, otherSide: false, sizeSteps: 0 } },
    { nudges: [kai('place'), kai('place')], expected: { skip: 2, otherSide: false, sizeSteps: 0 } },
    { nudges: [kai('tail')], expected: { skip: 0, otherSide: true, sizeSteps: 0 } },
    { nudges: [kai('tail'), kai('tail')], expected: NO_ADJUSTMENT },
    { nudges: [kai('smaller'), kai('smaller'), kai('larger')], expected: { skip: 0, otherSide: false, sizeSteps: -1 } },
    // Another balloon's nudges, or a kind, do not move this one.
    {
      nudges: [{ panel: 0, lines: [2], change: 'place' }, { panel: 1, lines: [1], change: 'tail' }, kai('shout')],
      expected: NO_ADJUSTMENT,
    },
  ];
  for (const { nudges, expected } of table)
    it(`${nudges.map((n) => `${n.panel}/${n.lines.join('+')} ${n.change}`).join(', ') || 'none'} → ${JSON.stringify(expected)}`, () => {
      expect(adjustmentFor(nudges, 0, [1])).toEqual(expected);
    });
});

describe('the nudges a balloon offers', () => {
  it.each([
    [{ kind: 'speech' as const, tip: { x: 1, y: 1 } }, ['place', 'tail', 'smaller', 'larger', 'thought', 'whisper', 'shout']],
    [{ kind: 'shout' as const, tip: { x: 1, y: 1 } }, ['place', 'tail', 'smaller', 'larger', 'speech', 'thought', 'whisper']],
    [{ kind: 'speech' as const, tip: null }, ['place', 'smaller', 'larger', 'thought', 'whisper', 'shout']],
    [{ kind: 'caption' as const, tip: null }, ['place', 'smaller', 'larger']],
    [{ kind: 'sound' as const, tip: null }, ['place', 'smaller', 'larger']],
  ])('%j: %j', (balloon, changes) => {
    expect(nudgeOptions(balloon).map((o) => o.change)).toEqual(changes);
    for (const option of nudgeOptions(balloon)) expect(option.label.length).toBeLessThanOrEqual(100);
  });
});

describe('the letterer with nudges', () => {
  const plain = lettered([]);
  const before = balloonOf(plain, 0, 1);

  it('lays the page out the same with no nudges', () => {
    expect(letterPage({ script, measure })).toEqual(plain);
    expectRulesKept(plain);
  });

  it('another place moves the balloon, and the next one moves it again to a third place; the others keep the rules', () => {
    const once = lettered([kai('place')]);
    const twice = lettered([kai('place'), kai('place')]);
    expect(balloonOf(once, 0, 1).box).not.toEqual(before.box);
    expect(balloonOf(twice, 0, 1).box).not.toEqual(before.box);
    expect(balloonOf(twice, 0, 1).box).not.toEqual(balloonOf(once, 0, 1).box);
    expectRulesKept(once);
    expectRulesKept(twice);
    // Another panel's balloon is untouched.
    expect(balloonOf(once, 1, 0)).toEqual(balloonOf(plain, 1, 0));
  });

  it('tail to the other side puts the balloon across its speaker, the tail still ending in the speaker’s place; twice is back', () => {
    const sideOf = (b: LetteredBalloon) => Math.sign(centre(b.box).x - centre(b.place!).x);
    const turned = balloonOf(lettered([kai('tail')]), 0, 1);
    expect(sideOf(turned)).toBe(-sideOf(before));
    expect(containsPoint(turned.place!, turned.tip!)).toBe(true);
    expectRulesKept(lettered([kai('tail')]));
    expect(balloonOf(lettered([kai('tail'), kai('tail')]), 0, 1)).toEqual(before);
  });

  it('smaller and larger change the balloon’s text size within the readable range', () => {
    const smaller = balloonOf(lettered([kai('smaller')]), 0, 1);
    const larger = balloonOf(lettered([kai('larger')]), 0, 1);
    expect(smaller.fontSize).toBeLessThan(before.fontSize);
    expect(larger.fontSize).toBeGreaterThan(before.fontSize);
    expect(larger.box.width).toBeGreaterThan(before.box.width);
    const smallest = balloonOf(lettered(Array.from({ length: 12 }, () => kai('smaller'))), 0, 1);
    expect(smallest.fontSize).toBe(15);
    const largest = balloonOf(lettered(Array.from({ length: 12 }, () => kai('larger'))), 0, 1);
    expect(largest.fontSize).toBeLessThanOrEqual(Math.round(28 * 1.34));
  });

  it('a size nudge leaves the panel’s size alone; where it does not fit, the balloon keeps its size and the page says so', () => {
    const long = 'Only me. Keep the lantern low, they might see us from the ridge.';
    const crowdedScript = (lines: number): LetteringScript => ({
      ...script,
      panels: [
        {
          ...script.panels[0]!,
          lines: Array.from({ length: lines }, (_, i) => ({ speaker: i % 2 ? 'Kai' : 'Mira', kind: 'speech' as const, text: long })),
        },
        script.panels[1]!,
      ],
    });
    for (const lines of [2, 3, 4, 5, 6, 7]) {
      const plainPage = letterPage({ script: crowdedScript(lines), measure });
      const last = { panel: 0, lines: [lines - 1], change: 'larger' as const };
      const page = letterPage({ script: { ...crowdedScript(lines), nudges: [last] }, measure });
      // Never fewer balloons, never a smaller one; the others keep their size.
      expect(page.balloons.length).toBe(plainPage.balloons.length);
      const grown = balloonOf(page, 0, lines - 1).fontSize;
      const was = balloonOf(plainPage, 0, lines - 1).fontSize;
      if (page.sizesKept?.length) {
        expect(page.sizesKept).toEqual([{ panel: 0, line: lines - 1 }]);
        expect(page.balloons).toEqual(plainPage.balloons);
      } else expect(grown).toBeGreaterThan(was);
      for (const other of page.balloons.filter((b) => !b.lines.includes(lines - 1)))
        expect(other.fontSize).toBe(balloonOf(plainPage, other.panel, other.lines[0]!).fontSize);
    }
    // Both outcomes occur over these panels: roomy ones grow the balloon, crowded ones keep it.
    const outcomes = [2, 7].map(
      (lines) =>
        letterPage({ script: { ...crowdedScript(lines), nudges: [{ panel: 0, lines: [lines - 1], change: 'larger' }] }, measure })
          .sizesKept,
    );
    expect(outcomes).toEqual([[], [{ panel: 0, line: 6 }]]);
  });

  it('a nudge past the readable range’s end is recorded as kept', () => {
    expect(lettered([kai('larger')]).sizesKept).toEqual([]);
    expect(lettered(Array.from({ length: 12 }, () => kai('larger'))).sizesKept).toEqual([{ panel: 0, line: 1 }]);
    expect(lettered(Array.from({ length: 12 }, () => kai('smaller'))).sizesKept).toEqual([{ panel: 0, line: 1 }]);
  });

  it('another kind changes a spoken balloon’s shape; a caption keeps its kind', () => {
    for (const kind of ['thought', 'whisper', 'shout'] as const) {
      const page = lettered([kai(kind)]);
      expect(balloonOf(page, 0, 1).kind).toBe(kind);
      // A whisper keeps speech's outline, drawn dashed; a thought and a shout have their own.
      if (kind !== 'whisper') expect(balloonOf(page, 0, 1).path).not.toEqual(before.path);
      expectRulesKept(page);
    }
    expect(balloonOf(lettered([{ panel: 0, lines: [0], change: 'shout' }]), 0, 0).kind).toBe('caption');
  });

  it('the same nudges give the same page', () => {
    const nudges: BalloonNudge[] = [kai('place'), kai('tail'), kai('larger'), { panel: 1, lines: [0], change: 'whisper' }];
    expect(lettered(nudges)).toEqual(lettered(nudges));
  });
});
