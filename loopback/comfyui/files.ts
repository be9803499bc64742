import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImageRef } from './execute.js';
import { parseMultipart } from './multipart.js';

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

/**
 * The input, output and temp folders, in memory: /view, /upload/image and SaveImage's counter. Outputs
 * are kept across restarts; the input folder is not (a container without a volume for it loses it).
 */
export class ComfyFiles {
  private readonly files = new Map<string, Buffer>();
  private readonly counters = new Map<string, number>();
  /** Every upload accepted, as `subfolder/name` in the input folder: what tests count. */
  readonly uploads: string[] = [];

  /** A restart without a volume for the input folder: uploaded files are gone. */
  forgetInputs(): void {
    for (const key of [...this.files.keys()]) if (key.startsWith('input/') || key.startsWith('temp/')) this.files.delete(key);
  }

  inputNames(): string[] {
    return [...this.files.keys()].filter((key) => key.startsWith('input/')).map((key) => key.slice('input/'.length));
  }

  readInput(name: string): Buffer | undefined {
    return this.files.get(`input/${name}`);
  }

  /** SaveImage's naming: `<prefix>_00001_.png`, counting per prefix and folder; `a/b` saves `b_…` in subfolder `a`. */
  save(prefix: string, type: 'output' | 'temp', bytes: Buffer): ImageRef {
    const slash = prefix.lastIndexOf('/');
    const subfolder = slash < 0 ? '' : prefix.slice(0, slash);
    const base = slash < 0 ? prefix : prefix.slice(slash + 1);
    const key = `${type}/${subfolder}/${base}`;
    const counter = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, counter);
    const filename = `${base}_${String(counter).padStart(5, '0')}_.png`;
    this.files.set([type, subfolder, filename].filter(Boolean).join('/'), bytes);
    return { filename, subfolder, type };
  }

  view(url: URL, res: ServerResponse): void {
    let filename = url.searchParams.get('filename');
    let type = url.searchParams.get('type') ?? 'output';
    const subfolder = url.searchParams.get('subfolder') ?? '';
    const annotated = filename?.match(/ \[(output|input|temp)\]$/);
    if (filename && annotated?.[1]) {
      type = annotated[1];
      filename = filename.slice(0, -annotated[0].length);
    }
    if (!['output', 'input', 'temp'].includes(type)) return void res.writeHead(400).end();
    if (!filename) return void res.writeHead(404).end();
    if (filename.startsWith('/') || filename.includes('..')) return void res.writeHead(400).end();
    if (subfolder.startsWith('/') || subfolder.includes('..')) return void res.writeHead(403).end();
    const bytes = this.files.get([type, subfolder, filename].filter(Boolean).join('/'));
    if (!bytes) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/png', 'content-disposition': `filename="${filename}"` }).end(bytes);
  }

  upload(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const parts = parseMultipart(req.headers['content-type'] ?? '', body);
    const image = parts.find((part) => part.name === 'image' && part.filename);
    const field = (name: string) => parts.find((part) => part.name === name)?.data.toString() ?? '';
    const type = field('type') || 'input';
    const subfolder = field('subfolder');
    if (!image?.filename || subfolder.includes('..') || image.filename.includes('..') || image.filename.includes('/'))
      return void res.writeHead(400).end();
    if (!['input', 'temp', 'output'].includes(type)) return json(res, 500, { error: 'unknown type' });
    const overwrite = ['true', '1'].includes(field('overwrite'));
    const folder = [type, subfolder].filter(Boolean).join('/');
    let name = image.filename;
    for (let n = 1; !overwrite && this.files.has(`${folder}/${name}`) && !this.files.get(`${folder}/${name}`)?.equals(image.data); n += 1) {
      name = image.filename.replace(/(\.[^.]*)?$/, (ext) => ` (${n})${ext}`);
    }
    this.files.set(`${folder}/${name}`, image.data);
    this.uploads.push([subfolder, name].filter(Boolean).join('/'));
    json(res, 200, { name, subfolder, type });
  }
}
