import type { Executor } from '../db/executor.js';
import { getMemberRole } from '../db/chapters.js';
import { UserError } from './user-error.js';

/** Where an interaction came from: every id it carries is checked against this. */
export interface InteractionPlace {
  guildId: string;
  channelId: string;
  userId: string;
}

export const NOT_A_CO_WRITER =
  'Only co-writers of this chapter can do that. Press Join on the chapter card or run /chapter join in the thread first.';

export const NOT_IN_THIS_THREAD = 'That button does not belong to a page in this thread.';

/** Owners and writers vote and start pages; viewers read. */
export function isCoWriterRole(role: string | null | undefined): boolean {
  return role === 'owner' || role === 'writer';
}

export async function assertCoWriter(db: Executor, chapterId: number, userId: string): Promise<void> {
  if (!isCoWriterRole(await getMemberRole(db, chapterId, userId))) throw new UserError(NOT_A_CO_WRITER);
}
