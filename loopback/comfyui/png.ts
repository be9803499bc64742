import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

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
 * A deterministic picture standing in for a model's: colours and stripes drawn from a hash of the seed
 * and the prompt, so a new seed or a changed prompt gives a visibly different image of the same size.
 */
export function drawPanel(options: {
  width: number;
  height: number;
  seed: string;
  prompt: string;
  metadata?: Record<string, string>;
}): Buffer {
  const hash = createHash('sha256').update(`${options.seed}\n${options.prompt}`).digest();
  const byte = (i: number) => hash[i % hash.length] ?? 0;
  const stripe = 8 + (byte(9) % 40);
  const slant = (byte(10) % 5) - 2;
  return encodePng(
    options.width,
    options.height,
    (x, y) => {
      const band = Math.floor((x + slant * y) / stripe) & 1;
      const fade = y / Math.max(1, options.height - 1);
      const base = band ? 0 : 3;
      return [0, 1, 2].map((c) => Math.round(byte(base + c) * (1 - fade) + byte(base + c + 6) * fade)) as [number, number, number];
    },
    options.metadata,
  );
}
