import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateSync, inflateSync } from 'node:zlib';

export const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** An 8-bit RGB PNG; `pixel(x, y)` gives [r, g, b]. `text` becomes tEXt chunks, as ComfyUI writes its prompt. */
export function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
  text: Record<string, string> = {},
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = pixel(x, y);
      const at = y * stride + 1 + x * 3;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
    }
  }
  const textChunks = Object.entries(text).map(([key, value]) => chunk('tEXt', Buffer.from(`${key}\0${value}`, 'latin1')));
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), ...textChunks, chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * The PNG with `bytes` more of metadata before its end: as large as a real model's picture (1.5–2 MB
 * for SDXL) while drawn as cheaply as the loopback's stripes. Random, so it does not compress away.
 */
export function padPng(png: Buffer, bytes: number): Buffer {
  const end = png.length - 12; // the IEND chunk
  const filler = Buffer.from(randomBytes(bytes).map((b) => 0x20 + (b % 0x5f)));
  return Buffer.concat([
    png.subarray(0, end),
    chunk('tEXt', Buffer.concat([Buffer.from('padding\0', 'latin1'), filler])),
    png.subarray(end),
  ]);
}

/** Width and height from a PNG's header, or null when the bytes are not a PNG. */
export function readPngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * The pixels of an 8-bit RGB PNG written without row filters (as encodePng writes them), as
 * `pixel(x, y)`; null for any other PNG. Enough to show a reference image inside a drawn panel.
 */
function decodeSimplePng(bytes: Buffer): ((x: number, y: number) => [number, number, number]) | null {
  const size = readPngSize(bytes);
  if (!size || bytes[24] !== 8 || bytes[25] !== 2 || size.width * size.height > 4096 * 4096) return null;
  const parts: Buffer[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const stride = size.width * 3 + 1;
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(parts), { maxOutputLength: stride * size.height });
  } catch {
    return null;
  }
  for (let y = 0; y < size.height; y += 1) if (raw[y * stride] !== 0) return null;
  return (x, y) => {
    const at = Math.min(y, size.height - 1) * stride + 1 + Math.min(x, size.width - 1) * 3;
    return [raw[at] ?? 0, raw[at + 1] ?? 0, raw[at + 2] ?? 0];
  };
}

/**
 * A deterministic picture standing in for a model's: colours and stripes drawn from a hash of the seed
 * and the prompt, so a new seed or a changed prompt gives a visibly different image of the same size.
 * Reference images change it too: their bytes join the hash, and each is shown as an inset along the
 * bottom edge (a flat square of its own colour when it is not a PNG the loopback can read).
 */
export function drawPanel(options: {
  width: number;
  height: number;
  seed: string;
  prompt: string;
  references?: Buffer[];
  metadata?: Record<string, string>;
}): Buffer {
  const references = options.references ?? [];
  const hasher = createHash('sha256').update(`${options.seed}\n${options.prompt}`);
  for (const reference of references) hasher.update(createHash('sha256').update(reference).digest());
  const hash = hasher.digest();
  const inset = Math.floor(Math.min(options.width, options.height) / 3);
  const insets = references.map((reference, index) => {
    const pixels = decodeSimplePng(reference);
    const size = readPngSize(reference) ?? { width: 1, height: 1 };
    const colour = createHash('sha256').update(reference).digest();
    return {
      left: 8 + index * (inset + 8),
      top: options.height - inset - 8,
      pixel: (x: number, y: number): [number, number, number] =>
        pixels
          ? pixels(Math.floor((x * size.width) / inset), Math.floor((y * size.height) / inset))
          : [colour[0] ?? 0, colour[1] ?? 0, colour[2] ?? 0],
    };
  });
  const byte = (i: number) => hash[i % hash.length] ?? 0;
  const stripe = 8 + (byte(9) % 40);
  const slant = (byte(10) % 5) - 2;
  return encodePng(
    options.width,
    options.height,
    (x, y) => {
      for (const box of insets) {
        if (x >= box.left && x < box.left + inset && y >= box.top && y < box.top + inset) return box.pixel(x - box.left, y - box.top);
      }
      const band = Math.floor((x + slant * y) / stripe) & 1;
      const fade = y / Math.max(1, options.height - 1);
      const base = band ? 0 : 3;
      return [0, 1, 2].map((c) => Math.round(byte(base + c) * (1 - fade) + byte(base + c + 6) * fade)) as [number, number, number];
    },
    options.metadata,
  );
}
