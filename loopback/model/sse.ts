// Server-sent events in the shape OpenAI streams chat completions: one `data: {chunk}` event per
// delta, a chunk carrying the finish reason, an optional usage chunk with no choices, then [DONE].
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';

/** One choice of a streamed completion (a request with `n` streams several, told apart by index). */
export interface StreamedChoice {
  /** Refusal pieces go out as `delta.refusal`, content pieces as `delta.content`. */
  kind: 'content' | 'refusal';
  pieces: string[];
  finishReason: 'stop' | 'length';
}

export interface CompletionStream {
  id: string;
  created: number;
  model: string;
  choices: StreamedChoice[];
  /** Sent on a last chunk with `choices: []` (the client asked for stream_options.include_usage). */
  usage: CompletionUsage | null;
  chunkDelayMs: number;
}

/** Writes the whole stream; a pause rejects when `signal` aborts (client gone, server closing). */
export async function writeCompletionStream(res: ServerResponse, stream: CompletionStream, signal: AbortSignal): Promise<void> {
  const chunk = (choices: ChatCompletionChunk.Choice[], usage?: CompletionUsage): ChatCompletionChunk => ({
    id: stream.id,
    object: 'chat.completion.chunk',
    created: stream.created,
    model: stream.model,
    choices,
    ...(usage ? { usage } : {}),
  });
  const choice = (
    index: number,
    delta: ChatCompletionChunk.Choice.Delta,
    finishReason: ChatCompletionChunk.Choice['finish_reason'] = null,
  ) => [{ index, delta, finish_reason: finishReason, logprobs: null }];

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  stream.choices.forEach((streamed, index) => {
    const opening: ChatCompletionChunk.Choice.Delta =
      streamed.kind === 'refusal' ? { role: 'assistant', content: null, refusal: '' } : { role: 'assistant', content: '', refusal: null };
    writeEvent(res, chunk(choice(index, opening)));
  });
  // Choices take turns piece by piece, as a server writing them side by side would send them.
  const longest = Math.max(0, ...stream.choices.map((streamed) => streamed.pieces.length));
  for (let at = 0; at < longest; at += 1) {
    for (const [index, streamed] of stream.choices.entries()) {
      const piece = streamed.pieces[at];
      if (piece === undefined) continue;
      if (stream.chunkDelayMs > 0) await sleep(stream.chunkDelayMs, undefined, { signal });
      if (res.destroyed) return;
      writeEvent(res, chunk(choice(index, streamed.kind === 'refusal' ? { refusal: piece } : { content: piece })));
    }
  }
  stream.choices.forEach((streamed, index) => writeEvent(res, chunk(choice(index, {}, streamed.finishReason))));
  if (stream.usage) writeEvent(res, chunk([], stream.usage));
  res.end('data: [DONE]\n\n');
}

function writeEvent(res: ServerResponse, data: ChatCompletionChunk): void {
  res.write(`data: ${JSON.stringify(data)}\n\n`);
}

/** Cuts text into pieces of `size` characters (code points, so no emoji is split), as a model streams tokens. */
export function splitIntoPieces(text: string, size = 8): string[] {
  const characters = [...text];
  const pieces: string[] = [];
  for (let i = 0; i < characters.length; i += size) pieces.push(characters.slice(i, i + size).join(''));
  return pieces;
}
