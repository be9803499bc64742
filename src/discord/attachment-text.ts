import { UserError } from '../services/user-error.js';

/** A Markdown or text file a person attached to a command, read as text (a bible entry, an edited draft). */
export async function readAttachmentText(attachment: { name: string; size: number; url: string }, maxBytes: number): Promise<string> {
  if (!/\.(md|markdown|txt)$/i.test(attachment.name)) throw new UserError('The file must be Markdown or text (.md, .markdown or .txt).');
  if (attachment.size > maxBytes) throw new UserError(`The file is too large: keep it under ${maxBytes / 1000} kB.`);
  const response = await fetch(attachment.url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new UserError('Discord did not give the file back; please attach it again.');
  return response.text();
}
