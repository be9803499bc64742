import type { Db } from '../db/connection.js';
import { countSlotsTakenAndWaitingAhead, decideGenerationSlot, getPageForSlot, lockGuildGenerationSlots } from '../db/generation-slots.js';
import { isGenerating } from '../domain/page-state-machine.js';

/** Whether a draft may be written now: it holds a slot, waits at this place in its server's queue, or is no longer wanted. */
export type SlotDecision = { status: 'writing' } | { status: 'waiting'; place: number } | { status: 'stale' };

/**
 * The per-server cap, whatever queued the draft (a start, Retry, Revise, Approve, the sweeper): the
 * draft's job takes one of its server's slots before it writes, under the server's lock, or waits its
 * turn. Drafts queued earlier go first; a slot frees itself when the page leaves its generating state.
 * Another take requests being written count as held slots (see `requestAnotherTake`).
 */
export async function claimGenerationSlot(
  db: Db,
  draft: {
    pageId: number;
    pageVersion: number;
    /** The page's server, when the caller has read it already (a page never changes server). */
    guildId?: string;
  },
  maxPerGuild: number,
): Promise<SlotDecision> {
  return db.transaction().execute(async (trx) => {
    const guildId = draft.guildId ?? (await getPageForSlot(trx, draft.pageId))?.guild_id;
    if (guildId === undefined) return { status: 'stale' };
    await lockGuildGenerationSlots(trx, guildId);
    // Read (and the slot taken) under the lock, in one statement: a decision made before it could be overtaken by another's.
    const page = await decideGenerationSlot(trx, { pageId: draft.pageId, pageVersion: draft.pageVersion, guildId }, maxPerGuild);
    if (!page || !isGenerating(page.state) || page.version !== draft.pageVersion) return { status: 'stale' };
    if (page.slot_version === page.version || page.taken) return { status: 'writing' };
    const place = queuePlace(page.held + page.takes, page.ahead, maxPerGuild);
    // Below the cap and not taken: the page moved on as the slot was taken.
    return place === null ? { status: 'stale' } : { status: 'waiting', place };
  });
}

/** Where a just-queued draft stands, as its job will find it: null when a slot is free for it. */
export async function findQueuePlace(db: Db, pageId: number, maxPerGuild: number): Promise<number | null> {
  const page = await getPageForSlot(db, pageId);
  if (!page || !isGenerating(page.state) || page.slot_version === page.version) return null;
  const { held, takes, ahead } = await countSlotsTakenAndWaitingAhead(db, page.guild_id, {
    id: page.id,
    queuedAt: page.generation_started_at ?? new Date(),
  });
  return queuePlace(held + takes, ahead, maxPerGuild);
}

/** Drafts holding slots and drafts queued earlier go first: the place in line past the server's cap, or null within it. */
function queuePlace(held: number, ahead: number, maxPerGuild: number): number | null {
  const place = held + ahead - maxPerGuild + 1;
  return place >= 1 ? place : null;
}
