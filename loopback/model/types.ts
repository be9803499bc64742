import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';

const messageRoles = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;
export type MessageRole = (typeof messageRoles)[number];

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

/**
 * The part of a chat completion request the server reads. Loose objects: fields it does not read
 * (temperature, tools, prompt_cache_key…) are accepted and kept in the recorded body.
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(messageRoles),
        content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
      }),
    )
    .min(1, 'messages must hold at least one message'),
  stream: z.boolean().nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  response_format: z.looseObject({ type: z.string(), json_schema: z.looseObject({ name: z.string() }).optional() }).optional(),
});

export type ChatCompletionRequestBody = z.infer<typeof chatCompletionRequestSchema>;

export interface RecordedMessage {
  role: MessageRole;
  /** The text of the message; content parts are joined, a null content is ''. */
  content: string;
}

export interface RecordedRequest {
  /** Date.now() when the request arrived, before any latency or delay. */
  at: number;
  body: ChatCompletionRequestBody;
  model: string;
  stream: boolean;
  /** Choices asked for (`n`, default 1). */
  n: number;
  /** The json_schema name of a structured-output request, else null. */
  responseFormatName: string | null;
  messages: RecordedMessage[];
  /** Every message's content joined with newlines: what a test searches. */
  promptText: string;
  headers: IncomingHttpHeaders;
}

export type ScriptedFault = 'rate_limit' | 'server_error' | 'malformed_json' | 'refusal' | 'length' | 'hang_up';

/** One choice of an answer to a request with `n` above 1. */
export interface ScriptedChoice {
  content?: string;
  /** `length` cuts this choice off halfway; `refusal` makes it a refusal. The other choices are unaffected. */
  fault?: 'length' | 'refusal';
}

export interface ScriptedReply {
  /** Only requests this accepts take the reply (the first match in the queue wins). */
  when?: (request: RecordedRequest) => boolean;
  /** The assistant's text. A reply with neither content nor json gets the server's default text. */
  content?: string;
  /** Serialised as the content, for response_format json_schema requests. */
  json?: unknown;
  /** Explicit streaming chunks; otherwise the content is cut into pieces of 8 characters. */
  chunks?: string[];
  /** Pause before each streamed chunk. */
  chunkDelayMs?: number;
  /** Wait before answering: longer than the client's timeout injects a timeout. */
  delayMs?: number;
  fault?: ScriptedFault;
  /** For rate_limit (default 1000): sent as retry-after-ms, and as retry-after in whole seconds. */
  retryAfterMs?: number;
  /** For the refusal fault: the refusal text. */
  refusal?: string;
  /**
   * Per choice, for a request with `n` above 1 on a server that answers with several: choice i takes
   * entry i; choices past the list get the default text with their index.
   */
  choices?: ScriptedChoice[];
  /** Overrides the estimated figures one by one; total_tokens follows. */
  usage?: Partial<{ prompt_tokens: number; completion_tokens: number; cached_tokens: number }>;
}

export type Responder = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

/**
 * How the server treats `n` above 1, as real servers differ: `supported` answers with n choices (OpenAI,
 * vLLM, recent llama.cpp); `ignored` answers with one (Ollama); `refused` answers 500 "Only one
 * completion choice is allowed" (older llama.cpp builds).
 */
export type MultipleChoices = 'supported' | 'ignored' | 'refused';

export interface ModelServerOptions {
  /** Default `supported`. */
  multipleChoices?: MultipleChoices;
  /** Added before every answer, faults included. Default 0. */
  latencyMs?: number;
  /** Answers requests no queued reply matches. Default: the server's default text (see ModelServer). */
  responder?: Responder;
}
