import { bottom, centre, contains, intersectionArea, overlaps, right, type Point, type Rect } from './geometry.js';
import type { LineKind, ReadingDirection } from './script.js';
import { tailClearance } from './balloon-shapes.js';
import { tailTip } from './panel-places.js';

// Where a balloon goes: among candidate places in its panel, the one covering the least picture
// detail and no face, near its speaker and high in the panel, never over another balloon, outside
// the panel, or before a balloon it follows in reading order. Pure.

export interface PlacementRequest {
  kind: LineKind;
  size: { width: number; height: number };
  fontSize: number;
  /** The panel's frame shrunk by the room kept clear of its border. */
  area: Rect;
  /** The speaker's place, when the balloon has a tail. */
  place: Rect | null;
  placed: readonly Rect[];
  /** Boxes of earlier balloons in reading order: this one must read after all of them. */
  after: readonly Rect[];
  heads: readonly Rect[];
  direction: ReadingDirection;
  detail: (rect: Rect) => number;
  /** Balloons still to come in the panel's reading order: a caption before them keeps to the top corners. */
  followed?: boolean;
  /** A co-writer's nudges: pass over this many of the best distinct places; sit on the speaker's other side. */
  skip?: number;
  otherSide?: boolean;
}

const STEPS = 9;

/**
 * True when `b` reads after `a`: wholly below it, or beside it (their heights overlapping) no higher
 * and wholly further along the line of reading. A balloon lower but also further back is ambiguous,
 * so it does not count as after.
 */
export function readsAfter(a: Rect, b: Rect, direction: ReadingDirection): boolean {
  if (b.y >= bottom(a)) return true;
  if (b.y < a.y) return false;
  return direction === 'ltr' ? b.x >= right(a) : right(b) <= a.x;
}

function candidates(request: PlacementRequest): Rect[] {
  const { area, size } = request;
  if (size.width > area.width || size.height > area.height) return [];
  const xs = Array.from({ length: STEPS }, (_, i) => area.x + ((area.width - size.width) * i) / (STEPS - 1));
  const ys = Array.from({ length: STEPS }, (_, i) => area.y + ((area.height - size.height) * i) / (STEPS - 1));
  if (request.kind === 'caption') {
    // A caption sits in a corner: where reading starts first, then the others.
    const start = request.direction === 'ltr' ? area.x : right(area) - size.width;
    const end = request.direction === 'ltr' ? right(area) - size.width : area.x;
    const low = bottom(area) - size.height;
    const top = [
      { x: start, y: area.y, ...size },
      { x: end, y: area.y, ...size },
    ];
    // In a bottom corner it would leave no room for the balloons that must read after it.
    return request.followed ? top : [...top, { x: start, y: low, ...size }, { x: end, y: low, ...size }];
  }
  const rects: Rect[] = [];
  for (const y of ys) for (const x of xs) rects.push({ x: Math.round(x), y: Math.round(y), ...size });
  return rects;
}

function segmentCrosses(from: Point, to: Point, box: Rect): boolean {
  for (let t = 0.1; t < 1; t += 0.1) {
    const p = { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t };
    if (p.x > box.x && p.x < right(box) && p.y > box.y && p.y < bottom(box)) return true;
  }
  return false;
}

interface Scored {
  box: Rect;
  tip: Point | null;
  cost: number;
}

/** The best place for the balloon and its tail's tip, or null when no candidate keeps every rule. */
export function placeBalloon(request: PlacementRequest): { box: Rect; tip: Point | null } | null {
  const scored = scoreCandidates(request);
  let best: Scored | null = null;
  for (const candidate of scored) if (!best || candidate.cost < best.cost - 1e-9) best = candidate;
  if (!best || (!request.skip && !request.otherSide)) return best && { box: best.box, tip: best.tip };
  return nudgedPlace(request, scored, best);
}

/**
 * A nudged balloon: on the other side of its speaker from where it would be (when there is room), then
 * the next best place that does not overlap the ones passed over by more than half, counted round.
 */
function nudgedPlace(request: PlacementRequest, scored: Scored[], best: Scored): { box: Rect; tip: Point | null } {
  const side = (box: Rect) => (request.place ? Math.sign(centre(box).x - centre(request.place).x) : 0);
  const bestSide = side(best.box);
  const otherSide = request.otherSide && bestSide !== 0 ? scored.filter((c) => side(c.box) === -bestSide) : [];
  const pool = otherSide.length > 0 ? otherSide : scored;
  const ranked = [...pool].sort((a, b) => a.cost - b.cost);
  const distinct: Scored[] = [];
  for (const candidate of ranked) {
    const area = candidate.box.width * candidate.box.height;
    if (distinct.every((kept) => intersectionArea(kept.box, candidate.box) < area / 2)) distinct.push(candidate);
  }
  const chosen = distinct[(request.skip ?? 0) % Math.max(1, distinct.length)] ?? best;
  return { box: chosen.box, tip: chosen.tip };
}

/** Every candidate that keeps the rules, with its cost. */
function scoreCandidates(request: PlacementRequest): Scored[] {
  const gap = request.fontSize * 0.35;
  const diagonal = Math.hypot(request.area.width, request.area.height);
  const clearance = tailClearance(request.kind, request.fontSize);
  const scored: Scored[] = [];
  for (const box of candidates(request)) {
    if (!contains(request.area, box)) continue;
    if (request.placed.some((other) => overlaps(box, other, gap))) continue;
    if (request.kind !== 'sound' && !request.after.every((earlier) => readsAfter(earlier, box, request.direction))) continue;
    const c = centre(box);
    const tip = request.place ? tailTip(request.place, c) : null;
    if (tip) {
      const room = { x: box.x - clearance, y: box.y - clearance, width: box.width + 2 * clearance, height: box.height + 2 * clearance };
      if (tip.x > room.x && tip.x < right(room) && tip.y > room.y && tip.y < bottom(room)) continue;
      if (request.placed.some((other) => overlaps(other, { x: tip.x - 1, y: tip.y - 1, width: 2, height: 2 }))) continue;
    }
    // Each face covered costs as much as the share of it hidden.
    const faces = request.heads.reduce((sum, head) => sum + intersectionArea(box, head) / (head.width * head.height), 0);
    const tail = tip ? Math.hypot(tip.x - c.x, tip.y - c.y) / diagonal : 0;
    const crossing = tip && request.placed.some((other) => segmentCrosses(c, tip, other)) ? 1 : 0;
    const height = (box.y - request.area.y) / Math.max(1, request.area.height);
    scored.push({ box, tip, cost: 3 * request.detail(box) + 4 * faces + 1.2 * tail + 0.8 * height + 2 * crossing });
  }
  return scored;
}
