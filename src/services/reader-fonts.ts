import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { letteringFontFaces } from '../compositor/font-faces.js';

// The lettering fonts as the web reader serves them, so that a lettered page's SVG text is drawn in
// the faces the PNG was drawn in: one stylesheet of @font-face rules and the WOFF2 files it names,
// each under an address that changes with its package's version (cached for good), and nothing else.

const require = createRequire(import.meta.url);
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(require.resolve(`@fontsource/${pkg}/package.json`), 'utf8')) as { version: string }).version;

export interface ReaderFonts {
  /** Where the stylesheet is served: its content's hash is in the name. */
  stylesheetPath: string;
  stylesheet: string;
  /** Served path → file on disk, for exactly the files the stylesheet names. */
  files: ReadonlyMap<string, string>;
}

let fonts: ReaderFonts | null = null;

/** The stylesheet and its files, read once per process (the @fontsource stylesheets, about 0.1 MB). */
export function readerFonts(): ReaderFonts {
  if (fonts) return fonts;
  const versions = new Map<string, string>();
  const href = (pkg: string, file: string) => {
    let version = versions.get(pkg);
    if (version === undefined) versions.set(pkg, (version = versionOf(pkg)));
    return `/assets/fonts/${pkg}@${version}/${file}`;
  };
  const { css, files } = letteringFontFaces(href);
  const hash = createHash('sha256').update(css).digest('hex').slice(0, 16);
  fonts = {
    stylesheetPath: `/assets/lettering-fonts-${hash}.css`,
    stylesheet: css,
    files: new Map(files.map((file) => [href(file.pkg, file.file), file.path])),
  };
  return fonts;
}

/** A font file the stylesheet names, by its served path; null for any other path. */
export async function readerFontFile(path: string): Promise<Buffer | null> {
  const file = readerFonts().files.get(path);
  return file ? readFile(file) : null;
}
