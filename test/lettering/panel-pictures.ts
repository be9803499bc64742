import { createHash } from 'node:crypto';
import { createCanvas } from '@napi-rs/canvas';
import { headOf, placeRect } from '../../src/domain/lettering/panel-places.js';
import type { Placement } from '../../src/domain/lettering/script.js';

// Deterministic stand-ins for rendered panels: a sky, the ground, a busy building on one side, and a
// simple figure (body, head, eyes) at each character's place, so the letterer has real detail to avoid
// and a head for each tail to point at. Drawn with the same rasteriser, nothing downloaded.

export function drawPanelPicture(options: { width: number; height: number; seed: string; placements: Placement[] }): Buffer {
  const { width, height } = options;
  const hash = createHash('sha256').update(options.seed).digest();
  const byte = (i: number) => hash[i % hash.length] ?? 0;
  const ctx = createCanvas(width, height).getContext('2d');
  const sky = ctx.createLinearGradient(0, 0, 0, height);
  sky.addColorStop(0, `hsl(${byte(0) % 360}, 55%, 80%)`);
  sky.addColorStop(1, `hsl(${byte(0) % 360}, 45%, 92%)`);
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = `hsl(${byte(1) % 360}, 30%, 55%)`;
  ctx.fillRect(0, height * 0.78, width, height * 0.22);
  // A building full of windows on one side: detail the balloons should keep off.
  const side = byte(2) % 2 === 0;
  const bx = side ? width * 0.02 : width * 0.7;
  ctx.fillStyle = `hsl(${byte(3) % 360}, 25%, 40%)`;
  ctx.fillRect(bx, height * 0.12, width * 0.28, height * 0.66);
  ctx.fillStyle = '#f6e7a1';
  for (let y = height * 0.15; y < height * 0.74; y += height * 0.06)
    for (let x = bx + width * 0.02; x < bx + width * 0.26; x += width * 0.05) ctx.fillRect(x, y, width * 0.025, height * 0.03);
  for (const [i, placement] of options.placements.entries()) {
    const place = placeRect({ x: 0, y: 0, width, height }, placement);
    const { centre, radius } = headOf(place);
    ctx.fillStyle = `hsl(${(byte(4 + i) * 7) % 360}, 60%, 45%)`;
    ctx.beginPath();
    ctx.roundRect(
      centre.x - radius * 1.5,
      centre.y + radius * 0.9,
      radius * 3,
      place.y + place.height - centre.y - radius * 0.9,
      radius * 0.8,
    );
    ctx.fill();
    ctx.fillStyle = '#f2c9a0';
    ctx.beginPath();
    ctx.arc(centre.x, centre.y, radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.lineWidth = Math.max(2, radius * 0.08);
    ctx.strokeStyle = '#222';
    ctx.stroke();
    ctx.fillStyle = '#222';
    for (const dx of [-0.35, 0.35]) {
      ctx.beginPath();
      ctx.arc(centre.x + dx * radius, centre.y - radius * 0.1, radius * 0.1, 0, Math.PI * 2);
      ctx.fill();
    }
  }
  return ctx.canvas.toBuffer('image/png');
}
