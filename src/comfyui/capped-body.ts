import { ComfyBadResponseError } from './comfyui-errors.js';

/**
 * A body of at most `maxBytes`: refused at once when its Content-Length says more, else counted as it
 * streams and cut off past the cap (a missing or lying Content-Length changes nothing).
 */
export async function readCapped(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ComfyBadResponseError(`ComfyUI sent ${what} of ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ComfyBadResponseError(`ComfyUI sent ${what} of more than the ${maxBytes} bytes allowed`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
