import { ButtonStyle } from 'discord-api-types/v10';
import { takeLetter, type RoundTally } from '../domain/takes.js';
import { button, buttonRow } from './buttons.js';
import { encodeCustomId } from './custom-id.js';
import type { MessageBody } from './message-parts.js';

// A round of takes as its messages show it: each take has its own Pick; the round's own buttons
// (Revise, Another take, Edit of a take) and who sent it back are on its last take's message, once.

/** Where a round stands, for every take's message. `takeIds` are the takes' revisions, A first. */
export type RoundPhase =
  | { phase: 'takes_open'; round: RoundTally; takeIds: readonly number[]; full: boolean }
  | { phase: 'take_picked'; round: RoundTally; takeIds: readonly number[]; picked: number }
  | { phase: 'takes_sent_back'; round: RoundTally; takeIds: readonly number[] };

const COLOURS = { open: 0x5865f2, approved: 0x57f287, revise: 0xfee75c, closed: 0x99aab5 } as const;

const mentions = (userIds: readonly string[]) => userIds.map((id) => `<@${id}>`).join(', ');

function describeRound(round: RoundTally): string {
  const picks = round.picks.map((n, take) => `${takeLetter(take)} ${n}`).join(' · ');
  return `Picks: ${picks} · ✏️ ${round.revisions} revise · ${round.required} needed of ${round.voters} co-writer${round.voters === 1 ? '' : 's'}`;
}

/** The take's line of who picked it, and on the round's last take who sent the round back. */
function whoVoted(round: RoundTally, take: number): string {
  const lines: string[] = [];
  const pickers = round.pickedBy[take] ?? [];
  if (pickers.length > 0) lines.push(`Picked by ${mentions(pickers)}.`);
  if (take === round.picks.length - 1 && round.revisedBy.length > 0) lines.push(`Revise (the whole round): ${mentions(round.revisedBy)}.`);
  return lines.length > 0 ? `\n${lines.join('\n')}` : '';
}

/** The status of one take's message. */
export function describeTakePhase(take: number, phase: RoundPhase): { status: string; colour: number } {
  const tally = `${describeRound(phase.round)}${whoVoted(phase.round, take)}`;
  switch (phase.phase) {
    case 'takes_open':
      return { status: `Up for a vote: pick the take you want, or Revise the round. ${tally}`, colour: COLOURS.open };
    case 'take_picked':
      return take === phase.picked
        ? { status: `Picked. ${tally}`, colour: COLOURS.approved }
        : { status: `Not picked: take ${takeLetter(phase.picked)} was chosen. ${tally}`, colour: COLOURS.closed };
    case 'takes_sent_back':
      return { status: `The round was sent back; new takes are being written. ${tally}`, colour: COLOURS.revise };
  }
}

/**
 * A take's buttons: its Pick; on the round's last take also Revise, Another take and an Edit per take
 * (an edit of take B becomes one more take). Disabled once the round is decided.
 */
export function takeComponents(pageId: number, take: number, revisionId: number, phase: RoundPhase): MessageBody['components'] {
  const open = phase.phase === 'takes_open';
  const full = phase.phase === 'takes_open' && phase.full;
  const rows: MessageBody['components'] = [
    buttonRow([button(encodeCustomId({ action: 'pick', pageId, revisionId }), `Pick ${takeLetter(take)}`, ButtonStyle.Success, !open)]),
  ];
  if (take !== phase.takeIds.length - 1) return rows;
  rows.push(
    buttonRow([
      button(encodeCustomId({ action: 'revise', pageId, revisionId }), 'Revise', ButtonStyle.Secondary, !open),
      button(encodeCustomId({ action: 'another', pageId, revisionId }), 'Another take', ButtonStyle.Secondary, !open || full),
    ]),
  );
  // Five buttons to a row: a round of six takes has its Edit F on a row of its own.
  const edits = phase.takeIds.map((id, index) =>
    button(encodeCustomId({ action: 'edit', pageId, revisionId: id }), `Edit ${takeLetter(index)}`, ButtonStyle.Secondary, !open || full),
  );
  for (let start = 0; start < edits.length; start += 5) rows.push(buttonRow(edits.slice(start, start + 5)));
  return rows;
}
