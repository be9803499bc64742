import OpenAI from 'openai';
import { LengthFinishReasonError } from 'openai/core/error';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ModelServer } from '../loopback/model/server.js';

// zod 4 straight from 'zod': openai 6.x's zodResponseFormat recognises v4 schemas by their `_zod` field.
const Script = z.object({ panels: z.array(z.object({ speaker: z.string(), line: z.string() })) });
type Script = z.infer<typeof Script>;

describe('the loopback model server, through the real openai SDK', () => {
  let server: ModelServer;
  let client: OpenAI;
  const user = (content: string) => [{ role: 'user' as const, content }];
  const ask = (content = 'Hello', model = 'loopback-narrator') => client.chat.completions.create({ model, messages: user(content) });
  const askForScript = () =>
    client.chat.completions.parse({
      model: 'loopback-dialogue',
      messages: user('Script the page'),
      response_format: zodResponseFormat(Script, 'dialogue_script'),
    });

  beforeEach(async () => {
    server = await ModelServer.start();
    client = new OpenAI({ apiKey: 'test', baseURL: server.baseURL, maxRetries: 0, timeout: 2_000 });
  });
  afterEach(async () => {
    await server.close();
  });

  describe('answers', () => {
    it('gives a plain answer with estimated usage (four characters a token)', async () => {
      server.enqueue({ content: 'Once upon a time.' });
      const completion = await ask('Tell me about the Mark');

      expect(completion.object).toBe('chat.completion');
      expect(completion.choices[0]).toMatchObject({
        index: 0,
        message: { role: 'assistant', content: 'Once upon a time.', refusal: null },
        finish_reason: 'stop',
      });
      expect(completion.usage).toEqual({
        prompt_tokens: 6, // 22 characters
        completion_tokens: 5, // 17 characters
        total_tokens: 11,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });
    });

    it('streams an answer in pieces: the role first, then content, the finish reason, usage on a last chunk', async () => {
      server.enqueue({ content: 'The forge went cold and the Mark glowed.' });
      const stream = await client.chat.completions.create({
        model: 'loopback-narrator',
        messages: user('Go on'),
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);

      const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
      expect(text).toBe('The forge went cold and the Mark glowed.');
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
      expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(5); // 40 characters in pieces of 8
      expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
      const last = chunks.at(-1);
      expect(last?.choices).toEqual([]);
      expect(last?.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 10, total_tokens: 12 });
    });

    it('streams scripted chunks as given, and sends no usage chunk unless asked', async () => {
      server.enqueue({ chunks: ['Ash ', 'falls.'] });
      const stream = await client.chat.completions.create({ model: 'loopback-narrator', messages: user('Go'), stream: true });
      const contents: string[] = [];
      for await (const chunk of stream) {
        expect(chunk.usage ?? null).toBeNull();
        if (chunk.choices[0]?.delta.content) contents.push(chunk.choices[0].delta.content);
      }
      expect(contents).toEqual(['Ash ', 'falls.']);
    });

    it('returns structured output that parse() reads with a zod 4 schema into a typed message.parsed', async () => {
      server.enqueue({ json: { panels: [{ speaker: 'Kai', line: 'It burns.' }] } });
      const completion = await askForScript();
      const parsed = completion.choices[0]?.message.parsed;

      expectTypeOf(parsed).toEqualTypeOf<Script | null | undefined>();
      expect(parsed).toEqual({ panels: [{ speaker: 'Kai', line: 'It burns.' }] });
      const [request] = server.requests;
      expect(request?.responseFormatName).toBe('dialogue_script');
      expect(request?.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'dialogue_script', strict: true } });
    });

    it('answers with deterministic default text, or {} for a structured request, when nothing is scripted', async () => {
      expect((await ask('one')).choices[0]?.message.content).toBe('Loopback reply 1 to loopback-narrator');
      expect((await ask('two', 'gpt-4o-mini')).choices[0]?.message.content).toBe('Loopback reply 2 to gpt-4o-mini');
      const structured = await client.chat.completions.create({
        model: 'loopback-dialogue',
        messages: user('Script it'),
        response_format: zodResponseFormat(Script, 'dialogue_script'),
      });
      expect(structured.choices[0]?.message.content).toBe('{}');
    });

    it('uses a queued reply only for a request its `when` accepts, and the responder for the rest', async () => {
      server.setResponder((request) => ({ content: `fallback for ${request.model}` }));
      server.enqueue({ when: (request) => request.model === 'other', content: 'for other' });

      expect((await ask()).choices[0]?.message.content).toBe('fallback for loopback-narrator');
      expect((await ask('x', 'other')).choices[0]?.message.content).toBe('for other');
      expect((await ask('x', 'other')).choices[0]?.message.content).toBe('fallback for other');
    });

    it('lets a scripted reply override the usage figures', async () => {
      server.enqueue({ content: 'Hi.', usage: { prompt_tokens: 2_000, cached_tokens: 1_920 } });
      const completion = await ask();
      expect(completion.usage).toMatchObject({
        prompt_tokens: 2_000,
        completion_tokens: 1,
        total_tokens: 2_001,
        prompt_tokens_details: { cached_tokens: 1_920 },
      });
    });

    it('lists its models', async () => {
      const models: string[] = [];
      for await (const model of client.models.list()) models.push(model.id);
      expect(models).toContain('gpt-4o-mini');
    });
  });

  describe('faults, as the SDK’s own errors', () => {
    it('a reply delayed past the client’s timeout is an APIConnectionTimeoutError', async () => {
      const impatient = new OpenAI({ apiKey: 'test', baseURL: server.baseURL, maxRetries: 0, timeout: 200 });
      server.enqueue({ content: 'late', delayMs: 1_000 });
      await expect(impatient.chat.completions.create({ model: 'm', messages: user('x') })).rejects.toBeInstanceOf(
        OpenAI.APIConnectionTimeoutError,
      );
    });

    it('a rate limit is a RateLimitError carrying retry-after-ms and retry-after', async () => {
      server.enqueue({ fault: 'rate_limit', retryAfterMs: 1_500 });
      const error = await ask().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const headers = (error as InstanceType<typeof OpenAI.RateLimitError>).headers;
      expect(headers.get('retry-after-ms')).toBe('1500');
      expect(headers.get('retry-after')).toBe('2');
    });

    it('after a rate limit the SDK waits retry-after-ms and its retry gets the next reply', async () => {
      const retrying = new OpenAI({ apiKey: 'test', baseURL: server.baseURL, maxRetries: 1, timeout: 2_000 });
      server.enqueue({ fault: 'rate_limit', retryAfterMs: 1 }, { content: 'after the wait' });
      const completion = await retrying.chat.completions.create({ model: 'm', messages: user('x') });
      expect(completion.choices[0]?.message.content).toBe('after the wait');
      expect(server.requests).toHaveLength(2);
    });

    it('a server error is an InternalServerError', async () => {
      server.enqueue({ fault: 'server_error' });
      await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    });

    it('a hang-up is an APIConnectionError, not a timeout', async () => {
      server.enqueue({ fault: 'hang_up' });
      const error = await ask().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(error).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    });

    it('malformed JSON makes parse() fail with a SyntaxError', async () => {
      server.enqueue({ fault: 'malformed_json' });
      await expect(askForScript()).rejects.toBeInstanceOf(SyntaxError);
    });

    it('an answer cut off at the length limit makes parse() fail with LengthFinishReasonError', async () => {
      server.enqueue({ fault: 'length', json: { panels: [] } });
      await expect(askForScript()).rejects.toBeInstanceOf(LengthFinishReasonError);

      server.enqueue({ fault: 'length', content: 'A long answer that ran out of room' });
      const plain = await ask();
      expect(plain.choices[0]?.finish_reason).toBe('length');
      expect(plain.choices[0]?.message.content).toBe('A long answer tha');
    });

    it('a refusal arrives in message.refusal with no content and nothing parsed', async () => {
      server.enqueue({ fault: 'refusal', refusal: 'I cannot write that scene.' });
      const completion = await askForScript();
      expect(completion.choices[0]?.message).toMatchObject({ content: null, refusal: 'I cannot write that scene.', parsed: null });
    });

    it('a streamed refusal arrives as refusal deltas', async () => {
      server.enqueue({ fault: 'refusal', refusal: 'I cannot write that scene.' });
      const final = await client.chat.completions.stream({ model: 'loopback-narrator', messages: user('Go') }).finalChatCompletion();
      expect(final.choices[0]?.message.refusal).toBe('I cannot write that scene.');
      expect(final.choices[0]?.message.content ?? null).toBeNull();
    });

    it('a request without messages is a BadRequestError, and a bad role an OpenAI-style 400', async () => {
      await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);

      const response = await fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'narrator', content: 'x' }] }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'messages.0.role' } });
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('simulated prefix caching', () => {
    const bible = 'A stable system prompt with the whole story bible. '.repeat(120); // 6,120 characters
    const page = (model: string, text: string) =>
      client.chat.completions.create({ model, messages: [{ role: 'system', content: bible }, ...user(text)] });

    it('reports cached tokens, in steps of 128, when a second long prompt shares the prefix', async () => {
      const first = await page('loopback-narrator', 'page one');
      const second = await page('loopback-narrator', 'page two');

      expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
      expect(second.usage?.prompt_tokens).toBe(1_533); // (6,120 + 1 + 8) / 4, rounded up
      expect(second.usage?.prompt_tokens_details?.cached_tokens).toBe(1_408); // 11 steps of 128
    });

    it('caches nothing for another model or for a prompt under 1024 tokens', async () => {
      await page('loopback-narrator', 'page one');
      const otherModel = await page('loopback-dialogue', 'page one');
      expect(otherModel.usage?.prompt_tokens_details?.cached_tokens).toBe(0);

      const short = 'Short prompt. '.repeat(100);
      await ask(short);
      expect((await ask(short)).usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    });

    it('forgets the cache on reset()', async () => {
      await page('loopback-narrator', 'page one');
      server.reset();
      expect((await page('loopback-narrator', 'page two')).usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    });
  });

  describe('lifecycle', () => {
    it('close() cuts a stream still being written instead of waiting out its chunk delays', async () => {
      server.enqueue({ chunks: ['Never ', 'finished.'], chunkDelayMs: 20_000 });
      const stream = await client.chat.completions.create({ model: 'loopback-narrator', messages: user('Go'), stream: true });
      const reading = (async () => {
        const chunks: ChatCompletionChunk[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        return chunks;
      })();
      const started = Date.now();
      await server.close();
      await expect(reading).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });

  describe('recorded requests', () => {
    it('record the model, the messages and the prompt text a test searches', async () => {
      await client.chat.completions.create({
        model: 'loopback-narrator',
        messages: [
          { role: 'system', content: 'You narrate.' },
          { role: 'user', content: [{ type: 'text', text: 'Kai enters the forge.' }] },
        ],
      });
      const [request] = await server.waitForRequests(1);

      expect(request).toMatchObject({
        model: 'loopback-narrator',
        stream: false,
        responseFormatName: null,
        messages: [
          { role: 'system', content: 'You narrate.' },
          { role: 'user', content: 'Kai enters the forge.' },
        ],
        promptText: 'You narrate.\nKai enters the forge.',
      });
      expect(request?.headers.authorization).toBe('Bearer test');
      expect(request?.at).toBeLessThanOrEqual(Date.now());
    });

    it('waitForRequests resolves when the requests arrive, and rejects after its timeout', async () => {
      server.setLatency(50);
      const waiting = server.waitForRequests(2, 2_000);
      await Promise.all([ask('a'), ask('b')]);
      expect((await waiting).map((request) => request.promptText).sort()).toEqual(['a', 'b']);
      await expect(server.waitForRequests(3, 50)).rejects.toThrow('expected 3 model requests');
    });
  });
});
