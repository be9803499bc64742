import { ButtonStyle, type APIEmbed } from 'discord-api-types/v10';
import type { DraftKind, PageState } from '../domain/page-state-machine.js';
import { describePageState } from '../domain/page-state-machine.js';
import { takeLetter } from '../domain/takes.js';
import type { Tally } from '../domain/voting.js';
import { encodeCustomId } from './custom-id.js';
import { button, buttonRow } from './buttons.js';
import { fitText, LIMITS, NO_MENTIONS, quoteBlock, splitIntoDescriptions, type MessageBody } from './message-parts.js';
import { describeTakePhase, takeComponents, type RoundPhase } from './round-parts.js';

const KIND_LABEL: Record<DraftKind, string> = { narration: 'Narration', dialogue: 'Dialogue' };
const COLOURS = { open: 0x5865f2, approved: 0x57f287, revise: 0xfee75c, closed: 0x99aab5, failed: 0xed4245 } as const;

export interface PageView {
  id: number;
  number: number;
  input: string;
  state: PageState;
  stage: DraftKind;
  version: number;
}

/** The card posted when a page starts; its status line follows the page through its states. */
export function renderPageCard(page: PageView, note: string | null = null): MessageBody {
  const embed: APIEmbed = {
    title: `Page ${page.number}`,
    description: fitText(quoteBlock(page.input), LIMITS.embedDescription),
    fields: [{ name: 'Status', value: fitText(note ?? describePageState(page), LIMITS.fieldValue) }],
    color: page.state === 'page_approved' ? COLOURS.approved : page.state === 'generation_failed' ? COLOURS.failed : COLOURS.open,
  };
  return { embeds: [embed], components: [], allowed_mentions: NO_MENTIONS };
}

export type DraftPhase =
  /** `slowPageVersion` set: the draft is taking long, so Retry and Cancel are offered for that page version. */
  | { phase: 'writing'; queuePosition: number | null; slowPageVersion?: number }
  | { phase: 'dropped'; reason: string }
  | { phase: 'open'; tally: Tally }
  | { phase: 'approved'; tally: Tally }
  | { phase: 'revision_requested'; tally: Tally }
  | { phase: 'superseded' }
  /** A round of takes: `round` counts the picks of every take; `picked` is the take chosen. */
  | RoundPhase;

export interface DraftView {
  pageId: number;
  pageNumber: number;
  kind: DraftKind;
  version: number;
  revisionId: number | null;
  text: string;
  /** Set when this version is an earlier one brought back by /page restore. */
  restoredFromVersion?: number | null;
  /** Set when a co-writer wrote this version by hand (Edit). */
  editedBy?: string | null;
  /** Set when that edit was made from another take of the round (0 is A). */
  editedFromTake?: number | null;
  /** The continuity reviewer's notes: advisory, shown under the draft, never part of the vote. */
  reviewNotes?: readonly string[] | null;
  /** Set when this draft is one take of a round of several (0 is A). */
  take?: number | null;
  /** An Another take being written: its letter is given when it joins the round. */
  anotherTake?: boolean;
}

/** The draft's view from its stored revision: the one place that maps columns to what is shown. */
export function draftViewOf(
  pageNumber: number,
  revision: {
    id: number;
    page_id: number;
    kind: DraftKind;
    version: number;
    take?: number;
    body: string;
    restored_from_version: number | null;
    edited_by: string | null;
    edited_from_take?: number | null;
    review_notes: readonly string[] | null;
  },
): DraftView {
  return {
    pageId: revision.page_id,
    pageNumber,
    kind: revision.kind,
    version: revision.version,
    revisionId: revision.id,
    text: revision.body,
    restoredFromVersion: revision.restored_from_version,
    editedBy: revision.edited_by,
    editedFromTake: revision.edited_from_take ?? null,
    reviewNotes: revision.review_notes,
  };
}

/** "Waiting: 2nd in this server's queue": a draft over its server's cap of drafts written at once. */
export function describeQueuePlace(place: number): string {
  const tens = place % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][place % 10] ?? 'th');
  return `Waiting: ${place}${suffix} in this server's queue; it is written when a draft ahead of it is done.`;
}

function describeTally(tally: Tally): string {
  return `✅ ${tally.approvals} approve · ✏️ ${tally.revisions} revise · ${tally.required} needed of ${tally.voters} co-writer${tally.voters === 1 ? '' : 's'}`;
}

function describePhase(view: DraftView, phase: DraftPhase): { status: string; colour: number } {
  switch (phase.phase) {
    case 'writing':
      return {
        status:
          phase.slowPageVersion !== undefined
            ? `${KIND_LABEL[view.kind]} v${view.version} is taking longer than usual. A co-writer can Retry or Cancel it.`
            : phase.queuePosition !== null
              ? describeQueuePlace(phase.queuePosition)
              : `${KIND_LABEL[view.kind]} v${view.version} is being written…`,
        colour: COLOURS.closed,
      };
    case 'open':
      return { status: `Up for a vote. ${describeTally(phase.tally)}`, colour: COLOURS.open };
    case 'approved':
      return { status: `Approved. ${describeTally(phase.tally)}`, colour: COLOURS.approved };
    case 'revision_requested':
      return { status: `Sent back for revision; the next version is being written. ${describeTally(phase.tally)}`, colour: COLOURS.revise };
    case 'superseded':
      return { status: 'Superseded by a newer version.', colour: COLOURS.closed };
    case 'dropped':
      return { status: phase.reason, colour: COLOURS.closed };
    case 'takes_open':
    case 'take_picked':
    case 'takes_sent_back':
      return describeTakePhase(view.take ?? 0, phase);
  }
}

