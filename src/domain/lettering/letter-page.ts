import { balloonPath, balloonSize } from './balloon-shapes.js';
import { placeBalloon } from './balloon-placement.js';
import { round2, type Point, type Rect } from './geometry.js';
import { layoutFrames, PAGE_GEOMETRY } from './page-layout.js';
import { detailUnder, headRect, placeInFrame, type DetailMap } from './panel-places.js';
import type { BalloonNudge, LetteringScript, LineKind, ReadingDirection, ScriptLine, ScriptPanel } from './script.js';
import { adjustmentFor, SIZE_STEP, withNudgedKinds } from './nudges.js';
import { LINE_HEIGHT, setTextAt, wordsFitAt, type MeasureText, type SetText } from './text-fit.js';

// The lettered page, computed: panel frames, balloons (shape, place, tail) and text lines (size,
// position, direction), plus the problems a person must fix. Pure: text is measured by the function
// passed in and picture detail comes as a grid, both from the compositor.

export interface LetteredLine {
  text: string;
  /** Centre of the line. */
  x: number;
  /** Baseline. */
  y: number;
  direction: ReadingDirection;
}

export interface LetteredBalloon {
  panel: number;
  /** Indexes of the panel's script lines this balloon carries (several when one speaker's lines are joined). */
  lines: number[];
  kind: LineKind;
  speaker: string | null;
  box: Rect;
  /** Where the tail ends (inside the speaker's place), or null. */
  tip: Point | null;
  /** The speaker's place the tail points at. */
  place: Rect | null;
  path: string | null;
  fontSize: number;
  text: LetteredLine[];
}

export interface LetteringProblem {
  panel: number;
  line: number;
  problem: 'too-long' | 'no-room';
  message: string;
}

export interface LetteredPage {
  width: number;
  height: number;
  border: number;
  direction: ReadingDirection;
  language: string;
  panels: { frame: Rect; crop: Rect }[];
  balloons: LetteredBalloon[];
  problems: LetteringProblem[];
  /**
   * Balloons (panel, first script line) whose Smaller or Larger nudge could not be given: no room at
   * the panel's size, or already at the readable range's end. Absent in layouts lettered before it.
   */
  sizesKept?: { panel: number; line: number }[];
}

export interface LetteringInput {
  script: LetteringScript;
  measure: MeasureText;
  /** Per panel, the picture's detail grid; without it balloons only avoid faces. */
  detail?: readonly (DetailMap | undefined)[];
}

interface Group {
  lines: number[];
  kind: LineKind;
  speaker: string | null;
  texts: string[];
}

/** Balloons of a panel in reading order: one speaker's consecutive lines of one kind joined. */
function groupLines(lines: readonly ScriptLine[], skip: ReadonlySet<number>): Group[] {
  const groups: Group[] = [];
  lines.forEach((line, index) => {
    if (skip.has(index)) return;
    const last = groups.at(-1);
    if (last && line.speaker !== null && last.speaker === line.speaker && last.kind === line.kind && line.kind !== 'sound') {
      last.lines.push(index);
      last.texts.push(line.text);
    } else groups.push({ lines: [index], kind: line.kind, speaker: line.speaker, texts: [line.text] });
  });
  // Sound effects go last: they are free and take what room is left.
  return [...groups.filter((g) => g.kind !== 'sound'), ...groups.filter((g) => g.kind === 'sound')];
}

const RTL = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
const LTR = /[\p{L}]/u;
function lineDirection(text: string): ReadingDirection {
  for (const ch of text) {
    if (RTL.test(ch)) return 'rtl';
    if (LTR.test(ch)) return 'ltr';
  }
  return 'ltr';
}

function textLines(set: SetText, box: Rect): LetteredLine[] {
  const lines: LetteredLine[] = [];
  const lineHeight = set.size * LINE_HEIGHT;
  let top = box.y + box.height / 2 - set.height / 2;
  for (const paragraph of set.paragraphs) {
    for (const text of paragraph) {
      lines.push({
        text,
        x: round2(box.x + box.width / 2),
        y: round2(top + lineHeight / 2 + set.size * 0.34),
        direction: lineDirection(text),
      });
      top += lineHeight;
    }
    top += set.size * 0.45;
  }
  return lines;
}

interface PanelContext {
  index: number;
  panel: ScriptPanel;
  frame: Rect;
  crop: Rect;
  direction: ReadingDirection;
  language: string;
  measure: MeasureText;
  detail: DetailMap | undefined;
  nudges: readonly BalloonNudge[];
  /** The format's readable text sizes, which a nudge to a balloon's size stays within (a third above the largest). */
  sizes: { min: number; max: number };
}

