import { UserError } from '../services/user-error.js';
import { downloadAttachment } from './attachment-download.js';

/** A Markdown or text file a person attached to a command, read as text (a bible entry, an edited draft). */
export async function readAttachmentText(
  attachment: { name: string; size: number; url: string },
  rules: { maxBytes: number; allowedOrigins: readonly string[] },
): Promise<string> {
  if (!/\.(md|markdown|txt)$/i.test(attachment.name)) throw new UserError('The file must be Markdown or text (.md, .markdown or .txt).');
  if (attachment.size > rules.maxBytes) throw new UserError(`The file is too large: keep it under ${rules.maxBytes / 1000} kB.`);
  return (await downloadAttachment(attachment, rules)).toString('utf8');
}
