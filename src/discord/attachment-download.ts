import { UserError } from '../services/user-error.js';

// A file a member attached to a command, downloaded the careful way: the URL in the interaction is
// only trusted when it points at Discord's attachment servers (the operator's list), a redirect is
// never followed (it could lead anywhere, inside the network too), and reading stops at the limit
// whatever size the attachment claims.

export const NOT_AN_ATTACHMENT_HOST =
  "That file is not on Discord's attachment servers, so it was not read. Attach the file to the command itself.";

export async function downloadAttachment(
  attachment: { url: string },
  rules: { allowedOrigins: readonly string[]; maxBytes: number; timeoutMs?: number },
): Promise<Buffer> {
  let url: URL;
  try {
    url = new URL(attachment.url);
  } catch {
    throw new UserError(NOT_AN_ATTACHMENT_HOST);
  }
  if (!rules.allowedOrigins.includes(url.origin)) throw new UserError(NOT_AN_ATTACHMENT_HOST);
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(rules.timeoutMs ?? 10_000) });
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new UserError('Discord answered with a redirect for the file, which is not followed. Please attach it again.');
  }
  if (!response.ok || !response.body) throw new UserError('Discord did not give the file back; please attach it again.');
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    // Node's web-stream reader is typed loosely here; a byte stream yields Uint8Array chunks.
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || !value) break;
    bytes += value.byteLength;
    if (bytes > rules.maxBytes) {
      await reader.cancel();
      throw new UserError(`The file is too large: keep it under ${rules.maxBytes / 1000} kB.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