const sizeFor = (kind: LineKind, size: number) => (kind === 'sound' ? Math.round(size * 2.2) : size);

/** A balloon's size: the panel's, scaled by its nudges within the format's readable range. */
function nudgedSize(kind: LineKind, size: number, steps: number, sizes: { min: number; max: number }): number {
  if (steps === 0) return sizeFor(kind, size);
  const scaled = Math.round(size * SIZE_STEP ** steps);
  return sizeFor(kind, Math.min(Math.round(sizes.max * 1.34), Math.max(sizes.min, scaled)));
}

/** The part of a frame balloons may use: clear of its border by half a font size. */
function insetArea(frame: Rect, size: number): Rect {
  const inset = Math.max(6, size * 0.5);
  return { x: frame.x + inset, y: frame.y + inset, width: frame.width - 2 * inset, height: frame.height - 2 * inset };
}

/** How wide a text block may be: half the panel for balloons, nearly all of it for captions and sound effects. */
const textWidthFor = (kind: LineKind, area: Rect) => (kind === 'caption' || kind === 'sound' ? area.width * 0.92 : area.width * 0.5);

function letterPanelAt(
  ctx: PanelContext,
  groups: readonly Group[],
  size: number,
  allOrNothing: boolean,
): { balloons: LetteredBalloon[]; failed: Group[] } | null {
  const area = insetArea(ctx.frame, size);
  const heads = Object.values(ctx.panel.placements).map((p) => headRect(placeInFrame(ctx.panel, ctx.frame, ctx.crop, p)));
  const balloons: LetteredBalloon[] = [];
  const failed: Group[] = [];
  for (const [index, group] of groups.entries()) {
    const adjustment = adjustmentFor(ctx.nudges, ctx.index, group.lines);
    const fontSize = nudgedSize(group.kind, size, adjustment.sizeSteps, ctx.sizes);
    const maxWidth = textWidthFor(group.kind, area);
    const set = setTextAt(group.texts, group.kind, fontSize, { maxWidth, maxHeight: area.height * 0.45 }, ctx.measure, ctx.language);
    const placement = group.speaker === null ? undefined : ctx.panel.placements[group.speaker];
    const place = placement ? placeInFrame(ctx.panel, ctx.frame, ctx.crop, placement) : null;
    const tailed = place && group.kind !== 'caption' && group.kind !== 'sound' ? place : null;
    const dims = set ? balloonSize(group.kind, set, fontSize) : null;
    const placed = dims
      ? placeBalloon({
          kind: group.kind,
          size: dims,
          fontSize,
          area,
          place: tailed,
          placed: balloons.map((b) => b.box),
          after: balloons.filter((b) => b.kind !== 'sound').map((b) => b.box),
          heads,
          direction: ctx.direction,
          detail: (rect) => detailUnder(ctx.detail, ctx.panel, ctx.frame, ctx.crop, rect),
          followed: groups.slice(index + 1).some((later) => later.kind !== 'sound'),
          skip: adjustment.skip,
          otherSide: adjustment.otherSide,
        })
      : null;
    if (!set || !placed) {
      if (allOrNothing) return null;
      failed.push(group);
      continue;
    }
    balloons.push({
      panel: ctx.index,
      lines: group.lines,
      kind: group.kind,
      speaker: group.speaker,
      box: placed.box,
      tip: placed.tip,
      place: tailed,
      path: balloonPath(group.kind, placed.box, placed.tip, fontSize),
      fontSize,
      text: textLines(set, placed.box),
    });
  }
  return { balloons, failed };
}

/** One panel lettered at the largest size (binary search) at which all its balloons fit; the rest flagged. */
function letterPanel(
  ctx: PanelContext,
  sizes: { min: number; max: number },
): { balloons: LetteredBalloon[]; problems: LetteringProblem[]; size: number | null } {
  const problems: LetteringProblem[] = [];
  const widest = insetArea(ctx.frame, sizes.min);
  const tooLong = new Set<number>();
  ctx.panel.lines.forEach((line, index) => {
    if (wordsFitAt([line.text], line.kind, sizeFor(line.kind, sizes.min), textWidthFor(line.kind, widest), ctx.measure, ctx.language))
      return;
    tooLong.add(index);
    problems.push({
      panel: ctx.index,
      line: index,
      problem: 'too-long',
      message: `panel ${ctx.index + 1}, line ${index + 1}: a word is wider than a balloon at the smallest readable size`,
    });
  });
  const groups = groupLines(ctx.panel.lines, tooLong);
  let low = sizes.min;
  let high = sizes.max;
  let best = letterPanelAt(ctx, groups, low, true);
  if (best) {
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      const tried = letterPanelAt(ctx, groups, mid, true);
      if (tried) {
        best = tried;
        low = mid;
      } else high = mid - 1;
    }
    return { balloons: best.balloons, problems, size: low };
  }
  const partial = letterPanelAt(ctx, groups, sizes.min, false) ?? { balloons: [], failed: groups };
  for (const group of partial.failed) {
    for (const line of group.lines)
      problems.push({
        panel: ctx.index,
        line,
        problem: 'no-room',
        message: `panel ${ctx.index + 1}, line ${line + 1}: no room for it at the smallest readable size; shorten it or split the panel`,
      });
  }
  return { balloons: partial.balloons, problems, size: null };
}

