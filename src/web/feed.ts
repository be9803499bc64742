import { Feed } from 'feed';
import { html } from 'hono/html';
import { paragraphsOf, previewText } from '../domain/reader-page.js';
import { xmlChars } from '../domain/xml-text.js';
import type { loadFeedEntries, PublishedStory } from '../services/reader-service.js';
import type { ReaderLinks } from './links.js';

type FeedEntry = Awaited<ReturnType<typeof loadFeedEntries>>[number];

/** The feed library declares entry titles and summaries as HTML: plain text goes in escaped, so it stays text. */
const asHtml = async (text: string) => String(await html`${text}`);

/** The story's Atom feed: one entry per approved page, newest first, each linking to the page on its own. */
export async function renderAtomFeed(story: PublishedStory, entries: FeedEntry[], links: ReaderLinks): Promise<string> {
  const updated = entries[0]?.approvedAt ?? story.publishedAt;
  const feed = new Feed({
    id: links.story(),
    title: story.title,
    link: links.story(),
    updated,
    generator: 'storyroom',
    feedLinks: { atom: links.feed() },
    copyright: `© the co-writers of ${story.title}`,
  });
  for (const entry of entries) {
    const paragraphs = paragraphsOf(entry.narration);
    // Entry content is HTML: built with the escaping template, so story text stays text in feed readers too.
    const content =
      await html`${entry.image ? html`<p><img src="${links.asset(entry.image)}" alt=""></p>` : ''}${paragraphs.map((p) => html`<p>${p}</p>`)}`;
    feed.addItem({
      id: links.page(entry.chapterNumber, entry.pageNumber),
      title: await asHtml(`Chapter ${entry.chapterNumber}: ${entry.chapterTitle} · Page ${entry.pageNumber}`),
      link: links.page(entry.chapterNumber, entry.pageNumber),
      date: entry.approvedAt,
      published: entry.approvedAt,
      description: await asHtml(previewText(paragraphs.join(' '))),
      content: content.toString(),
      ...(entry.image ? { image: links.asset(entry.image) } : {}),
    });
  }
  // Story text may hold characters XML does not allow (a control character the model wrote): one would
  // make the whole feed unreadable, so they are taken out of the document the library wrote.
  return xmlChars(feed.atom1());
}
