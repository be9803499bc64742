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

/** The letterer's page format and reading direction for a story's setting: a manga page is a comic page read right to left. */
export function letteringLayoutOf(format: StoryPageFormat): { format: PageFormat; direction: ReadingDirection } {
  return format === 'manga' ? { format: 'comic', direction: 'rtl' } : { format, direction: 'ltr' };
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
