import { BIBLE_ENTRY_TYPES, type BibleEntryType } from './bible-entry.js';

// How a Markdown or text file becomes a bible entry, for `npm run import-bible`. Pure.
//
// An optional front matter block sets the fields:
//   ---
//   type: character
//   title: Mira
//   keywords: lantern, the guide
//   priority: 5
//   always: true
//   ---
// Without it, the title is the first "# heading" (else the file name), and the type comes from the
// folder the file is in (characters/, locations/, rules/, style/) or the importer's default.

export const BIBLE_FILE_MAX_CHARS = 200_000;

/** A bible entry's own fields, however it arrives (a file, /bible add, its form). */
export interface BibleEntryFields {
  title: string;
  type: BibleEntryType;
  body: string;
  keywords: string[];
  priority: number;
  alwaysInclude: boolean;
}

export type ParsedBibleFile = BibleEntryFields;

const FOLDER_TYPES: Record<string, BibleEntryType> = {
  character: 'character',
  characters: 'character',
  cast: 'character',
  location: 'location',
  locations: 'location',
  places: 'location',
  rule: 'rule',
  rules: 'rule',
  style: 'style',
  styles: 'style',
  reference: 'reference',
  references: 'reference',
};

/** Reads a type name as a writer would put it ("Characters", "location"). */
export function readBibleType(text: string): BibleEntryType | null {
  return FOLDER_TYPES[text.trim().toLowerCase()] ?? null;
}

function frontMatter(text: string): { fields: Map<string, string>; rest: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!match) return { fields: new Map(), rest: text };
  const fields = new Map<string, string>();
  for (const line of (match[1] ?? '').split(/\r?\n/)) {
    // String operations, not one regex: `\s*(.*?)\s*$` backtracks quadratically on long runs of spaces.
    const colon = line.indexOf(':');
    const key = colon < 0 ? '' : line.slice(0, colon).trim();
    if (!/^[A-Za-z_]{1,40}$/.test(key)) continue;
    fields.set(
      key.toLowerCase(),
      line
        .slice(colon + 1)
        .trim()
        .replace(/^["']|["']$/g, ''),
    );
  }
  return { fields, rest: text.slice(match[0].length) };
}

/**
 * The text of the first "# heading" line, without Markdown's optional closing hashes. Line by line
 * with string operations: the regex it replaces (`^#\s+(.+?)\s*#*\s*$`) took cubic time on a line of
 * spaces.
 */
function firstHeading(text: string): string | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith('#') || !/^#\s/.test(line)) continue;
    const words = line.slice(1).trim();
    // A closing sequence is hashes preceded by a space ("# Title ##"); "#x" at the end is the title's.
    const closing = /(^|\s)#+$/.exec(words);
    const title = closing ? words.slice(0, closing.index).trimEnd() : words;
    if (title) return title;
  }
  return null;
}

/** A bible entry from one file, or the reason it cannot be one (in words for the person importing). */
export function parseBibleFile(
  file: { name: string; folder: string | null; text: string },
  defaultType: BibleEntryType,
): ParsedBibleFile | { error: string } {
  if (file.text.length > BIBLE_FILE_MAX_CHARS) return { error: `longer than ${BIBLE_FILE_MAX_CHARS} characters` };
  if (file.text.includes('\u0000')) return { error: 'not a text file' };
  const { fields, rest } = frontMatter(file.text.replace(/^\uFEFF/, ''));
  const heading = firstHeading(rest);
  const title = (fields.get('title') || heading || file.name.replace(/\.(md|markdown|txt)$/i, '').replace(/[-_]+/g, ' ')).trim();
  if (!title || title.length > 100) return { error: 'the title must be 1–100 characters (front matter "title:" or a "# heading")' };
  const typeText = fields.get('type');
  const type = typeText !== undefined ? readBibleType(typeText) : ((file.folder ? readBibleType(file.folder) : null) ?? defaultType);
  if (!type) return { error: `unknown type "${typeText}" (use ${BIBLE_ENTRY_TYPES.join(', ')})` };
  const priority = fields.has('priority') ? Number(fields.get('priority')) : 0;
  if (!Number.isInteger(priority) || priority < -100 || priority > 100)
    return { error: 'priority must be a whole number from -100 to 100' };
  const body = rest.trim();
  if (!body) return { error: 'the file has no text' };
  const keywords = (fields.get('keywords') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0 && k.length <= 60)
    .slice(0, 20);
  return { title, type, body, keywords, priority, alwaysInclude: /^(true|yes|1)$/i.test(fields.get('always') ?? '') };
}
