import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedMessage {
  role: string;
  content: string;
}

export interface RecordedRequest {
  at: number;
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** The json_schema name of a structured-output request, else null. */
  responseFormatName: string | null;
  messages: RecordedMessage[];
  /** Every message's content joined with newlines: what a test searches. */
  promptText: string;
  headers: IncomingHttpHeaders;
}

export type ScriptedFault = 'rate_limit' | 'server_error' | 'malformed_json' | 'refusal' | 'length' | 'hang_up';

export interface ScriptedReply {
  /** Only requests this accepts take the reply (first match in the queue wins). */
  when?: (request: RecordedRequest) => boolean;
  content?: string;
  /** Serialised as the content, for response_format json_schema requests. */
  json?: unknown;
  /** Explicit streaming chunks; otherwise the content is cut into pieces of about 8 characters. */
  chunks?: string[];
  chunkDelayMs?: number;
  /** Wait before answering: longer than the client's timeout injects a timeout. */
  delayMs?: number;
  fault?: ScriptedFault;
  /** For rate_limit: sent as retry-after-ms, and as retry-after in whole seconds. */
  retryAfterMs?: number;
  refusal?: string;
  usage?: Partial<{ prompt_tokens: number; completion_tokens: number; cached_tokens: number }>;
}

export type Responder = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;
