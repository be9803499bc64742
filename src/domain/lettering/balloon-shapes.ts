import { round2 as r, type Point, type Rect } from './geometry.js';
import type { LineKind } from './script.js';

// Balloon outlines as SVG path data, so the PNG (Path2D) and the SVG draw the same curve: speech an
// ellipse with a curved tail, whisper the same dashed, thought a cloud trailing bubbles to the
// speaker, shout a jagged burst with a spike for a tail, caption a box; sound effects have none. Pure.

/** Room between the text block and the balloon's box, in font sizes, per side. */
function extra(kind: LineKind): number {
  switch (kind) {
    case 'thought':
      return 0.65;
    case 'shout':
      return 0.95;
    case 'caption':
      return 0.45;
    case 'sound':
      return 0.15;
    default:
      return 0.1;
  }
}

const ROUND = new Set<LineKind>(['speech', 'whisper', 'thought', 'shout']);

/** The balloon's box (without its tail) around a text block of `text` size set at `size` px. */
export function balloonSize(kind: LineKind, text: { width: number; height: number }, size: number): { width: number; height: number } {
  const pad = size * (ROUND.has(kind) ? 0.45 : 0.3);
  const stretch = ROUND.has(kind) ? Math.SQRT2 : 1;
  const edge = size * extra(kind);
  return { width: Math.ceil(text.width * stretch + 2 * (pad + edge)), height: Math.ceil(text.height * stretch + 2 * (pad + edge)) };
}

interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

function ellipseIn(kind: LineKind, box: Rect, size: number): Ellipse {
  const edge = size * extra(kind);
  return { cx: box.x + box.width / 2, cy: box.y + box.height / 2, rx: box.width / 2 - edge, ry: box.height / 2 - edge };
}

const on = (e: Ellipse, angle: number, grow = 0): Point => ({
  x: e.cx + (e.rx + grow) * Math.cos(angle),
  y: e.cy + (e.ry + grow) * Math.sin(angle),
});
const pt = (p: Point) => `${r(p.x)} ${r(p.y)}`;
const angleTo = (e: Ellipse, tip: Point) => Math.atan2((tip.y - e.cy) / e.ry, (tip.x - e.cx) / e.rx);

function circle(c: Point, radius: number): string {
  return `M${pt({ x: c.x - radius, y: c.y })}A${r(radius)} ${r(radius)} 0 1 1 ${pt({ x: c.x + radius, y: c.y })}A${r(radius)} ${r(radius)} 0 1 1 ${pt({ x: c.x - radius, y: c.y })}Z`;
}

function speechPath(e: Ellipse, tip: Point | null, size: number): string {
  if (!tip) return `M${pt(on(e, 0))}A${r(e.rx)} ${r(e.ry)} 0 1 1 ${pt(on(e, Math.PI))}A${r(e.rx)} ${r(e.ry)} 0 1 1 ${pt(on(e, 0))}Z`;
  const theta = angleTo(e, tip);
  const half = Math.min(0.4, (0.55 * size) / Math.min(e.rx, e.ry));
  const a = on(e, theta + half);
  const b = on(e, theta - half);
  // The tail bends a little, as lettered tails do: its control points sit off the straight line.
  const base = on(e, theta);
  const bend = { x: (base.x + tip.x) / 2 + (tip.y - base.y) * 0.12, y: (base.y + tip.y) / 2 - (tip.x - base.x) * 0.12 };
  return `M${pt(a)}A${r(e.rx)} ${r(e.ry)} 0 1 1 ${pt(b)}Q${pt(bend)} ${pt(tip)}Q${pt(bend)} ${pt(a)}Z`;
}

function cloudPath(e: Ellipse, tip: Point | null, size: number): string {
  const perimeter = Math.PI * (3 * (e.rx + e.ry) - Math.sqrt((3 * e.rx + e.ry) * (e.rx + 3 * e.ry)));
  const bumps = Math.max(8, Math.round(perimeter / (2.2 * size)));
  const points = Array.from({ length: bumps }, (_, i) => on(e, (2 * Math.PI * i) / bumps));
  let d = `M${pt(points[0] ?? on(e, 0))}`;
  points.forEach((p, i) => {
    const next = points[(i + 1) % bumps] ?? p;
    const radius = Math.hypot(next.x - p.x, next.y - p.y) * 0.62;
    d += `A${r(radius)} ${r(radius)} 0 0 1 ${pt(next)}`;
  });
  d += 'Z';
  if (tip) {
    const start = on(e, angleTo(e, tip), size * 0.9);
    [0.3, 0.62, 1].forEach((t, i) => {
      d += circle({ x: start.x + (tip.x - start.x) * t, y: start.y + (tip.y - start.y) * t }, size * [0.42, 0.3, 0.2][i]!);
    });
  }
  return d;
}

function burstPath(e: Ellipse, tip: Point | null, size: number): string {
  const perimeter = 2 * Math.PI * Math.sqrt((e.rx * e.rx + e.ry * e.ry) / 2);
  const spikes = Math.max(10, Math.round(perimeter / (1.6 * size)));
  const vertices: Point[] = [];
  for (let i = 0; i < spikes * 2; i += 1) vertices.push(on(e, (Math.PI * i) / spikes, i % 2 === 0 ? size * 0.85 : -size * 0.05));
  if (tip) {
    // The spike nearest the speaker becomes the tail.
    const theta = angleTo(e, tip);
    let nearest = 0;
    let best = Infinity;
    for (let i = 0; i < vertices.length; i += 2) {
      const gap = Math.abs(Math.atan2(Math.sin((Math.PI * i) / spikes - theta), Math.cos((Math.PI * i) / spikes - theta)));
      if (gap < best) {
        best = gap;
        nearest = i;
      }
    }
    vertices[nearest] = tip;
  }
  return `M${vertices.map(pt).join('L')}Z`;
}

/** The outline of a balloon of `kind` in `box`, with its tail to `tip`; null for sound effects. */
export function balloonPath(kind: LineKind, box: Rect, tip: Point | null, size: number): string | null {
  const e = ellipseIn(kind, box, size);
  switch (kind) {
    case 'speech':
    case 'whisper':
      return speechPath(e, tip, size);
    case 'thought':
      return cloudPath(e, tip, size);
    case 'shout':
      return burstPath(e, tip, size);
    case 'caption':
      return `M${r(box.x)} ${r(box.y)}H${r(box.x + box.width)}V${r(box.y + box.height)}H${r(box.x)}Z`;
    case 'sound':
      return null;
  }
}

/** How far a tail's tip must stay from the box so that the tail shows (bubbles need more room). */
export function tailClearance(kind: LineKind, size: number): number {
  return kind === 'thought' ? size * 1.9 : size * 1.1;
}
