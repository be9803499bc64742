export type JsonObject = Record<string, unknown>;
export type EmbedJson = JsonObject;
export type ComponentJson = JsonObject;

/** A file the bot uploaded with a request (multipart, beside payload_json). */
export interface UploadedFile {
  filename: string;
  content: Buffer;
  /** n of the multipart field `files[n]`: what an `attachments` entry `{ id: n }` names. */
  index?: number;
}

/** A file on a message, with the id Discord gives it (kept across edits that keep the file). */
export interface StoredMessageAttachment {
  id: string;
  filename: string;
  size: number;
  content: Buffer;
}

export interface RecordedCall {
  method: string;
  /** Path after /api/v10, with the query string. */
  path: string;
  /** The path with ids and tokens replaced by :id and :token. */
  route: string;
  body: unknown;
  status: number;
  at: number;
  /** Whether a valid bot Authorization header came with it. */
  authorized: boolean;
  /** Bytes of the files uploaded with it (multipart), 0 without files. */
  uploadedBytes: number;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: EmbedJson[];
  components: ComponentJson[];
  flags: number;
  editedAt: number | null;
  createdAt: number;
  allowedMentions: unknown;
  attachments: StoredMessageAttachment[];
  interactionId?: string;
  ephemeral: boolean;
  pinned: boolean;
}

export interface InteractionResponse {
  kind: 'reply' | 'update' | 'modal' | 'autocomplete';
  ephemeral: boolean;
  content: string;
  embeds: EmbedJson[];
  components: ComponentJson[];
  /** Files sent with the answer (an export, for instance), as the bot uploaded them. */
  attachments?: { filename: string; content: Buffer }[];
  modal?: { custom_id: string; title: string; components: ComponentJson[] };
  /** An autocomplete answer: at most 25 choices. */
  choices?: { name: string; value: string | number }[];
}

export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  /** The first callback; rejects when none came within the acknowledgement deadline. */
  readonly acknowledged: Promise<{ type: number; afterMs: number }>;
  /** The visible answer: the reply, the edit after a defer, the updated message, the modal or a follow-up. */
  response(options?: { timeoutMs?: number }): Promise<InteractionResponse>;
  readonly followUps: StoredMessage[];
}

/**
 * A failure to answer with. `landed`: the call is carried out (a message is created or edited) and only
 * the answer is an error, as when a proxy in front of Discord times out after the request went through.
 */
export type FailAnswer =
  { status: 429; retryAfterMs: number; global?: boolean } | { status: number; code: number; message?: string; landed?: boolean };
