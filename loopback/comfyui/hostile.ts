import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { chunk, SIGNATURE } from './png.js';

// What a broken or hostile ComfyUI (or a proxy in front of one) can do, as the loopback server does
// it for real over HTTP: the client under test sees bytes on a socket, not a stand-in for its code.

export type ViewFault =
  /** /view answers a redirect to `location` (an internal address a worker must not be led to). */
  | { kind: 'redirect'; location: string }
  /** /view streams `bytes` bytes, with their Content-Length or chunked without one. */
  | { kind: 'huge'; bytes: number; declareLength: boolean }
  /** /view answers a PNG whose header claims this size (no pixels follow). */
  | { kind: 'png-claiming'; width: number; height: number };

export interface ComfyFaults {
  /** WebSocket upgrades are read and never answered, as behind a proxy that swallows them. */
  hangWebSocketHandshake: boolean;
  /** What every GET /view answers instead of the file; null: the file. */
  view: ViewFault | null;
  /** Requests (and upgrades) without exactly this Authorization header get 401, as behind an authenticating proxy. */
  requireAuthorization: string | null;
  /** GET /history/{id} answers JSON of another shape (`outputs` a list), as a server that is not ComfyUI 0.3 might. */
  unexpectedHistory: boolean;
}

export const noFaults = (): ComfyFaults => ({
  hangWebSocketHandshake: false,
  view: null,
  requireAuthorization: null,
  unexpectedHistory: false,
});

/** A PNG signature and IHDR claiming `width`×`height`, then IEND: what a header check reads. */
export function pngClaiming(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IEND', Buffer.alloc(0))]);
}

export async function answerView(fault: ViewFault, res: ServerResponse): Promise<void> {
  if (fault.kind === 'redirect') {
    res.writeHead(302, { location: fault.location }).end();
    return;
  }
  if (fault.kind === 'png-claiming') {
    res.writeHead(200, { 'content-type': 'image/png' }).end(pngClaiming(fault.width, fault.height));
    return;
  }
  res.writeHead(200, { 'content-type': 'image/png', ...(fault.declareLength ? { 'content-length': String(fault.bytes) } : {}) });
  const piece = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  // Streams until done or the client hangs up, waiting on the socket's back-pressure.
  while (sent < fault.bytes && !res.destroyed) {
    const size = Math.min(piece.length, fault.bytes - sent);
    sent += size;
    if (!res.write(size === piece.length ? piece : piece.subarray(0, size))) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  if (!res.destroyed) res.end();
}

export function isAuthorized(faults: ComfyFaults, req: IncomingMessage): boolean {
  return faults.requireAuthorization === null || req.headers.authorization === faults.requireAuthorization;
}
