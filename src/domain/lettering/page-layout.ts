import type { Rect } from './geometry.js';
import type { PageFormat, ReadingDirection } from './script.js';

// Panel frames on the page: a layout chosen for the panel count and the pictures' shapes. Rows keep
// each panel close to its picture's proportions; right-to-left pages mirror the rows. Pure.

export interface PageGeometry {
  width: number;
  /** Null for a webtoon strip, whose height follows its panels. */
  height: number | null;
  margin: number;
  gutter: number;
  border: number;
  /** Lettering sizes in pixels: the smallest a reader reads comfortably, and where fitting starts. */
  font: { min: number; max: number };
}

export const PAGE_GEOMETRY: Record<PageFormat, PageGeometry> = {
  comic: { width: 1200, height: 1800, margin: 48, gutter: 24, border: 4, font: { min: 15, max: 28 } },
  square: { width: 1200, height: 1200, margin: 40, gutter: 20, border: 4, font: { min: 15, max: 28 } },
  webtoon: { width: 800, height: null, margin: 0, gutter: 96, border: 0, font: { min: 16, max: 26 } },
};

export interface PanelFrame {
  /** Where the panel sits on the page. */
  frame: Rect;
  /** The part of the picture shown (cover crop, centred), in picture pixels. */
  crop: Rect;
}

export interface PageFrames {
  width: number;
  height: number;
  panels: PanelFrame[];
}

/** Every way to cut `count` panels into rows of 1 to 3, in a fixed order. */
function rowSplits(count: number): number[][] {
  if (count === 0) return [[]];
  const splits: number[][] = [];
  for (const first of [2, 3, 1]) if (first <= count) for (const rest of rowSplits(count - first)) splits.push([first, ...rest]);
  return splits;
}

const MEMO = new Map<number, number[][]>();
const splitsFor = (count: number) => MEMO.get(count) ?? (MEMO.set(count, rowSplits(count)), rowSplits(count));

/**
 * Rows for a page of fixed height: the split whose rows, each as tall as its pictures' proportions
 * ask at the page's width, need the least stretching to fill the page, with even rows preferred.
 */
export function chooseRows(aspects: readonly number[], innerWidth: number, innerHeight: number, gutter: number): number[] {
  let best: number[] = [aspects.length];
  let bestCost = Infinity;
  for (const split of splitsFor(aspects.length)) {
    let at = 0;
    let natural = 0;
    for (const size of split) {
      const row = aspects.slice(at, at + size);
      at += size;
      natural += (innerWidth - gutter * (size - 1)) / row.reduce((sum, a) => sum + a, 0);
    }
    const available = innerHeight - gutter * (split.length - 1);
    const average = aspects.length / split.length;
    const cost = Math.abs(Math.log(available / natural)) + 0.25 * split.reduce((sum, size) => sum + Math.abs(size - average), 0);
    if (cost < bestCost - 1e-9) {
      bestCost = cost;
      best = split;
    }
  }
  return best;
}

function coverCrop(picture: { width: number; height: number }, frame: Rect): Rect {
  const scale = Math.max(frame.width / picture.width, frame.height / picture.height);
  const width = frame.width / scale;
  const height = frame.height / scale;
  return { x: (picture.width - width) / 2, y: (picture.height - height) / 2, width, height };
}

const snap = (n: number) => Math.round(n);
const MAX_STRETCH = 1.2;

/** The page's panel frames in reading order (right to left within a row for manga). */
export function layoutFrames(
  pictures: readonly { width: number; height: number }[],
  format: PageFormat,
  direction: ReadingDirection,
): PageFrames {
  const g = PAGE_GEOMETRY[format];
  const innerWidth = g.width - 2 * g.margin;
  const aspects = pictures.map((p) => p.width / p.height);
  const frames: Rect[] = [];
  let height: number;
  if (g.height === null) {
    let y = g.gutter / 2;
    for (const aspect of aspects) {
      const h = snap(innerWidth / aspect);
      frames.push({ x: g.margin, y, width: innerWidth, height: h });
      y += h + g.gutter;
    }
    height = y - g.gutter / 2;
  } else {
    height = g.height;
    const innerHeight = g.height - 2 * g.margin;
    const split = chooseRows(aspects, innerWidth, innerHeight, g.gutter);
    const naturals: number[] = [];
    let at = 0;
    for (const size of split) {
      const row = aspects.slice(at, at + size);
      at += size;
      naturals.push((innerWidth - g.gutter * (size - 1)) / row.reduce((s, a) => s + a, 0));
    }
    // Rows stretch to fill the page, but not so far that the crop loses the picture's sides; a page
    // of few wide panels is centred instead.
    const available = innerHeight - g.gutter * (split.length - 1);
    const total = naturals.reduce((s, n) => s + n, 0);
    const scale = Math.min(available / total, MAX_STRETCH);
    let y = g.margin + (available - total * scale) / 2;
    at = 0;
    split.forEach((size, r) => {
      const rowHeight = (naturals[r] ?? 0) * scale;
      const row = aspects.slice(at, at + size);
      const sum = row.reduce((s, a) => s + a, 0);
      let x = g.margin;
      row.forEach((aspect, i) => {
        const w = i === size - 1 ? g.margin + innerWidth - x : ((innerWidth - g.gutter * (size - 1)) * aspect) / sum;
        frames.push({ x: snap(x), y: snap(y), width: snap(x + w) - snap(x), height: snap(y + rowHeight) - snap(y) });
        x += w + g.gutter;
      });
      y += rowHeight + g.gutter;
      at += size;
    });
  }
  const placed = direction === 'rtl' ? frames.map((f) => ({ ...f, x: g.width - f.x - f.width })) : frames;
  return {
    width: g.width,
    height,
    panels: placed.map((frame, i) => ({ frame, crop: coverCrop(pictures[i] ?? { width: 1, height: 1 }, frame) })),
  };
}
