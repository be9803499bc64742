import { launchChromium } from '../browser.js';
import type { JsonObject, StoredMessage } from './types.js';

// A channel drawn roughly as Discord's client shows it (text, embeds with their images and footers,
// buttons greyed when disabled), as a PNG: to look at what co-writers see at a given moment.

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
const bold = (text: string) =>
  escape(text)
    .replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')
    .replace(/\n/g, '<br>');

function embedHtml(message: StoredMessage, embed: JsonObject): string {
  const url = (embed.image as { url?: string } | undefined)?.url ?? '';
  const file = url.startsWith('attachment://') ? message.attachments.find((a) => `attachment://${a.filename}` === url) : undefined;
  const image = file
    ? `<img src="data:image/png;base64,${file.content.toString('base64')}">`
    : url
      ? `<div class="missing">${escape(url)}</div>`
      : '';
  const footer = (embed.footer as { text?: string } | undefined)?.text;
  return `<div class="embed"><b>${escape(typeof embed.title === 'string' ? embed.title : '')}</b><div>${bold(typeof embed.description === 'string' ? embed.description : '')}</div>${image}${
    footer ? `<small>${escape(footer)}</small>` : ''
  }</div>`;
}

function imageHtml(message: StoredMessage, url: string, cls = ''): string {
  const file = url.startsWith('attachment://') ? message.attachments.find((a) => `attachment://${a.filename}` === url) : undefined;
  return file
    ? `<img class="${cls}" src="data:image/png;base64,${file.content.toString('base64')}">`
    : `<div class="missing">${escape(url)}</div>`;
}

/** A component as the client draws it: containers as a framed box, text displays, galleries, rows. */
function componentHtml(message: StoredMessage, component: JsonObject): string {
  const children = (component.components as JsonObject[] | undefined) ?? [];
  if (component.type === 17) return `<div class="container">${children.map((c) => componentHtml(message, c)).join('')}</div>`;
  if (component.type === 10) return `<div>${bold(String(component.content))}</div>`;
  if (component.type === 14) return '<hr>';
  if (component.type === 12)
    return `<div class="gallery">${((component.items as JsonObject[] | undefined) ?? [])
      .map((item) => imageHtml(message, String((item.media as JsonObject).url), 'wide'))
      .join('')}</div>`;
  const selects = children
    .filter((c) => c.type === 3)
    .map((s) => `<div class="select">${escape(typeof s.placeholder === 'string' ? s.placeholder : 'Choose…')} ▾</div>`);
  const buttons = children.filter((c) => c.type === 2);
  return `<div class="row">${selects.join('')}${buttons.map((b) => `<span class="button${b.disabled ? ' disabled' : ''}">${escape(String(b.label))}</span>`).join('')}</div>`;
}

function messageHtml(message: StoredMessage): string {
  const rows = message.components.map((component) => componentHtml(message, component));
  const files = message.attachments.map((a) => `${escape(a.filename)} (${Math.round(a.size / 1024)} KiB)`).join(', ');
  return `<div class="message"><div>${bold(message.content)}</div><div class="embeds">${message.embeds
    .map((embed) => embedHtml(message, embed))
    .join('')}</div>${rows.join('')}${files ? `<small>attachments: ${files}</small>` : ''}</div>`;
}

const STYLE = `body{background:#313338;color:#dbdee1;font:14px sans-serif;margin:0;padding:12px;width:900px}
.message{border-bottom:1px solid #444;padding:8px 0}.embeds{display:flex;gap:8px;flex-wrap:wrap}
.embed{background:#2b2d31;border-left:4px solid #5865f2;padding:8px;width:260px;display:flex;flex-direction:column;gap:4px}
.embed img{max-width:240px;max-height:300px}.missing{color:#f23f43}small{color:#949ba4}
.row{margin-top:6px}.button{display:inline-block;background:#4e5058;border-radius:3px;padding:4px 10px;margin-right:6px}
.button.disabled{opacity:.4}.container{background:#2b2d31;border-radius:8px;padding:12px;display:flex;flex-direction:column;gap:8px}
.wide{max-width:100%}.select{background:#1e1f22;border-radius:4px;padding:8px;margin-bottom:4px;color:#949ba4}`;

/** The messages as a PNG, drawn by the headless Chromium tests use (CHROMIUM_PATH). */
export async function renderChannelPng(messages: readonly StoredMessage[]): Promise<Buffer> {
  const browser = await launchChromium();
  try {
    const tab = await browser.context.newPage();
    await tab.setContent(`<!doctype html><style>${STYLE}</style>${messages.map(messageHtml).join('')}`);
    return await tab.screenshot({ fullPage: true });
  } finally {
    await browser.close();
  }
}
