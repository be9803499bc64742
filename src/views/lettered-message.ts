import { ButtonStyle, ComponentType, MessageFlags, type APIContainerComponent } from 'discord-api-types/v10';
import type { LetteredPageRow } from '../db/lettering-tables.js';
import type { FlaggedLine, LetteredStatus } from '../domain/lettered-page.js';
import type { LetteredPage } from '../domain/lettering/letter-page.js';
import { NUDGE_LABELS } from '../domain/lettering/nudges.js';
import type { BalloonNudge } from '../domain/lettering/script.js';
import { balloonSelects, balloonSummaries, type BalloonSummary } from './nudge-selects.js';
import type { Tally } from '../domain/voting.js';
import { encodeCustomId } from './custom-id.js';
import { button, buttonRow } from './buttons.js';
import { fitText, NO_MENTIONS, type ComponentsV2Body, type MessageBody } from './message-parts.js';

// The "Page N · Lettered" message: one version of the lettered page as one image, the lines the
// letterer could not fit in plain words, how the co-writers' approval stands, and (while it is the
// newest open version) a Nudge select per balloon, Re-letter and Approve.

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
  /** The balloons as the nudge selects name them, in the layout's order. */
  balloons: readonly BalloonSummary[];
  /** The nudge this version was made by (the last of its nudges), null for a Re-letter or the first. */
  nudge: BalloonNudge | null;
  /** That nudge asked for a size the balloon could not take (no room, or the readable range's end). */
  nudgeSizeKept: boolean;
}

/** A lettered version's view from its row, with the vote as it stands. */
export function letteredViewOf(
  row: Pick<LetteredPageRow, 'id' | 'version' | 'status' | 'created_by' | 'flagged' | 'layout' | 'nudges'>,
  tally: Tally,
  approvedBy: readonly string[],
): LetteredView {
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    createdBy: row.created_by,
    flagged: row.flagged,
    tally,
    approvedBy,
    balloons: balloonSummaries(row.layout as LetteredPage),
    nudge: row.nudges.at(-1) ?? null,
    nudgeSizeKept: sizeKept(row.layout as LetteredPage, row.nudges.at(-1)),
  };
}

function sizeKept(layout: LetteredPage, nudge: BalloonNudge | undefined): boolean {
  if (!nudge || (nudge.change !== 'larger' && nudge.change !== 'smaller')) return false;
  return (layout.sizesKept ?? []).some((kept) => kept.panel === nudge.panel && nudge.lines.includes(kept.line));
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

/** "panel 1, “Who is there?”: another place" — the balloon by its words, as the picture shows it. */
function describeNudge(nudge: BalloonNudge, balloons: readonly BalloonSummary[]): string {
  const balloon = balloons.find((b) => b.panel === nudge.panel && b.lines.includes(nudge.lines[0] ?? -1));
  const words = balloon ? `, “${fitText(balloon.words, 40)}”` : '';
  return `panel ${nudge.panel + 1}${words}: ${NUDGE_LABELS[nudge.change].toLowerCase()}`;
}

/** The message's text: title, who made this version, the flagged lines, and the vote. */
export function letteredContent(page: { number: number }, view: LetteredView): string {
  const made =
    view.createdBy === null
      ? 'lettered when the panels were approved'
      : view.nudge
        ? `nudged at <@${view.createdBy}>'s request (${describeNudge(view.nudge, view.balloons)}${view.nudgeSizeKept ? ` — it cannot be made ${view.nudge.change} there, so it keeps its size` : ''})`
        : `re-lettered at <@${view.createdBy}>'s request`;
  const lines = [`**Page ${page.number} · Lettered** · version ${view.version}, ${made}`];
  if (view.flagged.length > 0) lines.push('Not lettered:', ...view.flagged.map((flag) => `- ${flag.words}`));
  lines.push(statusLine(view));
  return fitText(lines.join('\n'), 2000);
}

/** While the version is open: the balloons' Nudge selects (up to four rows), then Re-letter and Approve. */
export function letteredButtons(view: LetteredView): MessageBody['components'] {
  if (view.status !== 'open') return [];
  return [
    ...balloonSelects(view.id, view.balloons),
    buttonRow([
      button(encodeCustomId({ action: 'reletter', letteredId: view.id }), 'Re-letter', ButtonStyle.Secondary),
      button(encodeCustomId({ action: 'letterok', letteredId: view.id }), 'Approve', ButtonStyle.Success),
    ]),
  ];
}

/**
 * The message's components (Components V2): one container holding the text, the page as a media gallery
 * (the picture full width, not an embed's thumbnail-sized frame) and, while open, the selects and buttons.
 * 1 container + 1 text + 1 gallery + 5 rows + 4 selects + 2 buttons = 14 of Discord's 40 components.
 */
export function letteredComponents(page: { number: number }, view: LetteredView): ComponentsV2Body {
  const container: APIContainerComponent = {
    type: ComponentType.Container,
    components: [
      { type: ComponentType.TextDisplay, content: letteredContent(page, view) },
      {
        type: ComponentType.MediaGallery,
        items: [
          {
            media: { url: `attachment://${letteredFileName(page.number, view.version)}` },
            description: fitText(`Page ${page.number}, lettered, version ${view.version}`, 1024),
          },
        ],
      },
      ...letteredButtons(view),
    ],
  };
  // content and embeds null: an edit turning a message posted before Components V2 into one must clear
  // them (Discord refuses the flag beside them); on a new message null is the same as leaving them out.
  return { flags: MessageFlags.IsComponentsV2, content: null, embeds: null, components: [container], allowed_mentions: NO_MENTIONS };
}

/** The whole message, with the image attached under `letteredFileName`. Mentions name people without pinging them. */
export function renderLetteredMessage(page: { number: number }, view: LetteredView): ComponentsV2Body {
  return letteredComponents(page, view);
}
