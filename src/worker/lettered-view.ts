import { countCoWriters } from '../db/chapters.js';
import { postgresImageStore } from '../db/image-store.js';
import { listLetteredVoters } from '../db/lettered-pages.js';
import type { LetteredPageRow } from '../db/lettering-tables.js';
import { jobKeyFor } from '../domain/jobs.js';
import { tallyLettered } from '../domain/lettered-page.js';
import { parseQuorumRule } from '../domain/voting.js';
import { letteredFileName, letteredViewOf, renderLetteredMessage } from '../views/lettered-message.js';
import type { PagePlace, WorkerDeps } from './deps.js';

/** The message a lettered version is shown in: found again by the key of the job that composed it. */
export function letteredMessageKey(row: Pick<LetteredPageRow, 'page_id' | 'set_version' | 'version'>): string {
  return jobKeyFor('compose-page', { pageId: row.page_id, setVersion: row.set_version, version: row.version });
}

/** Posts or redraws one "Page N · Lettered" message: the version's image, its flagged lines, its vote. */
export async function showLettered(deps: WorkerDeps, place: PagePlace, row: LetteredPageRow): Promise<void> {
  if (place.thread_id === null) return;
  const image = await postgresImageStore(deps.db).get(row.image_hash);
  if (!image) throw new Error(`lettered page ${row.id}: image ${row.image_hash} is missing`);
  const approvedBy = await listLetteredVoters(deps.db, row.id);
  const tally = tallyLettered(
    approvedBy,
    parseQuorumRule(place.quorum) ?? { kind: 'majority' },
    await countCoWriters(deps.db, place.chapter_id),
  );
  const body = renderLetteredMessage(place, letteredViewOf(row, tally, approvedBy));
  await deps.messages.upsert(
    {
      channelId: place.thread_id,
      purpose: 'notice',
      chapterId: place.chapter_id,
      pageId: place.id,
      revisionId: null,
      generationKey: letteredMessageKey(row),
    },
    { by: 'generation_key' },
    body,
    [{ name: letteredFileName(place.number, row.version), data: image.bytes }],
  );
}
