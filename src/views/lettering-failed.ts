import { ButtonStyle } from 'discord-api-types/v10';
import { button, buttonRow } from './buttons.js';
import { encodeCustomId } from './custom-id.js';
import { NO_MENTIONS, type MessageBody } from './message-parts.js';

// "Page N · Lettering failed": a composition that failed for good, told in the thread in plain words,
// with Retry (co-writers only) while nobody has asked for it yet.

export const LETTERING_FAILURES = ['missing-panel', 'no-script', 'error'] as const;
export type LetteringFailure = (typeof LETTERING_FAILURES)[number];

const REASONS: Record<LetteringFailure, string> = {
  'missing-panel': 'a panel’s picture is missing from the story’s images',
  'no-script': 'the page’s approved dialogue could not be read as a script',
  error: 'the letterer stopped with an error (logged for the bot’s owner)',
};

export interface LetteringFailedView {
  pageId: number;
  pageNumber: number;
  setVersion: number;
  version: number;
  /** The round that failed; Retry asks for the next. */
  round: number;
  reason: LetteringFailure;
  /** Who asked for a retry since, once someone has. */
  retriedBy: string | null;
}

export function renderLetteringFailed(view: LetteringFailedView): MessageBody {
  const lines = [
    `**Page ${view.pageNumber} · Lettering failed** · version ${view.version}`,
    `The page could not be lettered: ${REASONS[view.reason]}. The approved panels and dialogue are kept; nothing else changed.`,
    view.retriedBy === null
      ? 'Retry letters it again.'
      : `Retry asked by <@${view.retriedBy}>: the page is being lettered again and is posted below when ready.`,
  ];
  return {
    content: lines.join('\n'),
    embeds: [],
    components:
      view.retriedBy === null
        ? [
            buttonRow([
              button(
                encodeCustomId({
                  action: 'letterretry',
                  pageId: view.pageId,
                  setVersion: view.setVersion,
                  version: view.version,
                  round: view.round + 1,
                  reason: LETTERING_FAILURES.indexOf(view.reason),
                }),
                'Retry',
                ButtonStyle.Primary,
              ),
            ]),
          ]
        : [],
    allowed_mentions: NO_MENTIONS,
  };
}
