import { escapeBulletedList, escapeHeading, escapeNumberedList, escapeSpoiler, escapeStrikethrough } from '@discordjs/formatters';

// discord.js's escapeMarkdown, in time linear in the text. Its italic, underline and masked-link
// patterns look back along the line at every marker, so their time grows with the square (masked links:
// the cube) of a line's length: 20,000 asterisks took 0.6 s, 20,000 backslashes 5 s, 20,000 brackets
// 80 s. Here backslashes, backticks, asterisks and underscores are escaped a word at a time with one
// character class, and masked links with string searches; strikethrough, spoilers, headings and list
// markers go through discord.js's own functions, whose patterns are linear. For ordinary text the
// result is discord.js's (test/domain/markdown-escape.test.ts holds them equal); where discord.js
// leaves a marker of a long run unescaped, this escapes it.

export interface EscapeOptions {
  /** Headings, bullets and numbered-list markers at the start of a line (text shown over several lines). */
  lineStarts?: boolean;
  /** `[text](url)` links (Discord shows them in embeds). */
  maskedLinks?: boolean;
}

/** Where an address starts in a word: escapes inside it would become part of it, as discord.js knows. */
const ADDRESS = /https?:\/\/|<[^\s:<>]+:\//;
/** A custom emoji's name (`<:name_1:123>`) keeps its underscores, as discord.js does. */
const EMOJI = /<a?:/;

export function escapeDiscordMarkdown(text: string, options: EscapeOptions = {}): string {
  let out = text
    .split(/(\s+)/)
    .map((piece, index) => (index % 2 === 1 ? piece : escapeWord(piece)))
    .join('');
  out = escapeSpoiler(escapeStrikethrough(out));
  if (options.lineStarts) out = escapeNumberedList(escapeBulletedList(escapeHeading(out)));
  if (options.maskedLinks) out = out.split('\n').map(escapeLinkOpening).join('\n');
  return out;
}

function escapeWord(word: string): string {
  const address = word.search(ADDRESS);
  const emoji = word.search(EMOJI);
  const cut = Math.min(address < 0 ? word.length : address, emoji < 0 ? word.length : emoji);
  const head = word.slice(0, cut).replace(/[\\`*_]/g, '\\$&');
  if (cut === word.length) return head;
  // In an address or an emoji discord.js escapes backslashes, backticks and bold markers only.
  return head + word.slice(cut).replace(/[\\`]/g, '\\$&').replaceAll('**', '\\*\\*');
}

/** `[text](url)`: every `[` before the line's last `](` that a `)` closes is escaped, so no link forms. */
function escapeLinkOpening(line: string): string {
  const closing = line.lastIndexOf(')');
  const middle = closing < 3 ? -1 : line.lastIndexOf('](', closing - 2);
  if (middle < 1) return line;
  return `${line.slice(0, middle).replaceAll('[', '\\[')}${line.slice(middle)}`;
}
