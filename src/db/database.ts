import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { BibleEntryType } from '../domain/bible-entry.js';
import type { StoryPageFormat } from '../domain/lettering-settings.js';
import type { DraftKind, PageState } from '../domain/page-state-machine.js';
import type { PanelShape, PanelSizeName } from '../domain/panel-size.js';
import type { DeadlineRule } from '../domain/voting.js';
import type { DiscordMessageClaimsTable, DiscordMessagesTable, InteractionReceiptsTable, OutboxTable } from './delivery-tables.js';
import type { LetteredPagesTable, LetteredPageVotesTable } from './lettering-tables.js';
import type {
  ImagesTable,
  PanelPromptEditsTable,
  PanelRendersTable,
  PanelSetApprovalsTable,
  PanelSetVotesTable,
  ReferenceImagesTable,
} from './render-tables.js';

export type { DeadlineRule };
export type { MessagePurpose } from './delivery-tables.js';

// One interface per table, as Kysely's example does. Nullable columns are `T | null`, never optional.
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Id = Generated<number>;

export type ChapterStatus = 'open' | 'needs_attention' | 'closed';
export type MemberRole = 'owner' | 'writer' | 'viewer';
export type RevisionStatus = 'open' | 'approved' | 'revision_requested' | 'superseded';
export type AgentName = 'narrator' | 'dialogue' | 'reviewer' | 'panels' | 'summariser';
export type AgentOutcome = 'ok' | 'refused' | 'malformed' | 'length' | 'timeout' | 'rate_limited' | 'error';

