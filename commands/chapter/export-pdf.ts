import type { HandlerContext } from '../../src/discord/context.js';
import type { Reply } from '../../src/discord/reply.js';
import { exportChapterPdfHere } from '../../src/services/pdf-export.js';
import { UserError } from '../../src/services/user-error.js';

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The chapter's PDF attached, or why not: nothing to print yet, or too large for Discord (the HTTP API sends it). */
export async function chapterPdfCommand(
  context: HandlerContext,
  place: { guildId: string; channelId: string },
  maxBytes: number,
): Promise<Reply> {
  const built = await exportChapterPdfHere(context.db, place, maxBytes);
  const publicUrl = context.config.web.publicUrl;
  if (!built)
    throw new UserError(
      'No panels of this chapter are approved yet: the PDF prints the pages whose panels (and lettering) the co-writers approved. Approve a page’s panels, then export again.',
    );
  if ('tooLarge' in built) {
    const where = `${publicUrl ?? "<the web reader's address>"}/api/chapters/${built.chapterId}/export.pdf`;
    throw new UserError(
      `The PDF would be ${mebibytes(built.tooLarge)}, more than Discord takes from a bot here (10 MiB), so it is not attached. ` +
        `Get it from the web process's JSON API: \`curl -H "Authorization: Bearer $HTTP_API_TOKEN" -o chapter.pdf ${where}\` (whoever runs this bot has the token).`,
    );
  }
  const pages = built.lettered.length + built.unlettered.length;
  const notes = [
    built.unlettered.length > 0
      ? ` Page${built.unlettered.length === 1 ? '' : 's'} ${built.unlettered.join(', ')} ${built.unlettered.length === 1 ? 'has' : 'have'} no approved lettering yet: ${built.unlettered.length === 1 ? 'its' : 'their'} panels are laid out without balloons.`
      : '',
    built.pagesWithoutPanels.length > 0
      ? ` Pages ${built.pagesWithoutPanels.join(', ')} have no approved panels yet and are not in it.`
      : '',
  ].join('');
  return {
    type: 'message',
    ephemeral: true,
    body: {
      content: `Chapter ${built.chapterNumber} as a PDF for print: ${pages} page${pages === 1 ? '' : 's'}, ${built.lettered.length} lettered, at 200 pixels per inch (a comic page is 6 × 9 in).${notes}`,
      files: [{ name: built.fileName, data: Buffer.from(built.bytes) }],
    },
  };
}
