import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { READER_CSS_PATH, READER_ICON_PATH, THEME_COLOR } from '../styles.js';

// Every view renders through hono's `html` template, which escapes each interpolated value: story
// text, titles and model output always reach the browser as text.

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface LinkPreview {
  /** Absolute URL of this page. */
  url: string;
  title: string;
  /** At most 350 bytes (previewText). */
  description: string;
  siteName: string;
  /** Absolute URL of the first panel image, when there is one. */
  image: string | null;
  type: 'website' | 'article';
}

export function layout(view: { title: string; preview: LinkPreview; feedUrl: string; body: Markup; stylesheets?: string[] }): Markup {
  const { preview } = view;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${view.title}</title>
<meta name="description" content="${preview.description}">
<meta name="theme-color" content="${THEME_COLOR}">
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="${READER_CSS_PATH}">
${(view.stylesheets ?? []).map((href) => html`<link rel="stylesheet" href="${href}">\n`)}<link rel="icon" type="image/svg+xml" href="${READER_ICON_PATH}">
<link rel="alternate" type="application/atom+xml" title="${preview.siteName}: new pages" href="${view.feedUrl}">
<link rel="canonical" href="${preview.url}">
<meta property="og:type" content="${preview.type}">
<meta property="og:site_name" content="${preview.siteName}">
<meta property="og:title" content="${preview.title}">
<meta property="og:description" content="${preview.description}">
<meta property="og:url" content="${preview.url}">
${preview.image ? html`<meta property="og:image" content="${preview.image}">\n<meta name="twitter:image" content="${preview.image}">\n` : ''}<meta name="twitter:card" content="${preview.image ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${preview.title}">
<meta name="twitter:description" content="${preview.description}">
</head>
<body>
<a class="skip" href="#content">Skip to the story</a>
${view.body}
<footer class="site"><p>Written together in a storyroom. <a href="${view.feedUrl}">Follow new pages (Atom feed)</a>.</p></footer>
</body>
</html>`;
}

export function notFoundPage(): Markup {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found</title><link rel="stylesheet" href="${READER_CSS_PATH}"><link rel="icon" type="image/svg+xml" href="${READER_ICON_PATH}"></head>
<body><main id="content"><h1>Not found</h1><p>There is nothing to read at this address.</p></main></body>
</html>`;
}

export function formatDate(date: Date): string {
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export function timeTag(date: Date): Markup {
  return html`<time datetime="${date.toISOString()}">${formatDate(date)}</time>`;
}
