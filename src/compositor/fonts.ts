import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { filesOf } from './font-faces.js';
import type { LineKind } from '../domain/lettering/script.js';
import type { MeasureText } from '../domain/lettering/text-fit.js';

// The lettering fonts, all from @fontsource packages (SIL Open Font License) and read by Skia as the
// WOFF2 files they ship. A comic face covers Latin; Noto Sans families take the other scripts, which
// Skia falls back to per character along each kind's family list and shapes with HarfBuzz.
// Text is measured here with the same fonts and shaper that draw it.

const FALLBACKS = ['Noto Sans', 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans Devanagari', 'Noto Sans JP'];

const FACES: Record<LineKind, string> = {
  speech: 'Comic Neue',
  whisper: 'Comic Neue Regular',
  thought: 'Comic Neue Regular',
  shout: 'Comic Neue',
  caption: 'Patrick Hand',
  sound: 'Bangers',
};

/** The CSS font-family list for a kind of line, as the PNG and the SVG both name it. */
export function fontFamilies(kind: LineKind): string[] {
  return [FACES[kind], ...FALLBACKS];
}

export function fontShorthand(kind: LineKind, size: number): string {
  return `${size}px ${fontFamilies(kind)
    .map((family) => `"${family}"`)
    .join(', ')}`;
}

/** [package, family alias, file name test]: every matching WOFF2 file registers under the alias. */
const SOURCES: [string, string, RegExp][] = [
  ['comic-neue', 'Comic Neue', /-latin(-ext)?-700-normal\.woff2$/],
  ['comic-neue', 'Comic Neue Regular', /-latin(-ext)?-400-normal\.woff2$/],
  ['patrick-hand', 'Patrick Hand', /-latin(-ext)?-400-normal\.woff2$/],
  ['bangers', 'Bangers', /-latin(-ext)?-400-normal\.woff2$/],
  ['noto-sans', 'Noto Sans', /-(latin|latin-ext|cyrillic|cyrillic-ext|greek|vietnamese)-400-normal\.woff2$/],
  ['noto-sans-arabic', 'Noto Sans Arabic', /-arabic-arabic-400-normal\.woff2$/],
  ['noto-sans-hebrew', 'Noto Sans Hebrew', /-hebrew-hebrew-400-normal\.woff2$/],
  ['noto-sans-devanagari', 'Noto Sans Devanagari', /-devanagari-devanagari-400-normal\.woff2$/],
  // Japanese comes in about 120 numbered subsets; Skia falls back between faces of one family.
  ['noto-sans-jp', 'Noto Sans JP', /^noto-sans-jp-\d+-400-normal\.woff2$/],
];

let registered = false;

/** Registers the lettering fonts with Skia once per process (about 0.1 s, mostly the Japanese subsets). */
export function registerLetteringFonts(): void {
  if (registered) return;
  for (const [pkg, family, test] of SOURCES) {
    const folder = filesOf(pkg);
    const files = readdirSync(folder)
      .filter((name) => test.test(name))
      .sort();
    if (files.length === 0) throw new Error(`no font files for ${family} in @fontsource/${pkg}`);
    for (const name of files)
      if (!GlobalFonts.register(readFileSync(join(folder, name)), family)) throw new Error(`Skia could not read ${name}`);
  }
  registered = true;
}

let measuring: SKRSContext2D | null = null;
const REFERENCE = 100;
const widths = new Map<string, number>();

/**
 * Measures text as the PNG renderer draws it (Skia, HarfBuzz shaping, the same font list). Skia sets
 * outlines unhinted, so a width scales exactly with the size: each text is shaped once, at 100 px.
 */
export const measureText: MeasureText = (text, kind, size) => {
  if (text === '') return 0;
  const key = `${kind}\u0000${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    registerLetteringFonts();
    measuring ??= createCanvas(1, 1).getContext('2d');
    measuring.font = fontShorthand(kind, REFERENCE);
    width = measuring.measureText(text).width;
    if (widths.size > 50_000) widths.clear();
    widths.set(key, width);
  }
  return (width * size) / REFERENCE;
};
