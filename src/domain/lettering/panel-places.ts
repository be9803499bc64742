import { bottom, intersectionArea, type Point, type Rect } from './geometry.js';
import type { Placement } from './script.js';

// Where characters stand inside a panel frame and how busy the picture is under a rectangle. Pure.

const THIRDS = { left: 0, centre: 1, right: 2 } as const;

/**
 * A character's place in the frame: a third of its width, and the band a figure fills, nearer
 * figures larger and reaching higher, the head in the place's upper part.
 */
export function placeRect(frame: Rect, placement: Placement): Rect {
  const third = frame.width / 3;
  const [top, bottomAt] = placement.depth === 'near' ? [0.2, 1] : [0.36, 0.84];
  return {
    x: frame.x + third * THIRDS[placement.x],
    y: frame.y + frame.height * top,
    width: third,
    height: frame.height * (bottomAt - top),
  };
}

/**
 * A character's place as the reader sees it: placed in the whole picture, then carried through the
 * panel's crop onto its frame and kept inside the frame.
 */
export function placeInFrame(picture: { width: number; height: number }, frame: Rect, crop: Rect, placement: Placement): Rect {
  const inPicture = placeRect({ x: 0, y: 0, width: picture.width, height: picture.height }, placement);
  const sx = frame.width / crop.width;
  const sy = frame.height / crop.height;
  const x0 = Math.max(frame.x, frame.x + (inPicture.x - crop.x) * sx);
  const y0 = Math.max(frame.y, frame.y + (inPicture.y - crop.y) * sy);
  const x1 = Math.min(frame.x + frame.width, frame.x + (inPicture.x + inPicture.width - crop.x) * sx);
  const y1 = Math.min(frame.y + frame.height, frame.y + (inPicture.y + inPicture.height - crop.y) * sy);
  // A place cropped out of the frame shrinks to a sliver on the frame's edge nearest it.
  const width = Math.max(8, x1 - x0);
  const height = Math.max(8, y1 - y0);
  return { x: Math.min(x0, frame.x + frame.width - width), y: Math.min(y0, frame.y + frame.height - height), width, height };
}

/** Where the head is in a place: a circle near its top. */
export function headOf(place: Rect): { centre: Point; radius: number } {
  return { centre: { x: place.x + place.width / 2, y: place.y + place.height * 0.17 }, radius: Math.min(place.width, place.height) * 0.13 };
}

/** The head's box, which balloons should not cover. */
export function headRect(place: Rect): Rect {
  const { centre, radius } = headOf(place);
  return { x: centre.x - radius * 1.3, y: centre.y - radius * 1.3, width: radius * 2.6, height: radius * 2.6 };
}

/**
 * Where a tail ends: aimed at the speaker's head and stopping just short of it, on the side of the
 * balloon, and always inside the speaker's place.
 */
export function tailTip(place: Rect, from: Point): Point {
  const { centre, radius } = headOf(place);
  const dx = from.x - centre.x;
  const dy = from.y - centre.y;
  const length = Math.hypot(dx, dy) || 1;
  const pull = Math.min(radius * 1.35, length / 2);
  const inset = 2;
  return {
    x: Math.round(Math.min(place.x + place.width - inset, Math.max(place.x + inset, centre.x + (dx / length) * pull))),
    y: Math.round(Math.min(bottom(place) - inset, Math.max(place.y + inset, centre.y + (dy / length) * pull))),
  };
}

/** Picture detail on a grid of cells over the whole picture, each 0 (flat) to 1 (busy). */
export interface DetailMap {
  columns: number;
  rows: number;
  values: readonly number[];
}

/** Mean detail of the picture under `rect` (page pixels), through the panel's frame and crop. */
export function detailUnder(
  map: DetailMap | undefined,
  picture: { width: number; height: number },
  frame: Rect,
  crop: Rect,
  rect: Rect,
): number {
  if (!map || rect.width <= 0 || rect.height <= 0) return 0;
  const sx = crop.width / frame.width;
  const sy = crop.height / frame.height;
  const inPicture: Rect = {
    x: crop.x + (rect.x - frame.x) * sx,
    y: crop.y + (rect.y - frame.y) * sy,
    width: rect.width * sx,
    height: rect.height * sy,
  };
  const cellW = picture.width / map.columns;
  const cellH = picture.height / map.rows;
  const c0 = Math.max(0, Math.floor(inPicture.x / cellW));
  const c1 = Math.min(map.columns - 1, Math.floor((inPicture.x + inPicture.width) / cellW));
  const r0 = Math.max(0, Math.floor(inPicture.y / cellH));
  const r1 = Math.min(map.rows - 1, Math.floor((inPicture.y + inPicture.height) / cellH));
  let sum = 0;
  for (let row = r0; row <= r1; row += 1) {
    for (let column = c0; column <= c1; column += 1) {
      const area = intersectionArea(inPicture, { x: column * cellW, y: row * cellH, width: cellW, height: cellH });
      sum += area * (map.values[row * map.columns + column] ?? 0);
    }
  }
  return sum / (inPicture.width * inPicture.height);
}
