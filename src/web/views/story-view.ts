import { html } from 'hono/html';
import { previewText } from '../../domain/reader-page.js';
import type { loadStoryFront, PublishedStory } from '../../services/reader-service.js';
import type { ReaderLinks } from '../links.js';
import { formatDate, layout, timeTag, type Markup } from './layout.js';

type StoryFront = Awaited<ReturnType<typeof loadStoryFront>>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The story's front page: the newest pages first, then every chapter with its approved pages. */
export function renderStoryFront(story: PublishedStory, front: StoryFront, links: ReaderLinks): Markup {
  const pages = front.chapters.reduce((sum, c) => sum + c.approvedPages, 0);
  const description = previewText(
    front.latest[0]?.excerpt
      ? `${plural(front.chapters.length, 'chapter')}, ${plural(pages, 'page')}. Latest: ${front.latest[0].excerpt}`
      : `${story.title}: a story written together. No pages yet.`,
  );
  const body = html`<header class="site"><p>A serialized story</p><h1>${story.title}</h1>
<p class="count">${plural(front.chapters.length, 'chapter')} · ${plural(pages, 'approved page')}</p></header>
<main id="content">
${
  front.latest.length > 0
    ? html`<section aria-labelledby="latest-heading"><h2 id="latest-heading">Latest pages</h2>
<ol class="latest">${front.latest.map(
        (
          page,
        ) => html`<li><a href="${links.pageInChapter(page.chapterNumber, page.screen, page.pageNumber)}">Chapter ${page.chapterNumber}, page ${page.pageNumber}</a>
<span class="meta"> · ${timeTag(page.approvedAt)}</span><p>${previewText(page.excerpt, 200)}</p></li>`,
      )}</ol></section>`
    : html`<p>No page has been approved yet. Come back soon.</p>`
}
<section aria-labelledby="chapters-heading"><h2 id="chapters-heading">Chapters</h2>
<ol class="chapters">${front.chapters.map(
    (chapter) => html`<li><h3><a href="${links.chapter(chapter.number)}">Chapter ${chapter.number}: ${chapter.title}</a></h3>
<p class="meta">${plural(chapter.approvedPages, 'page')} · ${timeTag(chapter.firstApprovedAt)}${formatDate(chapter.latestApprovedAt) !== formatDate(chapter.firstApprovedAt) ? html` to ${timeTag(chapter.latestApprovedAt)}` : ''}</p></li>`,
  )}</ol></section>
</main>`;
  return layout({
    title: story.title,
    feedUrl: links.feed(),
    preview: {
      url: links.story(),
      title: story.title,
      description,
      siteName: story.title,
      image: front.previewImage ? links.asset(front.previewImage) : null,
      type: 'website',
    },
    body,
  });
}
