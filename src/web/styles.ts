import { createHash } from 'node:crypto';

// The reader's one stylesheet: phone first (360 px), wider columns on desktops, light and dark by the
// reader's system setting. Served at a hashed path so browsers keep it until it changes.

export const THEME_COLOR = '#8a4b2a';

export const READER_CSS = `
:root { color-scheme: light dark; --bg: #fbf8f3; --fg: #1f1b16; --muted: #5c544a; --accent: #8a4b2a; --panel: #f1ebe1; --line: #d9cfc0; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #17140f; --fg: #ece6dc; --muted: #b5ab9d; --accent: #e3a77f; --panel: #231f19; --line: #3a342b; }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 1.05rem/1.6 Georgia, 'Iowan Old Style', 'Times New Roman', serif; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: 0.5rem; }
header.site, main, footer.site { max-width: 46rem; margin: 0 auto; padding: 0 1rem; }
header.site { padding-top: 1.25rem; }
header.site p { margin: 0; font: 600 0.9rem/1.4 system-ui, sans-serif; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
h1 { font-size: clamp(1.6rem, 5vw, 2.4rem); line-height: 1.2; margin: 0.4rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.35rem; line-height: 1.3; overflow-wrap: anywhere; }
h3 { font-size: 1.1rem; }
.meta, time, .count { color: var(--muted); font: 0.9rem/1.4 system-ui, sans-serif; }
ol.chapters, ol.latest, ol.panels { list-style: none; padding: 0; margin: 0; }
ol.chapters li, ol.latest li { border-top: 1px solid var(--line); padding: 0.75rem 0; }
ol.chapters h3, ol.chapters p { margin: 0.25rem 0; }
ol.latest { display: grid; gap: 0.75rem; grid-template-columns: 1fr; margin-bottom: 2rem; }
ol.latest li { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem; background: var(--panel); }
ol.latest p { margin: 0.25rem 0 0; }
article.page { border-top: 2px solid var(--line); padding: 1rem 0 1.5rem; }
article.page h2 a { color: inherit; text-decoration: none; }
article.page h2 a:hover { text-decoration: underline; }
ol.panels { display: grid; gap: 1rem; grid-template-columns: 1fr; margin-top: 1rem; }
li.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem; }
li.panel figure { margin: 0 0 0.5rem; }
li.panel img { display: block; width: 100%; height: auto; border-radius: 0.25rem; }
figure.lettered { margin: 1rem 0 0; }
figure.lettered svg { display: block; width: 100%; height: auto; }
details.script summary { cursor: pointer; margin-top: 0.5rem; }
.panel-label { font: 600 0.8rem/1.4 system-ui, sans-serif; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 0 0 0.25rem; }
.scene { font-style: italic; color: var(--muted); margin: 0 0 0.5rem; }
.references { font: 0.85rem/1.4 system-ui, sans-serif; color: var(--muted); margin: 0 0 0.5rem; }
.caption { font-style: italic; margin: 0 0 0.5rem; }
dl.script { margin: 0; display: grid; grid-template-columns: fit-content(40%) 1fr; gap: 0.25rem 0.75rem; }
dl.script dt { font: 700 0.85rem/1.6 system-ui, sans-serif; text-transform: uppercase; letter-spacing: 0.03em; overflow-wrap: anywhere; }
dl.script dd { margin: 0; overflow-wrap: anywhere; }
pre.dialogue { white-space: pre-wrap; font: inherit; }
nav.chapter-nav, nav.screens { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem 1rem; margin: 1.5rem 0; font: 1rem/1.4 system-ui, sans-serif; }
nav.screens ol { display: flex; flex-wrap: wrap; gap: 0.5rem; list-style: none; padding: 0; margin: 0; }
footer.site { color: var(--muted); font: 0.85rem/1.4 system-ui, sans-serif; padding-bottom: 2rem; margin-top: 2rem; }
@media (min-width: 48rem) {
  ol.latest { grid-template-columns: repeat(2, 1fr); }
  ol.panels { grid-template-columns: repeat(2, 1fr); }
  header.site, main, footer.site { max-width: 60rem; }
}
`;

export const READER_CSS_PATH = `/assets/reader-${createHash('sha256').update(READER_CSS).digest('hex').slice(0, 16)}.css`;

// An open book, in the theme colour: browsers ask for an icon, and a missing one is an error in their console.
export const READER_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="${THEME_COLOR}" d="M3 7c5-2 9-1 12 2v17c-3-3-7-4-12-2zm26 0c-5-2-9-1-12 2v17c3-3 7-4 12-2z"/></svg>`;

export const READER_ICON_PATH = `/assets/icon-${createHash('sha256').update(READER_ICON).digest('hex').slice(0, 16)}.svg`;
