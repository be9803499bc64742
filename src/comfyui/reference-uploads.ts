import { crc32, deflateSync } from 'node:zlib';
import type { ComfyClient } from './comfyui-client.js';

// Reference images in ComfyUI's input folder, named by the hash of their bytes in the `storyroom`
// subfolder: each is uploaded once per ComfyUI server and content (the worker remembers what it put
// there). A ComfyUI that lost its input folder (a restart without a volume for it) refuses a prompt
// whose LoadImage names a missing file; then everything is uploaded again (`forget`) and the prompt
// sent once more.

export interface InputFile {
  /** The name in the subfolder, e.g. `<sha256>.png`. */
  name: string;
  subfolder: string;
  bytes: Buffer;
  contentType: string;
}

const perClient = new WeakMap<ComfyClient, ReferenceUploads>();

/** The uploads of this client's ComfyUI (one per worker's client). */
export function referenceUploadsOf(client: ComfyClient): ReferenceUploads {
  let uploads = perClient.get(client);
  if (!uploads) {
    uploads = new ReferenceUploads(client);
    perClient.set(client, uploads);
  }
  return uploads;
}

class ReferenceUploads {
  private readonly known = new Set<string>();

  constructor(private readonly client: ComfyClient) {}

  /** Uploads the files ComfyUI is not known to have. */
  async ensure(files: readonly InputFile[]): Promise<void> {
    for (const file of files) {
      const key = `${file.subfolder}/${file.name}`;
      if (this.known.has(key)) continue;
      await this.client.upload(file);
      this.known.add(key);
    }
  }

  /** ComfyUI lost its input folder: the next ensure() uploads everything again. */
  forget(): void {
    this.known.clear();
  }
}

/** A 64×64 mid-grey PNG: what a reference slot a panel leaves empty loads (at strength 0 where it has one). */
export function neutralReferencePng(): Buffer {
  const side = 64;
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8;
  header[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(side * 3, 128)]);
  const pixels = Buffer.concat(Array.from({ length: side }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
