import type { LetteredBalloon, LetteredPage } from '../domain/lettering/letter-page.js';
import { fontFamilies } from './fonts.js';
import { strokeWidth, style } from './balloon-style.js';

// The lettered page as SVG: the panels as images, the balloons as the same paths the PNG draws, and
// the text as real <text> (selectable, searchable, read by screen readers) in the lettering fonts.

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const family = (families: string[]) => escape(families.map((f) => `'${f}'`).join(', '));

function balloonSvg(balloon: LetteredBalloon, index: number): string {
  const s = style(balloon.kind);
  const parts: string[] = [];
  const width = strokeWidth(balloon.fontSize);
  if (balloon.path) {
    const dash = s.dashed ? ` stroke-dasharray="${balloon.fontSize * 0.5} ${balloon.fontSize * 0.3}"` : '';
    parts.push(`<path d="${balloon.path}" fill="${s.fill}" stroke="#111" stroke-width="${width}" stroke-linejoin="round"${dash}/>`);
  }
  const outline = s.outline ? ` stroke="#111" stroke-width="${width * 1.6}" stroke-linejoin="round" paint-order="stroke"` : '';
  for (const line of balloon.text) {
    const dir = line.direction === 'rtl' ? ' direction="rtl"' : '';
    parts.push(`<text x="${line.x}" y="${line.y}"${dir}${outline}>${escape(line.text)}</text>`);
  }
  const label = balloon.speaker ? ` aria-label="${escape(balloon.speaker)}"` : '';
  const font = `font-family="${family(fontFamilies(balloon.kind))}" font-size="${balloon.fontSize}" fill="${s.text}" text-anchor="middle"`;
  return `<g id="balloon-${index}" class="balloon ${balloon.kind}"${label} ${font}>${parts.join('')}</g>`;
}

export interface SvgOptions {
  /** Each panel's picture as an href (a URL, or a data: URL). */
  panelHref: (panel: number) => string;
  /** @font-face rules for the lettering fonts, when the reader serves them. */
  fontFaceCss?: string;
  title?: string;
}

export function renderPageSvg(page: LetteredPage, options: SvgOptions): string {
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${page.width} ${page.height}" width="${page.width}" height="${page.height}" lang="${escape(page.language)}">`,
  ];
  if (options.title) out.push(`<title>${escape(options.title)}</title>`);
  if (options.fontFaceCss) out.push(`<style>${escape(options.fontFaceCss)}</style>`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  page.panels.forEach(({ frame }, i) => {
    out.push(`<clipPath id="panel-${i}"><rect x="${frame.x}" y="${frame.y}" width="${frame.width}" height="${frame.height}"/></clipPath>`);
    out.push(
      `<image href="${escape(options.panelHref(i))}" x="${frame.x}" y="${frame.y}" width="${frame.width}" height="${frame.height}" preserveAspectRatio="xMidYMid slice" clip-path="url(#panel-${i})"/>`,
    );
    if (page.border > 0)
      out.push(
        `<rect x="${frame.x}" y="${frame.y}" width="${frame.width}" height="${frame.height}" fill="none" stroke="#111" stroke-width="${page.border}"/>`,
      );
  });
  page.balloons.forEach((balloon, i) => out.push(balloonSvg(balloon, i)));
  out.push('</svg>');
  return out.join('\n');
}
