import { countTokens } from '../agents/tokens.js';
import type { Db } from '../db/connection.js';
import {
  getBibleEntryByTitle,
  insertBibleEntry,
  listBibleEntries,
  supersedeBibleEntriesByTitle,
  supersedeBibleEntry,
} from '../db/bible.js';
import type { CanonicalRef } from '../db/database.js';
import type { BibleEntryFields } from '../domain/bible-file.js';
import { UserError } from './user-error.js';

export interface NewBibleEntry extends BibleEntryFields {
  userId: string;
}

/** Adds an entry, or replaces the one with the same title; the replaced text is kept (superseded), never deleted. */
export async function addBibleEntry(db: Db, storyId: number, entry: NewBibleEntry): Promise<{ entry: CanonicalRef; replaced: boolean }> {
  return db.transaction().execute(async (trx) => {
    const superseded = await supersedeBibleEntriesByTitle(trx, storyId, entry.title);
    const inserted = await insertBibleEntry(trx, {
      story_id: storyId,
      title: entry.title,
      ref_type: entry.type,
      body: entry.body,
      keywords: entry.keywords,
      priority: entry.priority,
      always_include: entry.alwaysInclude,
      // Counted once here so building a prompt never tokenizes the whole bible.
      token_count: countTokens(`${entry.type}: ${entry.title}\n${entry.body}`) + 8,
      created_by: entry.userId,
    });
    return { entry: inserted, replaced: superseded > 0 };
  });
}

export function listBible(db: Db, storyId: number): Promise<CanonicalRef[]> {
  return listBibleEntries(db, storyId);
}

export async function getBibleEntry(db: Db, storyId: number, title: string): Promise<CanonicalRef> {
  const entry = await getBibleEntryByTitle(db, storyId, title);
  if (!entry) throw new UserError(`The bible has no entry called "${title}". /bible list shows them all.`);
  return entry;
}

/** Takes an entry out of prompts; its text stays in the database as history. */
export async function removeBibleEntry(db: Db, storyId: number, title: string): Promise<CanonicalRef> {
  const entry = await getBibleEntry(db, storyId, title);
  await supersedeBibleEntry(db, entry.id);
  return entry;
}

export const BIBLE_EDIT_REFUSAL = 'Only members with the Manage Server permission can change the story bible.';

/** What /bible add (options or its form) says back: what was stored and how prompts will use it. */
export function describeAddedEntry(entry: CanonicalRef, replaced: boolean): string {
  return `${replaced ? 'Replaced' : 'Added'} ${entry.ref_type} **${entry.title}** (${entry.token_count} tokens${entry.keywords.length ? `; called up by ${entry.keywords.join(', ')}` : ''}${entry.always_include ? '; in every prompt' : ''}).${replaced ? ' The earlier text is kept as history.' : ''}`;
}

/** "glow, the Mark , ember" → ["glow", "the Mark", "ember"]: trimmed, de-duplicated, at most 20. */
export function parseKeywords(text: string | null): string[] {
  if (!text) return [];
  const seen = new Set<string>();
  return text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0 && k.length <= 60 && !seen.has(k.toLowerCase()) && seen.add(k.toLowerCase()))
    .slice(0, 20);
}
