import type { Db } from '../db/connection.js';
import { listBibleEntries } from '../db/bible.js';
import { postgresImageStore } from '../db/image-store.js';
import {
  insertReferenceImage,
  listReferenceImages,
  listReferencesOf,
  lockReferencesOf,
  markReferenceRemoved,
  type ReferenceImage,
} from '../db/reference-images.js';
import { runInTransaction } from '../db/unit-of-work.js';
import { MAX_REFERENCES_PER_CHARACTER, matchCharacter } from '../domain/character-references.js';
import { checkReferenceImage } from '../domain/reference-image.js';
import { UserError } from './user-error.js';

// Reference images of the story bible's characters (up to four each) and the story's one style
// reference: checked from their bytes, stored by hash with the panels' images, listed, removed.

/** Who the reference is for: a bible character by name or alias, or the story's style. */
export type ReferenceTarget = { kind: 'character'; name: string } | { kind: 'style' };

/** The bible character a name means (its title, or one of its keywords as an alias), or a refusal. */
async function findCharacter(db: Db, storyId: number, name: string): Promise<{ key: string; title: string }> {
  const characters = (await listBibleEntries(db, storyId)).filter((entry) => entry.ref_type === 'character');
  const found = matchCharacter(name, characters);
  if (!found)
    throw new UserError(
      `The bible has no character called "${name}". Add one with /bible add type:character first (references belong to bible characters). Nothing was stored.`,
    );
  return { key: found.title.toLowerCase(), title: found.title };
}

/**
 * Stores an image as a reference: refused (nothing stored) when it is not a PNG, JPEG or WebP still
 * within the limits, when the character is not in the bible, or when it already has four.
 */
export async function addReferenceImage(
  db: Db,
  storyId: number,
  request: { target: ReferenceTarget; bytes: Buffer; source: 'upload' | 'panel'; renderId: number | null; userId: string },
): Promise<{ reference: ReferenceImage; position: number }> {
  const check = checkReferenceImage(request.bytes);
  if (!check.ok) throw new UserError(`${check.reason} Nothing was stored.`);
  const character = request.target.kind === 'style' ? { key: '', title: 'Style' } : await findCharacter(db, storyId, request.target.name);
  const limit = request.target.kind === 'style' ? 1 : MAX_REFERENCES_PER_CHARACTER;
  return runInTransaction(db, async (trx) => {
    await lockReferencesOf(trx, storyId, character.key);
    const existing = await listReferencesOf(trx, storyId, character.key);
    if (existing.length >= limit)
      throw new UserError(
        request.target.kind === 'style'
          ? 'The story already has a style reference. Remove it first with /bible image style:True remove:1. Nothing was stored.'
          : `${character.title} already has ${limit} reference images, the most a character may have. Remove one first with /bible image character:${character.title} remove:<number>. Nothing was stored.`,
      );
    const hash = await postgresImageStore(trx).put({
      bytes: request.bytes,
      contentType: check.contentType,
      width: check.width,
      height: check.height,
    });
    if (existing.some((r) => r.image_hash === hash))
      throw new UserError(`That image is already one of ${character.title}'s references. Nothing was stored.`);
    const reference = await insertReferenceImage(trx, {
      storyId,
      kind: request.target.kind,
      characterKey: character.key,
      characterName: character.title,
      imageHash: hash,
      source: request.source,
      renderId: request.renderId,
      addedBy: request.userId,
    });
    return { reference, position: existing.length + 1 };
  });
}

/** Removes the reference at this place in the character's listing (1-based); it stays recorded as removed. */
export async function removeReferenceImage(
  db: Db,
  storyId: number,
  request: { target: ReferenceTarget; position: number; userId: string },
): Promise<{ name: string; left: number }> {
  const character =
    request.target.kind === 'style' ? { key: '', title: 'the style reference' } : await findCharacter(db, storyId, request.target.name);
  return runInTransaction(db, async (trx) => {
    await lockReferencesOf(trx, storyId, character.key);
    const existing = await listReferencesOf(trx, storyId, character.key);
    const reference = existing[request.position - 1];
    if (!reference)
      throw new UserError(
        `${character.title === 'the style reference' ? 'The story' : character.title} has ${existing.length} reference image${existing.length === 1 ? '' : 's'}; there is no number ${request.position}. Nothing was removed.`,
      );
    await markReferenceRemoved(trx, reference.id, request.userId);
    return { name: character.title, left: existing.length - 1 };
  });
}

/** The story's references in use, grouped by character in listing order (style last). */
export async function listStoryReferences(db: Db, storyId: number): Promise<{ name: string; references: ReferenceImage[] }[]> {
  const groups = new Map<string, { name: string; references: ReferenceImage[] }>();
  for (const reference of await listReferenceImages(db, storyId)) {
    const group = groups.get(reference.character_key) ?? { name: reference.character_name, references: [] };
    group.references.push(reference);
    groups.set(reference.character_key, group);
  }
  const style = groups.get('');
  groups.delete('');
  return [...groups.values(), ...(style ? [{ name: 'Style', references: style.references }] : [])];
}