/** A draft with its vote: the buttons live only while the draft is open. */
export function renderDraftMessage(view: DraftView, phase: DraftPhase): MessageBody {
  const { status, colour } = describePhase(view, phase);
  const restored = view.restoredFromVersion ? ` (restored from v${view.restoredFromVersion})` : '';
  // A dropped draft was never stored: its version number goes to the next draft, so it does not show one.
  const takeLabel =
    view.take !== undefined && view.take !== null ? ` · Take ${takeLetter(view.take)}` : view.anotherTake ? ' · another take' : '';
  const title =
    phase.phase === 'dropped'
      ? `Page ${view.pageNumber} · ${KIND_LABEL[view.kind]} ${takeLabel ? 'take' : 'draft'} (not kept)`
      : `Page ${view.pageNumber} · ${KIND_LABEL[view.kind]} v${view.version}${takeLabel}${restored}`;
  // Embeds do not resolve mentions in titles: the editor is named in the description's first line.
  const from = view.editedFromTake !== undefined && view.editedFromTake !== null ? ` from take ${takeLetter(view.editedFromTake)}` : '';
  const byline = view.editedBy ? `✍️ Edited by <@${view.editedBy}>${from}\n\n` : '';
  const statusField = fitText(status, LIMITS.fieldValue);
  // Reviewed and clean says so: a draft not (yet) reviewed shows no notes field at all.
  const notes =
    view.reviewNotes && view.reviewNotes.length > 0
      ? fitText(view.reviewNotes.map((note) => `• ${note}`).join('\n'), LIMITS.fieldValue)
      : view.reviewNotes
        ? 'None: the reviewer found nothing to note in this text.'
        : null;
  // Title, status, notes and the field names come out of the same 6000-character budget as the text.
  const budget = LIMITS.embedTotal - title.length - statusField.length - 'Status'.length - (notes ? notes.length + 40 : 0) - 16;
  const descriptions = splitIntoDescriptions(`${byline}${view.text || '…'}`, budget);
  const embeds: APIEmbed[] = descriptions.map((description, index) => ({
    description,
    color: colour,
    ...(index === 0 ? { title } : {}),
    ...(index === descriptions.length - 1
      ? { fields: [...(notes ? [{ name: '🔎 Continuity notes (advisory)', value: notes }] : []), { name: 'Status', value: statusField }] }
      : {}),
  }));
  const components: MessageBody['components'] = [];
  if (phase.phase === 'writing' && phase.slowPageVersion !== undefined) {
    const target = { pageId: view.pageId, pageVersion: phase.slowPageVersion };
    components.push(
      buttonRow([
        button(encodeCustomId({ action: 'retry', ...target }), 'Retry', ButtonStyle.Primary),
        button(encodeCustomId({ action: 'cancel', ...target }), 'Cancel', ButtonStyle.Danger),
      ]),
    );
  }
  const isTake = view.take !== undefined && view.take !== null;
  if (view.revisionId !== null && (phase.phase === 'takes_open' || phase.phase === 'take_picked' || phase.phase === 'takes_sent_back')) {
    components.push(...takeComponents(view.pageId, view.take ?? 0, view.revisionId, phase));
  } else if (view.revisionId !== null && isTake && phase.phase === 'superseded') {
    components.push(
      buttonRow([
        button(
          encodeCustomId({ action: 'pick', pageId: view.pageId, revisionId: view.revisionId }),
          `Pick ${takeLetter(view.take ?? 0)}`,
          ButtonStyle.Success,
          true,
        ),
      ]),
    );
  } else if (view.revisionId !== null && phase.phase !== 'writing' && phase.phase !== 'dropped') {
    const open = phase.phase === 'open';
    const target = { pageId: view.pageId, revisionId: view.revisionId };
    components.push(
      buttonRow([
        button(encodeCustomId({ action: 'approve', ...target }), 'Approve', ButtonStyle.Success, !open),
        button(encodeCustomId({ action: 'revise', ...target }), 'Revise', ButtonStyle.Secondary, !open),
        button(encodeCustomId({ action: 'edit', ...target }), 'Edit', ButtonStyle.Secondary, !open),
      ]),
    );
  }
  return { embeds, components, allowed_mentions: NO_MENTIONS };
}

/** Told in plain words, with a Retry that co-writers can press. */
export function renderFailureMessage(page: PageView, kind: DraftKind, reason: string): MessageBody {
  const embed: APIEmbed = {
    title: `Page ${page.number} · ${KIND_LABEL[kind]} could not be written`,
    description: fitText(`${reason}\n\nA co-writer can press Retry to try again.`, LIMITS.embedDescription),
    color: COLOURS.failed,
  };
  const retry = button(
    encodeCustomId({ action: 'retry', pageId: page.id, pageVersion: page.version }),
    'Retry',
    ButtonStyle.Primary,
    page.state !== 'generation_failed',
  );
  return {
    embeds: [embed],
    components: [buttonRow([retry])],
    allowed_mentions: NO_MENTIONS,
  };
}

/** The finished page as readers will see it: narration, then the dialogue script. */
export function renderApprovedPage(page: PageView, narration: string, dialogue: string): MessageBody {
  const title = `✅ Page ${page.number} approved`;
  const text = `${narration.trim()}\n\n${dialogue.trim()}`;
  const descriptions = splitIntoDescriptions(text, LIMITS.embedTotal - title.length - 8);
  const embeds: APIEmbed[] = descriptions.map((description, index) => ({
    description,
    color: COLOURS.approved,
    ...(index === 0 ? { title } : {}),
  }));
  return { embeds, components: [], allowed_mentions: NO_MENTIONS };
}
