import type { Executor } from '../db/executor.js';
import { findLatestPageStart } from '../db/pages.js';
import type { PriceTable } from '../domain/pricing.js';
import { UserError } from './user-error.js';

/** Limits that protect the wallet: how often one person starts pages, how many drafts a server writes at once (the worker holds drafts past it in a queue). */
export interface GenerationLimits {
  pageStartCooldownMs: number;
  maxGenerationsPerGuild: number;
  /** Prices the month's spend for the story's budget. */
  prices: PriceTable;
}

export async function assertPageStartCooldownOver(
  db: Executor,
  place: { guildId: string; userId: string },
  cooldownMs: number,
): Promise<void> {
  if (cooldownMs <= 0) return;
  const latest = await findLatestPageStart(db, place.guildId, place.userId, new Date(Date.now() - cooldownMs));
  if (!latest) return;
  const wait = Math.ceil((latest.getTime() + cooldownMs - Date.now()) / 1000);
  throw new UserError(`You started a page moments ago. Please wait ${Math.max(1, wait)} more second${wait === 1 ? '' : 's'}.`);
}
