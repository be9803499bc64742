import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/connection.js';
import {
  abandonExpiredInteractions,
  claimUnfinishedInteractions,
  completeInteraction,
  keepInteractionReply,
  renewInteractionLeases,
  type InboxRecord,
  type UnfinishedInteraction,
} from '../db/interaction-receipts.js';
import type { InteractionScope } from '../db/interaction-scope.js';
import type { Logger } from '../logger.js';
import type { Reply } from './reply.js';

/** Discord accepts webhook calls with an interaction's token for 15 minutes after it was sent. */
export const TOKEN_LIFETIME_MS = 15 * 60 * 1000;
// An interaction is taken over only while there is time left to finish it and answer.
const TOKEN_MARGIN_MS = 60 * 1000;
const CLAIM_BATCH = 10;

type Packet = { t?: unknown; d?: unknown };

/**
 * This process's side of the interaction inbox: the gateway payload of each interaction, kept with
 * its receipt; a lease on the interactions it is handling, renewed while it works; and, on start-up
 * and then periodically, the interactions another process acknowledged and never finished, taken
 * over and handed to `finish`.
 */
export class InteractionInbox {
  /** Names this process in the receipts it holds; another process with the same pid on another host differs. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly packets = new Map<string, Record<string, unknown>>();
  private readonly handling = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  /** Every gateway packet passes here; an interaction's payload waits (a moment) for the router to take it. */
  rememberPacket(packet: Packet): void {
    if (packet.t !== 'INTERACTION_CREATE' || typeof packet.d !== 'object' || packet.d === null) return;
    const payload = packet.d as Record<string, unknown>;
    if (typeof payload.id !== 'string') return;
    this.packets.set(payload.id, payload);
    // discord.js emits the interaction right after the raw packet; anything left over is never taken.
    if (this.packets.size > 100) this.packets.delete(this.packets.keys().next().value as string);
  }

  takePayload(interactionId: string): Record<string, unknown> | null {
    const payload = this.packets.get(interactionId) ?? null;
    this.packets.delete(interactionId);
    return payload;
  }

  /** What the receipt keeps: the payload without its token, the token apart. */
  recordOf(payload: Record<string, unknown>): InboxRecord | null {
    const { token, ...rest } = payload;
    if (typeof token !== 'string') return null;
    return { payload: JSON.stringify(rest), token, owner: this.owner, leaseMs: this.leaseMs };
  }

  /** This process is handling the interaction: its lease is renewed until `complete`. */
  hold(interactionId: string): InteractionScope {
    this.handling.add(interactionId);
    return { interactionId, owner: this.owner, committed: false };
  }

  /** Keeps the answer before delivering it, so that another process could deliver it again; never throws. */
  async keepReply(interactionId: string, reply: Reply): Promise<void> {
    await keepInteractionReply(this.db, interactionId, replayable(reply)).catch((error: unknown) =>
      this.logger.warn({ err: error, interactionId }, 'could not keep the reply with its receipt'),
    );
  }

  /** Nothing left to do for the interaction; never throws (an unfinished receipt is only finished again). */
  async complete(interactionId: string): Promise<void> {
    try {
      await completeInteraction(this.db, interactionId);
    } catch (error) {
      this.logger.warn({ err: error, interactionId }, 'could not mark the interaction finished');
    } finally {
      this.handling.delete(interactionId);
    }
  }

  /** Another process holds the interaction now: this one stops renewing its lease. */
  release(interactionId: string): void {
    this.handling.delete(interactionId);
  }

  /** Renews this process's leases, and finishes what others left now and then, until stop(). */
  start(finish: (claimed: UnfinishedInteraction) => Promise<void>): void {
    const renew = setInterval(
      () => {
        renewInteractionLeases(this.db, this.owner, [...this.handling], this.leaseMs).catch((error: unknown) =>
          this.logger.warn({ err: error }, 'could not renew interaction leases'),
        );
      },
      Math.max(250, Math.floor(this.leaseMs / 3)),
    );
    const sweep = setInterval(() => void this.finishUnfinished(finish), Math.max(1_000, Math.min(5_000, Math.floor(this.leaseMs / 2))));
    this.timers = [renew, sweep];
    void this.finishUnfinished(finish);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.sweeping;
  }

  /** One pass: takes over unfinished interactions whose lease ran out (never one this process is handling) and finishes them. */
  finishUnfinished(finish: (claimed: UnfinishedInteraction) => Promise<void>): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        await abandonExpiredInteractions(this.db, TOKEN_LIFETIME_MS);
        const claim = {
          owner: this.owner,
          leaseMs: this.leaseMs,
          tokenLifetimeMs: TOKEN_LIFETIME_MS,
          tokenMarginMs: TOKEN_MARGIN_MS,
          limit: CLAIM_BATCH,
          excluding: [...this.handling],
        };
        const claimed = await claimUnfinishedInteractions(this.db, claim);
        for (const row of claimed) {
          this.handling.add(row.interactionId);
          this.logger.warn(
            { interactionId: row.interactionId, attempt: row.attempts, committed: row.committed, replyKept: row.reply !== null },
            'finishing an interaction another process acknowledged and left unfinished',
          );
          await finish(row).catch((error: unknown) =>
            this.logger.error(
              { err: error, interactionId: row.interactionId },
              'could not finish a left interaction; tried again when its lease runs out',
            ),
          );
          this.handling.delete(row.interactionId);
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'could not look for unfinished interactions');
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }
}

/** The reply as it can be kept and delivered again: not files (too big to keep) nor a message with work after sending. */
function replayable(reply: Reply): Reply | null {
  if (reply.type === 'message' && (reply.body.files !== undefined || reply.afterSend !== undefined)) return null;
  return reply;
}
