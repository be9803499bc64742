import { inflateSync } from 'node:zlib';

// A reference image checked before anything is stored: its type read from its bytes (never from the
// name or the declared type), its size capped, its dimensions read from the header before any pixel
// is decoded, and a PNG whose compressed data would inflate past what its header declares (a
// decompression bomb) refused. PNG, JPEG and WebP only; an animated PNG or WebP is refused, and GIF
// is not taken at all.

export const REFERENCE_LIMITS = {
  /** Bytes of one file. */
  maxBytes: 10 * 1024 * 1024,
  /** Pixels a side. */
  maxSide: 4096,
  /** Pixels in all (4096 × 4096). */
  maxPixels: 4096 * 4096,
  minSide: 16,
} as const;

export type ReferenceImageType = 'image/png' | 'image/jpeg' | 'image/webp';

export type ReferenceImageCheck =
  | { ok: true; contentType: ReferenceImageType; extension: 'png' | 'jpg' | 'webp'; width: number; height: number }
  | { ok: false; reason: string };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const refuse = (reason: string): ReferenceImageCheck => ({ ok: false, reason });

/** Whether these bytes may become a reference image, and what they are. */
export function checkReferenceImage(bytes: Buffer): ReferenceImageCheck {
  if (bytes.length > REFERENCE_LIMITS.maxBytes)
    return refuse(`The image is too large (${megabytes(bytes.length)}); keep it under ${megabytes(REFERENCE_LIMITS.maxBytes)}.`);
  if (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a')
    return refuse('GIF images (animated or not) are not taken as references: use a PNG, JPEG or WebP still.');
  let read: ReferenceImageCheck | { width: number; height: number; contentType: ReferenceImageType };
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) read = readPng(bytes);
  else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) read = readJpeg(bytes);
  else if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') read = readWebp(bytes);
  else return refuse('That file is not a PNG, JPEG or WebP image (its contents were checked, not its name).');
  if ('ok' in read) return read;
  const { width, height, contentType } = read;
  if (width < REFERENCE_LIMITS.minSide || height < REFERENCE_LIMITS.minSide)
    return refuse(`The image is ${width}×${height} pixels; a reference needs at least ${REFERENCE_LIMITS.minSide} a side.`);
  if (width > REFERENCE_LIMITS.maxSide || height > REFERENCE_LIMITS.maxSide || width * height > REFERENCE_LIMITS.maxPixels)
    return refuse(`The image is ${width}×${height} pixels; a reference may be at most ${REFERENCE_LIMITS.maxSide} pixels a side.`);
  if (contentType === 'image/png') {
    const bomb = checkPngInflation(bytes, width, height);
    if (bomb) return refuse(bomb);
  }
  const extension = contentType === 'image/png' ? 'png' : contentType === 'image/jpeg' ? 'jpg' : 'webp';
  return { ok: true, contentType, extension, width, height };
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

interface PngChunk {
  type: string;
  data: Buffer;
}

/** The chunks of a PNG, or null when they run past the end of the file. */
function pngChunks(bytes: Buffer): PngChunk[] | null {
  const chunks: PngChunk[] = [];
  let at = 8;
  while (at + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > bytes.length) return null;
    chunks.push({ type, data: bytes.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
    if (type === 'IEND') return chunks;
  }
  return null;
}

function readPng(bytes: Buffer): ReferenceImageCheck | { width: number; height: number; contentType: ReferenceImageType } {
  const chunks = pngChunks(bytes);
  const header = chunks?.[0];
  if (!chunks || header?.type !== 'IHDR' || header.data.length !== 13) return refuse('That PNG is damaged or cut short.');
  if (chunks.some((c) => c.type === 'acTL')) return refuse('Animated PNGs are not taken as references: use a still image.');
  return { width: header.data.readUInt32BE(0), height: header.data.readUInt32BE(4), contentType: 'image/png' };
}

/** Bytes per pixel by PNG colour type, per bit of depth. */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * A PNG's image data inflated with a ceiling of what its header declares (each row: a filter byte and
 * its pixels): data that would inflate past it is a decompression bomb, refused without holding more.
 */
function checkPngInflation(bytes: Buffer, width: number, height: number): string | null {
  const chunks = pngChunks(bytes) ?? [];
  const header = chunks[0]?.data;
  const depth = header?.[8] ?? 8;
  const channels = PNG_CHANNELS[header?.[9] ?? 2];
  const interlaced = header?.[12] === 1;
  if (!channels) return 'That PNG is damaged (an unknown colour type).';
  // Interlaced images hold a little more (seven passes, each row with a filter byte): allowed for.
  const rowBytes = Math.ceil((width * channels * depth) / 8) + 1;
  const declared = rowBytes * height + (interlaced ? 7 * (height + 1) : 0);
  const data = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  try {
    inflateSync(data, { maxOutputLength: declared + 1 });
  } catch (error) {
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      return 'That PNG holds far more data than its size says (a decompression bomb); it was not stored.';
    return 'That PNG is damaged: its image data cannot be read.';
  }
  return null;
}

/** Start-of-frame markers (baseline, progressive, …), which hold the size; not DHT (C4), JPG (C8) or DAC (CC). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function readJpeg(bytes: Buffer): ReferenceImageCheck | { width: number; height: number; contentType: ReferenceImageType } {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return refuse('That JPEG is damaged.');
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or the scan began before any frame header
    const length = bytes.readUInt16BE(at + 2);
    if (SOF.has(marker)) {
      if (at + 9 > bytes.length) break;
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7), contentType: 'image/jpeg' };
    }
    at += 2 + length;
  }
  return refuse('That JPEG is damaged or cut short (no frame header).');
}

function readWebp(bytes: Buffer): ReferenceImageCheck | { width: number; height: number; contentType: ReferenceImageType } {
  const chunk = bytes.toString('latin1', 12, 16);
  const body = 20;
  if (chunk === 'VP8X' && bytes.length >= body + 10) {
    if ((bytes[body] ?? 0) & 0x02) return refuse('Animated WebP images are not taken as references: use a still image.');
    return { width: 1 + bytes.readUIntLE(body + 4, 3), height: 1 + bytes.readUIntLE(body + 7, 3), contentType: 'image/webp' };
  }
  if (chunk === 'VP8 ' && bytes.length >= body + 10 && bytes.readUIntBE(body + 3, 3) === 0x9d012a)
    return { width: bytes.readUInt16LE(body + 6) & 0x3fff, height: bytes.readUInt16LE(body + 8) & 0x3fff, contentType: 'image/webp' };
  if (chunk === 'VP8L' && bytes.length >= body + 5 && bytes[body] === 0x2f) {
    const bits = bytes.readUInt32LE(body + 1);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1, contentType: 'image/webp' };
  }
  return refuse('That WebP image is damaged or of a kind not taken.');
}
