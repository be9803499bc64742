import { ButtonStyle } from 'discord-api-types/v10';
import type { FlaggedLine, LetteredStatus } from '../domain/lettered-page.js';
import type { Tally } from '../domain/voting.js';
import { encodeCustomId } from './custom-id.js';
import { button, buttonRow } from './buttons.js';
import { fitText, NO_MENTIONS, type MessageBody } from './message-parts.js';

// The "Page N · Lettered" message: one version of the lettered page as one image, the lines the
// letterer could not fit in plain words, how the co-writers' approval stands, and (while it is the
// newest open version) Re-letter and Approve.

export interface LetteredView {
  /** The lettered_pages row: what the buttons name. */
  id: number;
  version: number;
  status: LetteredStatus;
  /** Who asked for this version; null for the one composed when the panels were approved. */
  createdBy: string | null;
  flagged: readonly FlaggedLine[];
  tally: Tally;
  approvedBy: readonly string[];
}

/** The attachment name of a lettered page: ASCII only, as `attachment://` links need. */
export function letteredFileName(pageNumber: number, version: number): string {
  return `page-${pageNumber}-lettered-v${version}.png`;
}

const mentionList = (ids: readonly string[]) => ids.map((userId) => `<@${userId}>`).join(', ');

function statusLine(view: LetteredView): string {
  if (view.status === 'approved') return `Approved by ${mentionList(view.approvedBy)}: final for the page.`;
  if (view.status === 'superseded') return 'Superseded: the page was lettered again below.';
  return `Approvals ${view.tally.approvals} of ${view.tally.required} needed.`;
}

/** The message's text: title, who made this version, the flagged lines, and the vote. */
export function letteredContent(page: { number: number }, view: LetteredView): string {
  const made = view.createdBy === null ? 'lettered when the panels were approved' : `re-lettered at <@${view.createdBy}>'s request`;
  const lines = [`**Page ${page.number} · Lettered** · version ${view.version}, ${made}`];
  if (view.flagged.length > 0) lines.push('Not lettered:', ...view.flagged.map((flag) => `- ${flag.words}`));
  lines.push(statusLine(view));
  return fitText(lines.join('\n'), 2000);
}

export function letteredButtons(view: LetteredView): MessageBody['components'] {
  if (view.status !== 'open') return [];
  return [
    buttonRow([
      button(encodeCustomId({ action: 'reletter', letteredId: view.id }), 'Re-letter', ButtonStyle.Secondary),
      button(encodeCustomId({ action: 'letterok', letteredId: view.id }), 'Approve', ButtonStyle.Success),
    ]),
  ];
}

/** The whole message, with the image attached under `letteredFileName`. Mentions name people without pinging them. */
export function renderLetteredMessage(page: { number: number }, view: LetteredView): MessageBody {
  return {
    content: letteredContent(page, view),
    embeds: [{ image: { url: `attachment://${letteredFileName(page.number, view.version)}` } }],
    components: letteredButtons(view),
    allowed_mentions: NO_MENTIONS,
  };
}
