import type { Executor } from './executor.js';

/** Stores the bytes once under their hash; the same image stored again changes nothing. */
export async function insertImage(
  db: Executor,
  image: { hash: string; contentType: string; width: number; height: number; bytes: Buffer },
): Promise<void> {
  await db
    .insertInto('images')
    .values({
      hash: image.hash,
      content_type: image.contentType,
      width: image.width,
      height: image.height,
      byte_size: image.bytes.length,
      bytes: image.bytes,
    })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
}

export async function findImage(
  db: Executor,
  hash: string,
): Promise<{ bytes: Buffer; contentType: string; width: number; height: number } | null> {
  const row = await db
    .selectFrom('images')
    .select(['bytes', 'content_type', 'width', 'height'])
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row ? { bytes: row.bytes, contentType: row.content_type, width: row.width, height: row.height } : null;
}

/** How many bytes each image has, without reading them: what fits a message's upload limit. */
export async function findImageSizes(db: Executor, hashes: readonly string[]): Promise<Map<string, number>> {
  if (hashes.length === 0) return new Map();
  const rows = await db
    .selectFrom('images')
    .select(['hash', 'byte_size'])
    .where('hash', 'in', [...hashes])
    .execute();
  return new Map(rows.map((row) => [row.hash, row.byte_size]));
}
