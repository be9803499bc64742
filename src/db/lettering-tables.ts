import type { ColumnType, Generated, Selectable } from 'kysely';
import type { FlaggedLine, LetteredStatus } from '../domain/lettered-page.js';
import type { BalloonNudge } from '../domain/lettering/script.js';

// The tables of lettered pages (migration 2026-12-05-003), apart from database.ts to keep it short.

export interface LetteredPagesTable {
  id: Generated<number>;
  page_id: number;
  version: number;
  set_version: number;
  image_hash: string;
  svg: string;
  /** The LetteredPage the letterer computed (src/domain/lettering/letter-page.ts), as JSON. */
  layout: ColumnType<unknown, string, string>;
  flagged: ColumnType<FlaggedLine[], string | undefined, string>;
  status: ColumnType<LetteredStatus, LetteredStatus | undefined, LetteredStatus>;
  created_by: string | null;
  /** The version number whose speakers' places it takes (scriptForVersion); a nudge keeps its base's. */
  variant: ColumnType<number, number | undefined, number>;
  /** Every nudge since the last Re-letter (migration 2026-12-06-003), in order. */
  nudges: ColumnType<BalloonNudge[], string | undefined, string>;
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface LetteredPageVotesTable {
  lettered_page_id: number;
  user_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export type LetteredPageRow = Selectable<LetteredPagesTable>;
