import { sql } from 'kysely';
import type { Executor } from './executor.js';
import type { ReferenceImage } from './render-tables.js';

export type { ReferenceImage };

// Reference images of bible characters and a story's style reference (reference_images). A removed
// one is marked removed (who and when), never deleted: renders that used it keep naming it.

/** The references in use of a story, by character and in listing order (the first is drawn with). */
export function listReferenceImages(db: Executor, storyId: number): Promise<ReferenceImage[]> {
  return db
    .selectFrom('reference_images')
    .selectAll()
    .where('story_id', '=', storyId)
    .where('removed_at', 'is', null)
    .orderBy('character_key')
    .orderBy('id')
    .execute();
}

/** The references in use of one character ('' for the style reference), in listing order. */
export function listReferencesOf(db: Executor, storyId: number, characterKey: string): Promise<ReferenceImage[]> {
  return db
    .selectFrom('reference_images')
    .selectAll()
    .where('story_id', '=', storyId)
    .where('character_key', '=', characterKey)
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** Serialises additions to one character's references until the transaction ends (count, then insert). */
export async function lockReferencesOf(trx: Executor, storyId: number, characterKey: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`references:${storyId}:${characterKey}`}))`.execute(trx);
}

export function insertReferenceImage(
  db: Executor,
  reference: {
    storyId: number;
    kind: 'character' | 'style';
    characterKey: string;
    characterName: string;
    imageHash: string;
    source: 'upload' | 'panel';
    renderId: number | null;
    addedBy: string;
  },
): Promise<ReferenceImage> {
  return db
    .insertInto('reference_images')
    .values({
      story_id: reference.storyId,
      kind: reference.kind,
      character_key: reference.characterKey,
      character_name: reference.characterName,
      image_hash: reference.imageHash,
      source: reference.source,
      render_id: reference.renderId,
      added_by: reference.addedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function markReferenceRemoved(db: Executor, referenceId: number, userId: string): Promise<void> {
  await db
    .updateTable('reference_images')
    .set({ removed_at: sql<Date>`now()`, removed_by: userId })
    .where('id', '=', referenceId)
    .where('removed_at', 'is', null)
    .execute();
}
