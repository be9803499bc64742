import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed, APIMessageTopLevelComponent } from 'discord.js';

// What the bot and the worker send: plain API JSON, so one renderer serves discord.js and raw REST.
export interface MessageBody {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  // Model and user text must never ping anyone: no parsed mentions, ever. Only a review reminder
  // names the co-writers it is for, by id.
  allowed_mentions: { parse: []; users?: string[] };
}

/**
 * A Components V2 message (flag 1 << 15): everything it shows is a component (text displays, media
 * galleries, containers); content and embeds are null. The flag cannot be taken off a message again.
 */
export interface ComponentsV2Body {
  flags: number;
  content: null;
  embeds: null;
  components: APIMessageTopLevelComponent[];
  allowed_mentions: { parse: [] };
}

export const NO_MENTIONS: { parse: [] } = { parse: [] };

export const LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedTotal: 6000,
  fieldValue: 1024,
  footer: 2048,
} as const;

/** Cuts text to fit a limit at a word boundary when it can, marking the cut. */
export function fitText(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  const room = max - marker.length;
  const cut = text.slice(0, room);
  const space = cut.lastIndexOf(' ');
  return `${space > room * 0.8 ? cut.slice(0, space) : cut}${marker}`;
}

// Plain text, not a command mention: drafts are posted by the worker, which does not read the command ids.
const CUT_MARKER = '… (cut here: the full text is in /page history)';

/** Splits long text into embed descriptions that together stay inside a character budget. */
export function splitIntoDescriptions(text: string, budget: number): string[] {
  const clean = text.trim() || '(empty)';
  let rest = clean.length <= budget ? clean : fitText(clean, budget, CUT_MARKER);
  const parts: string[] = [];
  while (rest.length > LIMITS.embedDescription) {
    const window = rest.slice(0, LIMITS.embedDescription);
    const breakAt = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf('. ') + 1);
    const end = breakAt > LIMITS.embedDescription / 2 ? breakAt : LIMITS.embedDescription;
    parts.push(rest.slice(0, end).trimEnd());
    rest = rest.slice(end).trimStart();
  }
  parts.push(rest);
  return parts;
}

/** Text shown inside a block must not close the block or turn into a heading. */
export function quoteBlock(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** How a view names a slash command: a clickable mention once the bot knows the command's id, else `/name` (the bot's CommandMentions). */
export interface MentionCommands {
  mention(path: string): string;
}
