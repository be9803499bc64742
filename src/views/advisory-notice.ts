import { ButtonStyle } from 'discord-api-types/v10';
import { encodeCustomId } from './custom-id.js';
import { button, buttonRow } from './buttons.js';
import { NO_MENTIONS, type MessageBody } from './message-parts.js';

const WHAT = { reviewer: 'The continuity reviewer could not read', panels: 'The panels agent could not describe the panels of' } as const;
const LAST_ROUND = 20;

/** A short notice that an advisory agent gave up on a page, with a Retry only co-writers may press. */
export function renderAdvisoryNotice(notice: {
  agent: 'reviewer' | 'panels';
  pageId: number;
  pageNumber: number;
  revisionId: number;
  label: string;
  reason: string;
  round: number;
}): MessageBody {
  const content = `⚠️ ${WHAT[notice.agent]} page ${notice.pageNumber}'s ${notice.label} (${notice.reason}). It is advice only: the page goes on without it.`;
  const next = notice.round + 1;
  const components =
    next > LAST_ROUND
      ? []
      : [
          buttonRow([
            button(
              encodeCustomId({
                action: 'advisoryretry',
                agentIndex: notice.agent === 'reviewer' ? 0 : 1,
                pageId: notice.pageId,
                revisionId: notice.revisionId,
                round: next,
              }),
              'Retry',
              ButtonStyle.Secondary,
            ),
          ]),
        ];
  return { content: content.slice(0, 2000), embeds: [], components, allowed_mentions: NO_MENTIONS };
}
