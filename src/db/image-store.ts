import { createHash } from 'node:crypto';
import { findImage, insertImage } from './images.js';
import type { Executor } from './executor.js';

/**
 * Where rendered images are kept, addressed by the SHA-256 of their bytes. Never Discord CDN links:
 * those are signed and expire. Postgres by default; an object store can implement the same two calls.
 */
export interface ImageStore {
  /** Stores the bytes (once per content) and returns their hash. */
  put(image: { bytes: Buffer; contentType: string; width: number; height: number }): Promise<string>;
  /** The image with this hash; null for an unknown one or anything that is not a hash. Every reader of image bytes asks here. */
  get(hash: string): Promise<StoredImage | null>;
}

export interface StoredImage {
  bytes: Buffer;
  contentType: string;
}

export function hashImage(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function postgresImageStore(db: Executor): ImageStore {
  return {
    async put(image) {
      const hash = hashImage(image.bytes);
      await insertImage(db, { hash, ...image });
      return hash;
    },
    async get(hash) {
      if (!/^[0-9a-f]{64}$/.test(hash)) return null;
      const found = await findImage(db, hash);
      return found ? { bytes: found.bytes, contentType: found.contentType } : null;
    },
  };
}