/** Letters a page: frames for the panels, then each panel's balloons in reading order. */
export function letterPage(input: LetteringInput): LetteredPage {
  const nudges = input.script.nudges ?? [];
  const script = nudges.length > 0 ? { ...input.script, panels: withNudgedKinds(input.script.panels, nudges) } : input.script;
  const frames = layoutFrames(script.panels, script.format, script.direction);
  const sizes = PAGE_GEOMETRY[script.format].font;
  const contexts = script.panels.flatMap((panel, index): PanelContext[] => {
    const slot = frames.panels[index];
    return slot
      ? [
          {
            index,
            panel,
            frame: slot.frame,
            crop: slot.crop,
            direction: script.direction,
            language: script.language,
            measure: input.measure,
            detail: input.detail?.[index],
            nudges,
            sizes,
          },
        ]
      : [];
  });
  // Each panel's largest size first, without Smaller/Larger nudges (a nudged balloon grows against its
  // panel, not the panel shrinking under it); then no panel above the page's median, so the lettering
  // reads as one hand (a cramped panel keeps its own smaller size rather than shrinking the whole page).
  const first = contexts.map((ctx) => letterPanel(withoutSizeNudges(ctx), sizes));
  const fitted = first.flatMap((result) => (result.size === null ? [] : [result.size]));
  const uniform = fitted.length > 0 ? ([...fitted].sort((a, b) => a - b)[Math.floor((fitted.length - 1) / 2)] ?? sizes.min) : sizes.min;
  const balloons: LetteredBalloon[] = [];
  const problems: LetteringProblem[] = [];
  const sizesKept: { panel: number; line: number }[] = [];
  contexts.forEach((ctx, i) => {
    const own = first[i];
    if (!own) return;
    const again = own.size !== null && own.size > uniform ? letterPanel(withoutSizeNudges(ctx), { min: uniform, max: uniform }) : null;
    let result = again && again.size !== null ? again : own;
    const resized = sizeNudgesOf(ctx);
    if (resized.length > 0) {
      // The size nudges at the panel's size; when they do not fit there, the balloons keep their size and the page says so.
      const nudged = result.size === null ? null : letterPanel(ctx, { min: result.size, max: result.size });
      if (nudged && nudged.size !== null) {
        result = nudged;
        sizesKept.push(...clampedBalloons(ctx, nudged.size, nudged.balloons));
      } else sizesKept.push(...[...new Set(resized.map((n) => n.lines[0] ?? 0))].map((line) => ({ panel: ctx.index, line })));
    }
    balloons.push(...result.balloons);
    problems.push(...result.problems);
  });
  return {
    width: frames.width,
    height: frames.height,
    border: PAGE_GEOMETRY[script.format].border,
    direction: script.direction,
    language: script.language,
    panels: frames.panels,
    balloons,
    problems,
    sizesKept,
  };
}

const isSizeNudge = (nudge: BalloonNudge) => nudge.change === 'larger' || nudge.change === 'smaller';
const sizeNudgesOf = (ctx: PanelContext) => ctx.nudges.filter((nudge) => nudge.panel === ctx.index && isSizeNudge(nudge));
const withoutSizeNudges = (ctx: PanelContext): PanelContext => ({ ...ctx, nudges: ctx.nudges.filter((nudge) => !isSizeNudge(nudge)) });

/** Nudged balloons whose last step changed nothing: the readable range's end was already reached. */
function clampedBalloons(ctx: PanelContext, size: number, balloons: readonly LetteredBalloon[]): { panel: number; line: number }[] {
  return balloons.flatMap((balloon) => {
    const steps = adjustmentFor(ctx.nudges, ctx.index, balloon.lines).sizeSteps;
    if (steps === 0) return [];
    const oneLess = nudgedSize(balloon.kind, size, steps - Math.sign(steps), ctx.sizes);
    return oneLess === balloon.fontSize ? [{ panel: ctx.index, line: balloon.lines[0] ?? 0 }] : [];
  });
}
