import { describe, expect, it } from 'vitest';
import { parseScriptText } from '../../src/domain/dialogue-script.js';
import { contains, overlaps } from '../../src/domain/lettering/geometry.js';
import { letterPage } from '../../src/domain/lettering/letter-page.js';
import { layoutFrames, PAGE_GEOMETRY } from '../../src/domain/lettering/page-layout.js';
import { letteringScriptFromDialogue, PAGE_FORMATS, type LetteringScript } from '../../src/domain/lettering/script.js';
import type { MeasureText } from '../../src/domain/lettering/text-fit.js';

// The page layout and the letterer, pure: a plain measure (each character 0.55 em) stands in for the fonts.
const measure: MeasureText = (text, _kind, size) => [...text].length * size * 0.55;
const SHAPES = [
  { width: 832, height: 1216 },
  { width: 1216, height: 832 },
  { width: 1024, height: 1024 },
  { width: 1344, height: 768 },
];

describe('page layout', () => {
  for (const format of PAGE_FORMATS) {
    it(`${format}: 1 to 12 panels of mixed shapes sit inside the page, apart, in reading order both ways`, () => {
      for (let count = 1; count <= 12; count += 1) {
        const pictures = Array.from({ length: count }, (_, i) => SHAPES[(i * 7 + count) % SHAPES.length]!);
        const ltr = layoutFrames(pictures, format, 'ltr');
        const rtl = layoutFrames(pictures, format, 'rtl');
        if (PAGE_GEOMETRY[format].height !== null) expect(ltr.height).toBe(PAGE_GEOMETRY[format].height);
        const page = { x: 0, y: 0, width: ltr.width, height: ltr.height };
        ltr.panels.forEach(({ frame }, i) => {
          expect(contains(page, frame), `${count} panels: panel ${i + 1} inside the page`).toBe(true);
          expect(frame.width).toBeGreaterThan(100);
          for (const other of ltr.panels.slice(i + 1)) expect(overlaps(frame, other.frame)).toBe(false);
          const next = ltr.panels[i + 1]?.frame;
          // Reading order: the next panel is further right on the same row, or on a lower row.
          if (next) expect(next.y > frame.y || (next.y === frame.y && next.x > frame.x)).toBe(true);
          const mirrored = rtl.panels[i]!.frame;
          expect(mirrored).toEqual({ ...frame, x: ltr.width - frame.x - frame.width });
        });
      }
    });
  }

  it('gives a wide picture a frame close to its own proportions', () => {
    const [only] = layoutFrames([{ width: 1344, height: 768 }], 'comic', 'ltr').panels;
    expect(only!.frame.width / only!.frame.height).toBeGreaterThan(1.4);
  });
});

describe('scripts written before lines had kinds', () => {
  it('letter with defaults: the caption as a caption box, SFX as a sound effect, speakers spread across the panel', () => {
    const parsed = parseScriptText('Panel 1\n*Night.*\nKai: Who is there?\nMira: Only me.\nSFX: CREAK\n\nPanel 2\nKai: Oh.');
    if (!parsed.ok) throw new Error(parsed.problem);
    const script = letteringScriptFromDialogue(parsed.script, [{ width: 1216, height: 832 }]);
    expect(script).toMatchObject({ format: 'comic', direction: 'ltr', language: 'und' });
    expect(script.panels[0]!.lines.map((l) => [l.kind, l.speaker])).toEqual([
      ['caption', null],
      ['speech', 'Kai'],
      ['speech', 'Mira'],
      ['sound', null],
    ]);
    expect(script.panels[0]!.placements).toEqual({ Kai: { x: 'left', depth: 'near' }, Mira: { x: 'right', depth: 'near' } });
    expect(script.panels[1]).toMatchObject({ width: 1216, height: 832, placements: { Kai: { x: 'centre', depth: 'near' } } });
    const page = letterPage({ script, measure });
    expect(page.problems).toEqual([]);
    expect(page.balloons.map((b) => b.kind)).toEqual(['caption', 'speech', 'speech', 'sound', 'speech']);
  });

  it('on a right-to-left page the first speaker stands on the right, where reading starts, and speaks from the right', () => {
    const parsed = parseScriptText('Panel 1\nKai: Who is there?\nMira: Only me.\nRen: And me.\n\nPanel 2\nKai: Oh.\nMira: Hush.');
    if (!parsed.ok) throw new Error(parsed.problem);
    const script = letteringScriptFromDialogue(parsed.script, [{ width: 1216, height: 832 }], { direction: 'rtl', language: 'ja' });
    expect(script.panels.map((p) => p.placements)).toEqual([
      { Kai: { x: 'right', depth: 'near' }, Mira: { x: 'centre', depth: 'near' }, Ren: { x: 'left', depth: 'near' } },
      { Kai: { x: 'right', depth: 'near' }, Mira: { x: 'left', depth: 'near' } },
    ]);
    const page = letterPage({ script, measure });
    const [first, second] = page.balloons.filter((b) => b.panel === 1);
    expect(first!.box.x).toBeGreaterThan(second!.box.x);
  });
});

