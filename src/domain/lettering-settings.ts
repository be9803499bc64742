import type { PageFormat, ReadingDirection } from './lettering/script.js';

// A story's lettering settings (/settings page_format: and language:), as the letterer reads them. Pure.

export const STORY_PAGE_FORMATS = ['comic', 'manga', 'webtoon', 'square'] as const;
export type StoryPageFormat = (typeof STORY_PAGE_FORMATS)[number];

export const STORY_PAGE_FORMAT_LABELS: Record<StoryPageFormat, string> = {
  comic: 'comic page (left to right)',
  manga: 'manga page (right to left)',
  webtoon: 'webtoon strip (vertical)',
  square: 'square page',
};

export function isStoryPageFormat(value: string): value is StoryPageFormat {
  return (STORY_PAGE_FORMATS as readonly string[]).includes(value);
}

const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Syrc', 'Thaa', 'Nkoo', 'Adlm', 'Rohg', 'Mand', 'Samr']);

/** The direction a language is written in ('ltr' for 'und' and for a tag Intl cannot read). */
export function languageDirection(language: string): ReadingDirection {
  try {
    return RTL_SCRIPTS.has(new Intl.Locale(language).maximize().script ?? '') ? 'rtl' : 'ltr';
  } catch {
    return 'ltr';
  }
}

/**
 * The letterer's page format and reading direction for a story's settings: a manga page is a comic page
 * read right to left, and so is any page of a story written right to left (Arabic, Hebrew, Persian…).
 */
export function letteringLayoutOf(format: StoryPageFormat, language = 'und'): { format: PageFormat; direction: ReadingDirection } {
  const page = format === 'manga' ? 'comic' : format;
  return { format: page, direction: format === 'manga' ? 'rtl' : languageDirection(language) };
}

/** A BCP 47 language tag in its canonical form ('ja', 'ar', 'pt-BR'), 'und' for none, or null when it is not one. */
export function canonicalLanguage(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return 'und';
  if (trimmed.length > 35) return null;
  try {
    return Intl.getCanonicalLocales(trimmed)[0] ?? null;
  } catch {
    return null;
  }
}
