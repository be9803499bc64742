import { createCanvas, type Image } from '@napi-rs/canvas';
import type { DetailMap } from '../domain/lettering/panel-places.js';

// How busy each part of a picture is: the picture scaled down, the luminance gradient at each pixel
// (edges: faces, figures, props), averaged over a grid of cells. Balloons go where cells are calm.

const COLUMNS = 24;
const ROWS = 24;
const CELL = 4;
/** A mean gradient of this many luminance steps per pixel counts as fully busy. */
const BUSY = 48;

export function measureDetail(image: Image): DetailMap {
  const width = COLUMNS * CELL;
  const height = ROWS * CELL;
  const ctx = createCanvas(width, height).getContext('2d');
  ctx.drawImage(image, 0, 0, width, height);
  const { data } = ctx.getImageData(0, 0, width, height);
  const luma = new Float32Array(width * height);
  for (let i = 0; i < width * height; i += 1)
    luma[i] = 0.299 * (data[i * 4] ?? 0) + 0.587 * (data[i * 4 + 1] ?? 0) + 0.114 * (data[i * 4 + 2] ?? 0);
  const values = new Array<number>(COLUMNS * ROWS).fill(0);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const here = luma[y * width + x] ?? 0;
      const dx = x + 1 < width ? Math.abs((luma[y * width + x + 1] ?? 0) - here) : 0;
      const dy = y + 1 < height ? Math.abs((luma[(y + 1) * width + x] ?? 0) - here) : 0;
      const cell = Math.floor(y / CELL) * COLUMNS + Math.floor(x / CELL);
      values[cell] = (values[cell] ?? 0) + dx + dy;
    }
  }
  return { columns: COLUMNS, rows: ROWS, values: values.map((sum) => Math.min(1, Math.round((sum / (CELL * CELL) / BUSY) * 1000) / 1000)) };
}