export interface StoriesTable {
  id: Id;
  guild_id: string;
  channel_id: string;
  title: string;
  created_by: string;
  quorum: ColumnType<string, string | undefined, string>;
  max_revisions: ColumnType<number, number | undefined, number>;
  narrator_model: string | null;
  dialogue_model: string | null;
  tone_note: string | null;
  narration_words: ColumnType<number, number | undefined, number>;
  reminder_minutes: number | null;
  deadline_minutes: number | null;
  deadline_rule: ColumnType<DeadlineRule, DeadlineRule | undefined, DeadlineRule>;
  /** numeric comes back as text from pg: read it with Number(). */
  monthly_budget_usd: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  /** The panels' picture shape and size (domain/panel-size.ts). */
  panel_shape: ColumnType<PanelShape, PanelShape | undefined, PanelShape>;
  panel_size: ColumnType<PanelSizeName, PanelSizeName | undefined, PanelSizeName>;
  /** How its pages are lettered (domain/lettering-settings.ts). */
  page_format: ColumnType<StoryPageFormat, StoryPageFormat | undefined, StoryPageFormat>;
  language: ColumnType<string, string | undefined, string>;
  /** Takes a round of review asks for (1–4). */
  takes: ColumnType<number, number | undefined, number>;
  /** Set while the story is published on the web reader; all four are null otherwise. */
  public_slug: ColumnType<string | null, string | null | undefined, string | null>;
  public_token: ColumnType<string | null, string | null | undefined, string | null>;
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  published_by: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface CanonicalRefsTable {
  id: Id;
  story_id: number;
  title: string;
  ref_type: BibleEntryType;
  body: string;
  keywords: ColumnType<string[], string[] | undefined, string[]>;
  priority: ColumnType<number, number | undefined, number>;
  created_by: string;
  created_at: CreatedAt;
  superseded_at: Date | null;
  token_count: ColumnType<number, number | undefined, number>;
  always_include: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ChaptersTable {
  id: Id;
  story_id: number;
  number: number;
  title: string;
  thread_id: string | null;
  card_message_id: string | null;
  created_by: string;
  status: ColumnType<ChapterStatus, ChapterStatus | undefined, ChapterStatus>;
  attention_reason: string | null;
  summary: string | null;
  summary_through_page: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface ChapterMembersTable {
  chapter_id: number;
  user_id: string;
  role: ColumnType<MemberRole, MemberRole | undefined, MemberRole>;
  joined_at: CreatedAt;
}

export interface ChapterMemberRemovalsTable {
  chapter_id: number;
  user_id: string;
  removed_by: string;
  removed_at: UpdatedAt;
}

export interface StoryPagesTable {
  id: Id;
  chapter_id: number;
  number: number;
  input: string;
  state: PageState;
  stage: ColumnType<DraftKind, DraftKind | undefined, DraftKind>;
  version: ColumnType<number, number | undefined, number>;
  current_revision_id: number | null;
  approved_narration_id: number | null;
  approved_dialogue_id: number | null;
  failure_reason: string | null;
  generation_started_at: Date | null;
  /** The page version whose draft holds one of its server's generation slots; any other value holds none. */
  slot_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** Bumped by every vote: a one-statement vote knows from it whether its snapshot is current. */
  votes_cast: ColumnType<number, number | undefined, number>;
  /** `/page start takes:`; null follows the story's setting. */
  takes: ColumnType<number | null, number | null | undefined, number | null>;
  /** Another take requests still being written for the open round. */
  takes_pending: ColumnType<number, number | undefined, number>;
  created_by: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PageTransitionsTable {
  id: Id;
  page_id: number;
  from_state: PageState | null;
  to_state: PageState;
  event: string;
  actor_id: string | null;
  page_version: number;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
  created_at: CreatedAt;
}

export interface PageRevisionsTable {
  id: Id;
  page_id: number;
  kind: DraftKind;
  version: number;
  /** 0 is take A; a round of one take has only take 0. */
  take: ColumnType<number, number | undefined, number>;
  body: string;
  structured: ColumnType<unknown, string | null, string | null>;
  status: ColumnType<RevisionStatus, RevisionStatus | undefined, RevisionStatus>;
  generation_key: string | null;
  restored_from_version: number | null;
  /** The co-writer who wrote this version by hand (Edit), or null for a model's or a restored one. */
  edited_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** A take made by editing another take of its round: that take (0 is A). */
  edited_from_take: ColumnType<number | null, number | null | undefined, number | null>;
  prompt_context: ColumnType<unknown, string | null | undefined, string | null>;
  review_notes: ColumnType<string[] | null, string | null | undefined, string | null>;
  reminded_at: Date | null;
  created_at: CreatedAt;
  decided_at: Date | null;
}

export interface UserFeedbackTable {
  id: Id;
  revision_id: number;
  user_id: string;
  body: string;
  created_at: CreatedAt;
}

export interface VotesTable {
  revision_id: number;
  user_id: string;
  choice: 'approve' | 'revise';
  /** In a round of takes, the take an approving vote picked (votes are cast on the round's take A). */
  pick: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PanelPromptsTable {
  id: Id;
  page_id: number;
  revision_id: number;
  panel_number: number;
  scene: string;
  characters: ColumnType<string[], string[] | undefined, string[]>;
  camera: string;
  mood: string;
  prompt: string;
  negative_prompt: string;
  created_at: CreatedAt;
}

export interface AgentExecutionLogTable {
  id: Id;
  story_id: number | null;
  chapter_id: number | null;
  page_id: number | null;
  agent: AgentName;
  model: string;
  job_id: string | null;
  attempt: ColumnType<number, number | undefined, number>;
  prompt_tokens: ColumnType<number, number | undefined, number>;
  completion_tokens: ColumnType<number, number | undefined, number>;
  cached_tokens: ColumnType<number, number | undefined, number>;
  // numeric comes back from pg as a string to keep its precision.
  cost_usd: ColumnType<string, string | number | undefined, string | number>;
  latency_ms: number;
  outcome: AgentOutcome;
  error: string | null;
  /** The take a call wrote (0 is A); null for a call that wrote no take. */
  take: ColumnType<number | null, number | null | undefined, number | null>;
  /** A take's row whose call was one request shared with an earlier take (`n` choices): not a request of its own. */
  shares_request: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface PageStatusSummaryView {
  page_id: number;
  chapter_id: number;
  story_id: number;
  number: number;
  state: PageState;
  stage: DraftKind;
  version: number;
  updated_at: Date;
  current_revision_id: number | null;
  current_kind: DraftKind | null;
  current_version: number | null;
  narration_versions: number;
  dialogue_versions: number;
  approvals: number;
  revise_votes: number;
}

export interface ChapterProgressView {
  chapter_id: number;
  story_id: number;
  number: number;
  title: string;
  status: ChapterStatus;
  pages: number;
  approved_pages: number;
  pages_in_review: number;
  pages_generating: number;
  pages_failed: number;
  co_writers: number;
}

export interface Database {
  stories: StoriesTable;
  canonical_refs: CanonicalRefsTable;
  chapters: ChaptersTable;
  chapter_members: ChapterMembersTable;
  chapter_member_removals: ChapterMemberRemovalsTable;
  story_pages: StoryPagesTable;
  page_transitions: PageTransitionsTable;
  page_revisions: PageRevisionsTable;
  user_feedback: UserFeedbackTable;
  votes: VotesTable;
  panel_prompts: PanelPromptsTable;
  panel_renders: PanelRendersTable;
  panel_prompt_edits: PanelPromptEditsTable;
  panel_set_votes: PanelSetVotesTable;
  panel_set_approvals: PanelSetApprovalsTable;
  images: ImagesTable;
  reference_images: ReferenceImagesTable;
  lettered_pages: LetteredPagesTable;
  lettered_page_votes: LetteredPageVotesTable;
  agent_execution_log: AgentExecutionLogTable;
  outbox: OutboxTable;
  discord_messages: DiscordMessagesTable;
  discord_message_claims: DiscordMessageClaimsTable;
  interaction_receipts: InteractionReceiptsTable;
  page_status_summary: PageStatusSummaryView;
  chapter_progress: ChapterProgressView;
}

export type Story = Selectable<StoriesTable>;
export type NewStory = Insertable<StoriesTable>;
export type StoryUpdate = Updateable<StoriesTable>;
export type Chapter = Selectable<ChaptersTable>;
export type NewChapter = Insertable<ChaptersTable>;
export type NewChapterMember = Insertable<ChapterMembersTable>;
export type StoryPage = Selectable<StoryPagesTable>;
export type NewStoryPage = Insertable<StoryPagesTable>;
export type StoryPageUpdate = Updateable<StoryPagesTable>;
export type PageRevision = Selectable<PageRevisionsTable>;
export type NewPageRevision = Insertable<PageRevisionsTable>;
export type CanonicalRef = Selectable<CanonicalRefsTable>;
export type NewCanonicalRef = Insertable<CanonicalRefsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type PanelPrompt = Selectable<PanelPromptsTable>;
export type NewPanelPrompt = Insertable<PanelPromptsTable>;
export type DiscordMessage = Selectable<DiscordMessagesTable>;
export type NewDiscordMessage = Insertable<DiscordMessagesTable>;
export type DiscordMessageClaim = Selectable<DiscordMessageClaimsTable>;
export type NewAgentExecution = Insertable<AgentExecutionLogTable>;
