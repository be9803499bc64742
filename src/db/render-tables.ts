import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

// The tables of rendered panels (migration 2026-11-26-005), apart from database.ts to keep it short.

export type RenderStatus = 'queued' | 'submitted' | 'done' | 'failed';

export interface ImagesTable {
  hash: string;
  content_type: string;
  width: number;
  height: number;
  byte_size: number;
  bytes: Buffer;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface PanelRendersTable {
  id: Generated<number>;
  page_id: number;
  panel_prompt_id: number;
  panel_number: number;
  render_number: number;
  seed: number;
  prompt: string;
  negative_prompt: string;
  width: number;
  height: number;
  workflow_hash: string;
  comfy_prompt_id: string;
  status: ColumnType<RenderStatus, RenderStatus | undefined, RenderStatus>;
  failure: string | null;
  image_hash: string | null;
  requested_by: string | null;
  discord_message_id: string | null;
  discord_attachment_id: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  submitted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type PanelRender = Selectable<PanelRendersTable>;
export type NewPanelRender = Insertable<PanelRendersTable>;
