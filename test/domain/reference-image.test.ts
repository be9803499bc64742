import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chunk, encodePng, SIGNATURE } from '../../loopback/comfyui/png.js';
import { chooseRenderReferences, describeReferences, matchCharacter } from '../../src/domain/character-references.js';
import { checkReferenceImage } from '../../src/domain/reference-image.js';

const png = (width: number, height: number) => encodePng(width, height, (x, y) => [x % 256, y % 256, 90]);

/** A PNG whose header claims this size, with `data` as its (compressed) image data. */
function pngClaiming(width: number, height: number, data: Buffer, extra: Buffer[] = []): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), ...extra, chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]);
}

function jpeg(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03]);
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]), sof, Buffer.alloc(14), Buffer.from([0xff, 0xd9])]);
}

function webpLossless(width: number, height: number): Buffer {
  const body = Buffer.alloc(10);
  body[0] = 0x2f;
  body.writeUInt32LE(((height - 1) << 14) | (width - 1), 1);
  const vp8l = Buffer.concat([Buffer.from('VP8L'), Buffer.from([body.length, 0, 0, 0]), body]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(4 + vp8l.length);
  return Buffer.concat([Buffer.from('RIFF'), size, Buffer.from('WEBP'), vp8l]);
}

describe('a reference image is checked from its bytes before it is stored', () => {
  it('takes a PNG, a JPEG and a WebP, with their type and size read from the header', () => {
    expect(checkReferenceImage(png(64, 48))).toEqual({ ok: true, contentType: 'image/png', extension: 'png', width: 64, height: 48 });
    expect(checkReferenceImage(jpeg(640, 480))).toMatchObject({ ok: true, contentType: 'image/jpeg', width: 640, height: 480 });
    expect(checkReferenceImage(webpLossless(300, 200))).toMatchObject({ ok: true, contentType: 'image/webp', width: 300, height: 200 });
  });

  it('refuses what is not an image, a GIF, an animated PNG, a huge canvas, a bomb and a file past the byte cap', () => {
    const reason = (bytes: Buffer) => {
      const check = checkReferenceImage(bytes);
      return check.ok ? 'accepted' : check.reason;
    };
    expect(reason(Buffer.from('just some text, named kai.png'))).toMatch(/not a PNG, JPEG or WebP/);
    expect(reason(Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(100)]))).toMatch(/GIF/);
    expect(reason(pngClaiming(64, 64, deflateSync(Buffer.alloc(64 * 193)), [chunk('acTL', Buffer.alloc(8))]))).toMatch(/Animated PNG/);
    expect(reason(pngClaiming(50_000, 50_000, deflateSync(Buffer.alloc(100))))).toMatch(/50000×50000 pixels/);
    // 2000×2000 declared (12 MB of pixels), 40 MB of zeros inside: refused without inflating past the declared size.
    expect(reason(pngClaiming(2000, 2000, deflateSync(Buffer.alloc(40 * 1024 * 1024))))).toMatch(/decompression bomb/);
    expect(reason(Buffer.concat([png(64, 64), Buffer.alloc(30 * 1024 * 1024)]))).toMatch(/too large \(30\.0 MB\)/);
    expect(reason(png(8, 8))).toMatch(/at least 16/);
    expect(reason(png(64, 64).subarray(0, 40))).toMatch(/damaged or cut short/);
  });
});

describe('a panel’s characters fill the workflow’s reference slots', () => {
  const bible = [
    { title: 'Kai', keywords: ['the boy', 'Kai Ember'] },
    { title: 'Mira', keywords: [] },
    { title: 'Oren', keywords: [] },
  ];
  const references = [
    { id: 1, characterKey: 'kai', imageHash: 'k1' },
    { id: 2, characterKey: 'kai', imageHash: 'k2' },
    { id: 3, characterKey: 'mira', imageHash: 'm1' },
    { id: 4, characterKey: '', imageHash: 's1' },
  ];

  it('matches names and aliases whatever their case', () => {
    expect(matchCharacter('KAI', bible)?.title).toBe('Kai');
    expect(matchCharacter(' the Boy ', bible)?.title).toBe('Kai');
    expect(matchCharacter('Stranger', bible)).toBeNull();
  });

  it('fills slots in the panel’s order with each character’s first reference, skipping those without', () => {
    const chosen = chooseRenderReferences({
      panelCharacters: ['Oren', 'mira', 'kai ember', 'Kai'],
      bible,
      references,
      slots: 2,
      styleSlot: true,
    });
    expect(chosen).toEqual([
      { slot: 0, character: 'Mira', referenceId: 3, imageHash: 'm1' },
      { slot: 1, character: 'Kai', referenceId: 1, imageHash: 'k1' },
      { slot: 'style', character: '', referenceId: 4, imageHash: 's1' },
    ]);
    expect(describeReferences(chosen)).toBe('Mira, Kai and the style reference');
    expect(chooseRenderReferences({ panelCharacters: ['Kai', 'Mira'], bible, references, slots: 1, styleSlot: false })).toHaveLength(1);
    expect(chooseRenderReferences({ panelCharacters: ['Stranger'], bible, references, slots: 2, styleSlot: false })).toEqual([]);
  });
});
