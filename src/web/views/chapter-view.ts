import { html, raw } from 'hono/html';
import { languageDirection } from '../../domain/lettering-settings.js';
import { previewText, type ReaderPage, type ReaderPanel } from '../../domain/reader-page.js';
import type { loadChapterScreen, loadSinglePage, PublishedStory } from '../../services/reader-service.js';
import type { ReaderLinks } from '../links.js';
import { readerFonts } from '../../services/reader-fonts.js';
import { layout, timeTag, type Markup } from './layout.js';

type ChapterScreen = NonNullable<Awaited<ReturnType<typeof loadChapterScreen>>>;
type SinglePage = NonNullable<Awaited<ReturnType<typeof loadSinglePage>>>;

function renderPanel(panel: ReaderPanel): Markup {
  return html`<li class="panel"><p class="panel-label">Panel ${panel.number}</p>
${
  panel.image
    ? html`<figure><img src="${panel.image.path}" alt="${panel.description ?? `Panel ${panel.number}`}" width="${panel.image.width}" height="${panel.image.height}" loading="lazy" decoding="async"></figure>`
    : panel.description
      ? html`<p class="scene">${panel.description}</p>`
      : ''
}
${panel.references ? html`<p class="references">Drawn with references: ${panel.references}</p>` : ''}
${panel.caption ? html`<p class="caption">${panel.caption}</p>` : ''}
${panel.lines.length > 0 ? html`<dl class="script">${panel.lines.map((line) => html`<dt>${line.speaker}</dt><dd>${line.line}</dd>`)}</dl>` : ''}
</li>`;
}

/** The story's language as `lang` and `dir` on its pages (the reader's own words stay English). */
function languageAttributes(language: string | undefined): Markup | string {
  if (!language || language === 'und') return '';
  return html` lang="${language}" dir="${languageDirection(language)}"`;
}

/** One approved page: narration, then the panels as a comic script. `selfLink` is where its heading points. */
function renderPage(page: ReaderPage, selfLink: string, headingLevel: 'h1' | 'h2', language?: string): Markup {
  const heading = html`<a href="${selfLink}">Page ${page.number}</a>`;
  return html`<article class="page" id="${page.anchor}" aria-labelledby="${page.anchor}-heading"${languageAttributes(language)}>
${headingLevel === 'h1' ? html`<h1 id="${page.anchor}-heading">${heading}</h1>` : html`<h2 id="${page.anchor}-heading">${heading}</h2>`}
<p class="meta">${timeTag(page.approvedAt)}</p>
${page.paragraphs.map((paragraph) => html`<p>${paragraph}</p>`)}
${
  page.letteredSvg
    ? html`<figure class="lettered" aria-label="Page ${page.number}, lettered">${raw(page.letteredSvg)}</figure>
${page.panels.length > 0 ? html`<details class="script"><summary>The script of page ${page.number}</summary><ol class="panels" aria-label="Panels of page ${page.number}">${page.panels.map(renderPanel)}</ol></details>` : ''}`
    : page.panels.length > 0
      ? html`<ol class="panels" aria-label="Panels of page ${page.number}">${page.panels.map(renderPanel)}</ol>`
      : ''
}
${page.plainDialogue ? html`<pre class="dialogue">${page.plainDialogue}</pre>` : ''}
</article>`;
}

/** A screen with a lettered page links the lettering fonts' stylesheet, so its SVG text is drawn as the PNG is. */
function letteringStylesheets(pages: ReaderPage[]): string[] {
  return pages.some((page) => page.letteredSvg) ? [readerFonts().stylesheetPath] : [];
}

function firstImage(pages: ReaderPage[]): string | null {
  return pages.flatMap((p) => p.panels).find((panel) => panel.image)?.image?.path ?? null;
}

/** A chapter's screen of approved pages, with page anchors, the screens, and the chapters either side. */
export function renderChapterScreen(story: PublishedStory, view: ChapterScreen, links: ReaderLinks): Markup {
  const { chapter } = view;
  const title = `Chapter ${chapter.number}: ${chapter.title}`;
  const chapterNav = html`<nav class="chapter-nav" aria-label="Chapters">
${view.previous ? html`<a href="${links.chapter(view.previous.number)}" rel="prev">← Chapter ${view.previous.number}: ${view.previous.title}</a>` : html`<span></span>`}
<a href="${links.story()}">All chapters</a>
${view.next ? html`<a href="${links.chapter(view.next.number)}" rel="next">Chapter ${view.next.number}: ${view.next.title} →</a>` : html`<span></span>`}
</nav>`;
  const screens =
    view.screens > 1
      ? html`<nav class="screens" aria-label="Pages of this chapter">
${view.screen > 1 ? html`<a href="${links.chapter(chapter.number, view.screen - 1)}">← Earlier pages</a>` : html`<span></span>`}
<ol>${Array.from({ length: view.screens }, (_, i) => i + 1).map((n) =>
          n === view.screen
            ? html`<li><span aria-current="page">${n}</span></li>`
            : html`<li><a href="${links.chapter(chapter.number, n)}" aria-label="Part ${n}">${n}</a></li>`,
        )}</ol>
${view.screen < view.screens ? html`<a href="${links.chapter(chapter.number, view.screen + 1)}">Later pages →</a>` : html`<span></span>`}
</nav>`
      : '';
  const body = html`<header class="site"><p><a href="${links.story()}">${story.title}</a></p><h1>${title}</h1>
<p class="count">${chapter.approvedPages} ${chapter.approvedPages === 1 ? 'page' : 'pages'}${view.screens > 1 ? ` · part ${view.screen} of ${view.screens}` : ''}</p></header>
<main id="content">
${chapterNav}
${screens}
${view.pages.map((page) => renderPage(page, `#${page.anchor}`, 'h2', story.language))}
${screens}
${chapterNav}
</main>`;
  const image = firstImage(view.pages);
  return layout({
    title: `${title} · ${story.title}`,
    feedUrl: links.feed(),
    preview: {
      url: links.chapter(chapter.number, view.screen),
      title: `${title} · ${story.title}`,
      description: previewText(view.pages[0]?.paragraphs.join(' ') ?? title),
      siteName: story.title,
      image: image ? links.asset(image) : null,
      type: 'article',
    },
    body,
    stylesheets: letteringStylesheets(view.pages),
  });
}

/** One page on its own address, so a link to it previews that page. */
export function renderSinglePage(story: PublishedStory, view: SinglePage, links: ReaderLinks): Markup {
  const { chapter, page } = view;
  const title = `Page ${page.number} · Chapter ${chapter.number}: ${chapter.title}`;
  const body = html`<header class="site"><p><a href="${links.story()}">${story.title}</a> · <a href="${links.pageInChapter(chapter.number, view.screen, page.number)}">Chapter ${chapter.number}: ${chapter.title}</a></p></header>
<main id="content">
${renderPage(page, links.page(chapter.number, page.number), 'h1', story.language)}
<nav class="chapter-nav" aria-label="Chapter"><a href="${links.pageInChapter(chapter.number, view.screen, page.number)}">Read it in the chapter</a></nav>
</main>`;
  const image = firstImage([page]);
  return layout({
    title: `${title} · ${story.title}`,
    feedUrl: links.feed(),
    preview: {
      url: links.page(chapter.number, page.number),
      title: `${title} · ${story.title}`,
      description: previewText(page.paragraphs.join(' ') || title),
      siteName: story.title,
      image: image ? links.asset(image) : null,
      type: 'article',
    },
    body,
    stylesheets: letteringStylesheets([page]),
  });
}
