import type { ColumnType, Generated } from 'kysely';

// The tables of getting work and messages out (the outbox, the Discord messages the bot keeps and
// their claims, interaction receipts), apart from database.ts to keep it short.

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Id = Generated<number>;

export type MessagePurpose =
  'chapter_card' | 'page_card' | 'draft' | 'failure' | 'page_summary' | 'progress' | 'reminder' | 'notice' | 'panels';

export interface OutboxTable {
  id: Id;
  job_name: string;
  job_key: string;
  payload: ColumnType<Record<string, unknown>, string, never>;
  created_at: CreatedAt;
  relayed_at: Date | null;
  relay_attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  run_at: Date | null;
  /** When its job ran to an end (completed, or failed for good): until then the sweeper watches it. */
  completed_at: Date | null;
}

export interface DiscordMessagesTable {
  id: Id;
  channel_id: string;
  message_id: string;
  purpose: MessagePurpose;
  chapter_id: number | null;
  page_id: number | null;
  revision_id: number | null;
  generation_key: string | null;
  /** The newest view claimed for an edit (see src/db/discord-messages.ts); bigint, read as a string. */
  view_version: ColumnType<string, string | number | undefined, string | number>;
  /** The newest view Discord answered for. */
  shown_version: ColumnType<string, string | number | undefined, string | number>;
  /** The files the message carries now: kept by id on the next edit. */
  attachments: ColumnType<MessageAttachment[], string | undefined, string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** A file on a Discord message as the message row records it. */
export interface MessageAttachment {
  id: string;
  filename: string;
}

/** A message being posted: claimed with its nonce before the post, deleted once the message is recorded. */
export interface DiscordMessageClaimsTable {
  /** What the message shows, as `DiscordMessages` finds it (`generation_key:…`, `page_card:…`). */
  target: string;
  channel_id: string;
  nonce: string;
  claimed_at: ColumnType<Date, Date | undefined, Date>;
}

/** An interaction received, with what another process needs to finish it (the inbox; see docs/operations.md). */
export interface InteractionReceiptsTable {
  interaction_id: string;
  received_at: CreatedAt;
  /** The gateway's interaction payload without its token, as JSON text; null when there is nothing to finish after a crash. */
  payload: string | null;
  token: string | null;
  /** The process finishing it, and until when it holds it. */
  owner: string | null;
  lease_until: Date | null;
  attempts: ColumnType<number, number | undefined, number>;
  /** Set in the same transaction as the interaction's effects. */
  committed_at: Date | null;
  /** The handler's answer as JSON text, kept before it is delivered. */
  reply: string | null;
  completed_at: Date | null;
}
