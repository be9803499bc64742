import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { registerLetteringFonts } from '../../src/compositor/fonts.js';
import { GOLDEN_PAGES } from './golden-pages.js';

// docs/lettering-golden-pages.png: every golden page on one small sheet, drawn from the references in
// test/lettering/golden/ (so it shows what the golden test holds the letterer to). It is drawn again
// with the references: `UPDATE_GOLDENS=1 npx vitest run test/lettering/contact-sheet.test.ts`.

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const SHEET = fileURLToPath(new URL('../../docs/lettering-golden-pages.png', import.meta.url));
const COLUMNS = 8;
const CELL = { width: 120, height: 180, label: 16, gap: 8 };

async function contactSheet(names: string[]): Promise<Buffer> {
  registerLetteringFonts();
  const rows = Math.ceil(names.length / COLUMNS);
  const width = COLUMNS * (CELL.width + CELL.gap) + CELL.gap;
  const height = rows * (CELL.height + CELL.label + CELL.gap) + CELL.gap;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#f4f1ea';
  ctx.fillRect(0, 0, width, height);
  ctx.font = '11px "Noto Sans"';
  ctx.textAlign = 'center';
  for (const [i, name] of names.entries()) {
    const image = await loadImage(readFileSync(`${GOLDEN}${name}.png`));
    const x = CELL.gap + (i % COLUMNS) * (CELL.width + CELL.gap);
    const y = CELL.gap + Math.floor(i / COLUMNS) * (CELL.height + CELL.label + CELL.gap);
    // Fitted whole into the cell (a webtoon strip is tall and narrow), centred.
    const scale = Math.min(CELL.width / image.width, CELL.height / image.height);
    const w = Math.round(image.width * scale);
    const h = Math.round(image.height * scale);
    ctx.drawImage(image, x + (CELL.width - w) / 2, y + (CELL.height - h) / 2, w, h);
    ctx.fillStyle = '#333';
    ctx.fillText(name, x + CELL.width / 2, y + CELL.height + 12, CELL.width);
  }
  return canvas.toBuffer('image/png', { compressionLevel: 9 });
}

describe('the golden pages’ contact sheet in docs/', () => {
  it('shows every golden page, and is drawn from the current references', async () => {
    const names = Object.keys(GOLDEN_PAGES);
    expect(readdirSync(GOLDEN).filter((file) => file.endsWith('.png')).length).toBe(names.length);
    const sheet = await contactSheet(names);
    if (process.env.UPDATE_GOLDENS === '1' || !existsSync(SHEET)) writeFileSync(SHEET, sheet);
    const stored = await loadImage(readFileSync(SHEET));
    const drawn = await loadImage(sheet);
    expect({ width: stored.width, height: stored.height }).toEqual({ width: drawn.width, height: drawn.height });
    expect(readFileSync(SHEET).length).toBeLessThan(1024 * 1024);
  });
});