describe('the letterer', () => {
  const script = (lines: string[]): LetteringScript => ({
    format: 'comic',
    direction: 'ltr',
    language: 'en',
    panels: [
      {
        width: 1024,
        height: 1024,
        placements: { Kai: { x: 'left', depth: 'near' } },
        lines: lines.map((text) => ({ speaker: 'Kai', kind: 'speech', text })),
      },
    ],
  });

  it('sets text at the largest size that fits and smaller when the text is longer', () => {
    const short = letterPage({ script: script(['Hi.']), measure }).balloons[0]!;
    const long = letterPage({ script: script(['A much longer line of dialogue that goes on and on and on. '.repeat(12)]), measure })
      .balloons[0]!;
    expect(short.fontSize).toBe(PAGE_GEOMETRY.comic.font.max);
    expect(long.fontSize).toBeLessThan(short.fontSize);
    expect(long.fontSize).toBeGreaterThanOrEqual(PAGE_GEOMETRY.comic.font.min);
  });

  it('flags a word too wide for any balloon and a line with no room, and letters neither', () => {
    const page = letterPage({ script: script([`${'x'.repeat(140)}`, 'Fine.']), measure });
    expect(page.problems).toMatchObject([{ panel: 0, line: 0, problem: 'too-long' }]);
    expect(page.balloons.map((b) => b.lines)).toEqual([[1]]);
    const crowded = letterPage({ script: script(['Words and more words. '.repeat(120)]), measure });
    expect(crowded.problems).toMatchObject([{ panel: 0, line: 0, problem: 'no-room' }]);
    expect(crowded.balloons).toEqual([]);
  });

  it("joins one speaker's consecutive lines into one balloon", () => {
    const page = letterPage({ script: script(['Wait.', 'Listen.']), measure });
    expect(page.balloons.map((b) => b.lines)).toEqual([[0, 1]]);
  });

  it('keeps balloons off the busy part of the picture', () => {
    // Left half busy, right half calm: the balloon goes right even though its speaker stands left.
    const detail = { columns: 2, rows: 1, values: [1, 0] };
    const page = letterPage({ script: script(['Over here.']), measure, detail: [detail] });
    const frame = page.panels[0]!.frame;
    expect(page.balloons[0]!.box.x).toBeGreaterThan(frame.x + frame.width / 2);
    const calm = letterPage({ script: script(['Over here.']), measure }).balloons[0]!;
    expect(calm.box.x).toBeLessThan(frame.x + frame.width / 2);
  });

  it('a caption with balloons after it keeps to a top corner, even where the bottom is calmer', () => {
    // Top busy, bottom calm: alone, the caption may sit low; followed, it leaves the room below to the lines that read after it.
    const detail = { columns: 1, rows: 2, values: [1, 0] };
    const pictures = [{ width: 1216, height: 832 }];
    const followed = letterPage({
      script: letteringScriptFromDialogue(
        {
          panels: [
            {
              panel: 1,
              caption: 'Dawn at the pass.',
              lines: [
                { speaker: 'Mira', line: 'Keep the lantern low.' },
                { speaker: 'Kai', line: 'Why? Nobody climbs this high.' },
              ],
            },
          ],
        },
        pictures,
      ),
      measure,
      detail: [detail],
    });
    const frame = followed.panels[0]!.frame;
    expect(followed.problems).toEqual([]);
    expect(followed.balloons[0]).toMatchObject({ kind: 'caption' });
    expect(followed.balloons[0]!.box.y).toBeLessThan(frame.y + frame.height / 2);
    const alone = letterPage({
      script: letteringScriptFromDialogue({ panels: [{ panel: 1, caption: 'Dawn at the pass.', lines: [] }] }, pictures),
      measure,
      detail: [detail],
    });
    expect(alone.balloons[0]!.box.y).toBeGreaterThan(frame.y + frame.height / 2);
  });
});
