import { loadImage, type Image } from '@napi-rs/canvas';
import { letterPage, type LetteredPage } from '../domain/lettering/letter-page.js';
import type { LetteringScript } from '../domain/lettering/script.js';
import { measureDetail } from './detail-map.js';
import { measureText } from './fonts.js';
import { renderPagePng } from './render-png.js';
import { renderPageSvg, type SvgOptions } from './render-svg.js';

// A lettered page from a script and its panels' pictures: the pictures decoded and measured for
// detail, the page laid out (pure), then drawn as a PNG and written as an SVG.

export interface ComposedPage {
  page: LetteredPage;
  png: Buffer;
  svg: string;
}

export async function decodePictures(pictures: readonly Buffer[]): Promise<Image[]> {
  return Promise.all(pictures.map((bytes) => loadImage(bytes)));
}

export async function composeLetteredPage(
  script: LetteringScript,
  pictures: readonly Buffer[],
  svg: Partial<SvgOptions> = {},
): Promise<ComposedPage> {
  const images = await decodePictures(pictures);
  const page = letterPage({ script, measure: measureText, detail: images.map(measureDetail) });
  const panelHref = svg.panelHref ?? ((i: number) => `data:image/png;base64,${(pictures[i] ?? Buffer.alloc(0)).toString('base64')}`);
  return { page, png: renderPagePng(page, images), svg: renderPageSvg(page, { ...svg, panelHref }) };
}
