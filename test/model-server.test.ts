import OpenAI from 'openai';
import { LengthFinishReasonError } from 'openai/core/error';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelServer } from '../loopback/model/server.js';

const Script = z.object({ panels: z.array(z.object({ speaker: z.string(), line: z.string() })) });

describe('the loopback model server, through the real openai SDK', () => {
  let server: ModelServer;
  let client: OpenAI;
  const ask = (content = 'Hello') => client.chat.completions.create({ model: 'loopback-narrator', messages: [{ role: 'user', content }] });

  beforeAll(async () => {
    server = await ModelServer.start();
    client = new OpenAI({ apiKey: 'test', baseURL: server.baseURL, maxRetries: 0, timeout: 1_000 });
  });
  beforeEach(() => server.reset());
  afterAll(async () => {
    await server.close();
  });

  it('gives a plain answer with usage figures and records the prompt', async () => {
    server.enqueue({ content: 'Once upon a time.' });
    const completion = await ask('Tell me about the Mark');
    expect(completion.choices[0]?.message.content).toBe('Once upon a time.');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBe(5);
    expect(server.requests[0]?.promptText).toBe('Tell me about the Mark');
  });

  it('streams an answer in pieces with usage on the last chunk', async () => {
    server.enqueue({ content: 'The forge went cold and the Mark glowed.' });
    const stream = await client.chat.completions.create({
      model: 'loopback-narrator',
      messages: [{ role: 'user', content: 'Go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let pieces = 0;
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) {
        text += chunk.choices[0].delta.content;
        pieces += 1;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('The forge went cold and the Mark glowed.');
    expect(pieces).toBeGreaterThan(3);
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('returns structured output that the SDK parses with a zod schema', async () => {
    server.enqueue({ json: { panels: [{ speaker: 'Kai', line: 'It burns.' }] } });
    const completion = await client.chat.completions.parse({
      model: 'loopback-dialogue',
      messages: [{ role: 'user', content: 'Script it' }],
      response_format: zodResponseFormat(Script, 'dialogue_script'),
    });
    expect(completion.choices[0]?.message.parsed).toEqual({ panels: [{ speaker: 'Kai', line: 'It burns.' }] });
    expect(server.requests[0]?.responseFormatName).toBe('dialogue_script');
  });

  it('times out as the SDK’s own timeout error', async () => {
    server.enqueue({ content: 'late', delayMs: 1_500 });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('answers 429 with retry-after, which the SDK honours on its retry', async () => {
    server.enqueue({ fault: 'rate_limit', retryAfterMs: 1 });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    server.enqueue({ fault: 'rate_limit', retryAfterMs: 1 }, { content: 'after the wait' });
    const retrying = new OpenAI({ apiKey: 'test', baseURL: server.baseURL, maxRetries: 1 });
    const completion = await retrying.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toBe('after the wait');
    expect(server.requests).toHaveLength(3);
  });

  it('fails with a 500 as InternalServerError and a hang-up as APIConnectionError', async () => {
    server.enqueue({ fault: 'server_error' }, { fault: 'hang_up' });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const error = await ask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('sends malformed JSON that parse() cannot read, and a cut-off answer as LengthFinishReasonError', async () => {
    const parse = () =>
      client.chat.completions.parse({
        model: 'loopback-dialogue',
        messages: [{ role: 'user', content: 'Script it' }],
        response_format: zodResponseFormat(Script, 'dialogue_script'),
      });
    server.enqueue({ fault: 'malformed_json' });
    await expect(parse()).rejects.toBeInstanceOf(SyntaxError);
    server.enqueue({ fault: 'length', json: { panels: [] } });
    await expect(parse()).rejects.toBeInstanceOf(LengthFinishReasonError);
  });

  it('delivers a refusal in message.refusal', async () => {
    server.enqueue({ fault: 'refusal', refusal: 'No.' });
    const completion = await ask();
    expect(completion.choices[0]?.message.refusal).toBe('No.');
    expect(completion.choices[0]?.message.content).toBeNull();
  });

  it('reports cached prompt tokens when a long prefix repeats', async () => {
    const prefix = 'A stable system prompt with the whole story bible. '.repeat(120);
    const first = await client.chat.completions.create({
      model: 'loopback-narrator',
      messages: [{ role: 'system', content: prefix }, { role: 'user', content: 'page one' }],
    });
    const second = await client.chat.completions.create({
      model: 'loopback-narrator',
      messages: [{ role: 'system', content: prefix }, { role: 'user', content: 'page two' }],
    });
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect(cached % 128).toBe(0);
  });

  it('rejects a request without messages as a bad request', async () => {
    await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('uses a queued reply only for the request it matches', async () => {
    server.enqueue({ when: (r) => r.model === 'other', content: 'for other' });
    server.setResponder(() => ({ content: 'fallback' }));
    expect((await ask()).choices[0]?.message.content).toBe('fallback');
    const other = await client.chat.completions.create({ model: 'other', messages: [{ role: 'user', content: 'x' }] });
    expect(other.choices[0]?.message.content).toBe('for other');
    server.setResponder(() => ({}));
  });
});
