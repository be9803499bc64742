import type { APIMessageTopLevelComponent, APIModalInteractionResponseCallbackData } from 'discord.js';
import type { MessageBody } from '../views/message-parts.js';

export type ReplyBody = Partial<Omit<MessageBody, 'allowed_mentions' | 'components'>> & {
  components?: MessageBody['components'] | APIMessageTopLevelComponent[];
  /** An update may carry IS_COMPONENTS_V2 (see ComponentsV2Body); a reply's flags are the router's. */
  flags?: number;
  /** Files attached to the answer (an export); Discord allows up to 10, and 10 MiB without boosts. */
  files?: { name: string; data: Buffer }[];
};

/** What a handler wants shown; the router decides how (reply, edit after a defer, follow-up). */
export type Reply =
  /** `afterSend` may answer 'withdraw': the message just sent shows what another process showed first, so it is deleted. */
  | { type: 'message'; ephemeral: boolean; body: ReplyBody; afterSend?: (messageId: string) => Promise<'keep' | 'withdraw'> }
  /** Replace the message the clicked component sits on; `note` goes to the clicker alone. */
  | { type: 'update'; body: Omit<ReplyBody, 'files'>; note?: string }
  | { type: 'modal'; modal: APIModalInteractionResponseCallbackData };

export const ephemeral = (content: string): Reply => ({ type: 'message', ephemeral: true, body: { content } });
