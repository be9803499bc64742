import type { ColumnType, Generated, Selectable } from 'kysely';
import type { RenderReference } from '../domain/character-references.js';

// The tables of rendered panels (migrations 2026-11-26-005 and -010), apart from database.ts to keep it short.

export type RenderStatus = 'queued' | 'submitted' | 'done' | 'failed';
/** Why a render ended without an image: decides whether Retry is offered (a refused workflow: no). */
export type RenderFailureKind = 'unreachable' | 'refused' | 'error' | 'interrupted' | 'timeout' | 'lost' | 'no_image' | 'off';

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
  failure_kind: RenderFailureKind | null;
  /** The job attempt on which ComfyUI could not be reached; null once it answers (or never). */
  unreachable_attempt: number | null;
  /** One of the renders of the page's approved set. */
  approved: ColumnType<boolean, boolean | undefined, boolean>;
  /** Numeric: pg returns it as text. */
  cost_usd: ColumnType<string, number | undefined, never>;
  image_hash: string | null;
  /** Which reference image went into which slot of the workflow (migration 2026-12-06-005). */
  references: ColumnType<RenderReference[], string | undefined, string>;
  requested_by: string | null;
  discord_message_id: string | null;
  discord_attachment_id: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  submitted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type PanelRender = Selectable<PanelRendersTable>;

export interface PanelPromptEditsTable {
  id: Generated<number>;
  page_id: number;
  panel_prompt_id: number;
  user_id: string;
  old_prompt: string;
  new_prompt: string;
  render_id: number;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface PanelSetVotesTable {
  page_id: number;
  set_version: number;
  user_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface PanelSetApprovalsTable {
  page_id: number;
  set_version: number;
  decided_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A bible character's reference image, or the story's style reference (migration 2026-12-06-005). */
export interface ReferenceImagesTable {
  id: Generated<number>;
  story_id: number;
  kind: ColumnType<'character' | 'style', 'character' | 'style' | undefined, never>;
  /** The entry's title, lower-cased; '' for the style reference. */
  character_key: string;
  character_name: string;
  image_hash: string;
  source: 'upload' | 'panel';
  render_id: number | null;
  added_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  removed_by: string | null;
  removed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type ReferenceImage = Selectable<ReferenceImagesTable>;
