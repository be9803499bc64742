import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

// The lettering fonts for browsers: @font-face rules from @fontsource's own stylesheets, for the same
// packages and faces the compositor draws with (src/compositor/fonts.ts), under the same family names
// the SVG's text asks for. Each rule keeps its unicode-range, so a browser fetches only the subsets a
// page's text needs (a page in English never loads the ~120 Japanese files).

const require = createRequire(import.meta.url);

/** A @fontsource package's folder of font files. */
export const filesOf = (pkg: string) => join(dirname(require.resolve(`@fontsource/${pkg}/package.json`)), 'files');

/** [package, stylesheet, its family name, our alias]. */
const STYLESHEETS: [string, string, string, string][] = [
  ['comic-neue', '700.css', 'Comic Neue', 'Comic Neue'],
  ['comic-neue', '400.css', 'Comic Neue', 'Comic Neue Regular'],
  ['patrick-hand', '400.css', 'Patrick Hand', 'Patrick Hand'],
  ['bangers', '400.css', 'Bangers', 'Bangers'],
  ['noto-sans', '400.css', 'Noto Sans', 'Noto Sans'],
  ['noto-sans-arabic', '400.css', 'Noto Sans Arabic', 'Noto Sans Arabic'],
  ['noto-sans-hebrew', '400.css', 'Noto Sans Hebrew', 'Noto Sans Hebrew'],
  ['noto-sans-devanagari', '400.css', 'Noto Sans Devanagari', 'Noto Sans Devanagari'],
  ['noto-sans-jp', '400.css', 'Noto Sans JP', 'Noto Sans JP'],
];

/** One WOFF2 file a rule names: its package, its file name, and where it is on disk. */
export interface FontFile {
  pkg: string;
  file: string;
  path: string;
}

/**
 * @font-face rules for the SVG's font families, WOFF2 only (every browser that shows SVG text reads
 * it); `href(pkg, file)` says where each font file is served. `files` lists every file the rules name.
 */
export function letteringFontFaces(href: (pkg: string, file: string) => string): { css: string; files: FontFile[] } {
  const files: FontFile[] = [];
  const css = STYLESHEETS.map(([pkg, sheet, family, alias]) =>
    readFileSync(join(dirname(filesOf(pkg)), sheet), 'utf8')
      .replace(/src: url\(\.\/files\/([^)]+\.woff2)\) format\('woff2'\)[^;]*;/g, (_, file: string) => {
        if (!files.some((f) => f.pkg === pkg && f.file === file)) files.push({ pkg, file, path: join(filesOf(pkg), file) });
        return `src: url(${href(pkg, file)}) format('woff2');`;
      })
      .replaceAll(`font-family: '${family}';`, `font-family: '${alias}';`),
  ).join('\n');
  return { css, files };
}

export const letteringFontFaceCss = (href: (pkg: string, file: string) => string): string => letteringFontFaces(href).css;
