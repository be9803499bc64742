import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelServer } from '../loopback/model/server.js';
import { AgentFailure } from '../src/agents/model-client.js';
import { MultipleChoicesMemory, shareCompletionTokens, writeTakes, type TakesRequest } from '../src/agents/takes.js';

// Takes against the loopback model server acting as each kind of server: one that answers `n` in full
// (OpenAI, vLLM), one that ignores it (Ollama) and one that refuses it (older llama.cpp).

let server: ModelServer;
let client: OpenAI;

beforeAll(async () => {
  server = await ModelServer.start();
  client = new OpenAI({ apiKey: 'loopback', baseURL: server.baseURL, maxRetries: 0, timeout: 10_000 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.setMultipleChoices('supported');
});

const readText = (text: string) => {
  if (text.trim() === '') throw new AgentFailure('malformed', true, 'The model returned an empty draft.', 'empty');
  return text.trim();
};

function request(overrides: Partial<TakesRequest<string>> = {}): TakesRequest<string> {
  return {
    body: {
      model: 'loopback-narrator',
      messages: [
        { role: 'system', content: 'You write narration.' },
        { role: 'user', content: 'Page 3 of the lighthouse.' },
      ],
    },
    count: 3,
    strategy: 'auto',
    memory: new MultipleChoicesMemory(),
    server: server.baseURL,
    read: readText,
    ...overrides,
  };
}

const texts = (takes: { ok: boolean; value?: string }[]) => takes.map((take) => (take.ok ? take.value : null));

describe('writeTakes', () => {
  it('asks a server that supports n once, streams each take by its choice index, and counts the prompt once', async () => {
    const seen = new Map<number, string>();
    const answer = await writeTakes(client, request({ onText: (take, text) => seen.set(take, text) }));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.n).toBe(3);
    expect(answer.requests).toBe(1);
    expect(answer.usedParallel).toBe(false);
    expect(texts(answer.takes)).toEqual([
      'Loopback reply 1 to loopback-narrator',
      'Loopback reply 1 to loopback-narrator (choice 2)',
      'Loopback reply 1 to loopback-narrator (choice 3)',
    ]);
    expect([...seen.entries()].sort()).toEqual(answer.takes.map((take, index) => [index, take.ok ? take.value : '']));

    // The same prompt as one take: the input tokens are the same, the output three times as many.
    server.reset();
    const single = await writeTakes(client, request({ count: 1 }));
    expect(server.requests[0]?.n).toBe(1);
    expect(server.requests[0]?.body.n).toBeUndefined();
    expect(answer.usage.promptTokens).toBe(single.usage.promptTokens);
    expect(answer.usage.completionTokens).toBeGreaterThan(2 * single.usage.completionTokens);
    // Per take: the input on take A only, and the output shares adding up to the whole.
    const perTake = answer.takes.map((take) => take.usage);
    expect(perTake.map((usage) => usage.promptTokens)).toEqual([answer.usage.promptTokens, 0, 0]);
    expect(perTake.reduce((sum, usage) => sum + usage.completionTokens, 0)).toBe(answer.usage.completionTokens);
  });

  it('fills the takes a server that ignores n left out with one-choice requests, and remembers that server', async () => {
    server.setMultipleChoices('ignored');
    const memory = new MultipleChoicesMemory();
    const first = await writeTakes(client, request({ memory }));
    expect(first.takes.every((take) => take.ok)).toBe(true);
    expect(new Set(texts(first.takes)).size).toBe(3);
    expect(server.requests.map((sent) => sent.n)).toEqual([3, 1, 1]);
    expect(first.usedParallel).toBe(true);
    expect(memory.needsParallel(server.baseURL)).toBe(true);

    server.reset();
    const second = await writeTakes(client, request({ memory }));
    expect(server.requests.map((sent) => sent.n)).toEqual([1, 1, 1]);
    expect(second.requests).toBe(3);
  });

  it('falls back to parallel requests when the server refuses n, and a forced n does not fall back', async () => {
    server.setMultipleChoices('refused');
    const memory = new MultipleChoicesMemory();
    const answer = await writeTakes(client, request({ memory }));
    expect(answer.takes.every((take) => take.ok)).toBe(true);
    expect(server.requests.map((sent) => sent.n)).toEqual([3, 1, 1, 1]);
    expect(memory.needsParallel(server.baseURL)).toBe(true);

    server.reset();
    const forced = writeTakes(client, request({ strategy: 'n', memory: new MultipleChoicesMemory() }));
    await expect(forced).rejects.toBeInstanceOf(AgentFailure);
    expect(server.requests).toHaveLength(1);
  });

  it('sends one-choice requests only when parallel is forced, even to a server that supports n', async () => {
    const answer = await writeTakes(client, request({ strategy: 'parallel' }));
    expect(server.requests.map((sent) => sent.body.n)).toEqual([undefined, undefined, undefined]);
    expect(answer.takes.every((take) => take.ok)).toBe(true);
  });

  it('keeps the other takes when one choice is cut off by length and another is refused', async () => {
    server.enqueue({
      choices: [
        { content: 'The keeper climbed.' },
        { content: 'The lamp went out in the storm and', fault: 'length' },
        { fault: 'refusal' },
      ],
    });
    const answer = await writeTakes(client, request({ count: 3 }));
    expect(texts(answer.takes)).toEqual(['The keeper climbed.', null, null]);
    const [, cut, refused] = answer.takes;
    expect(cut?.ok === false && cut.failure.outcome).toBe('length');
    expect(refused?.ok === false && refused.failure.outcome).toBe('refused');
  });

  it('throws the first failure when every take failed, with the round usage on it', async () => {
    server.enqueue({ choices: [{ fault: 'length' }, { fault: 'length' }] });
    const failure = await writeTakes(client, request({ count: 2 })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AgentFailure);
    expect((failure as AgentFailure).outcome).toBe('length');
    expect((failure as AgentFailure).usage.promptTokens).toBeGreaterThan(0);
  });

  it('reads structured takes one by one: an unreadable choice does not lose the readable ones', async () => {
    const schema = z.object({ panels: z.array(z.object({ caption: z.string() })).min(1) });
    const read = (text: string) => {
      const parsed = schema.safeParse(JSON.parse(text));
      if (!parsed.success)
        throw new AgentFailure('malformed', true, 'The model answered with a script we could not read.', 'schema mismatch');
      return JSON.stringify(parsed.data);
    };
    server.enqueue({
      choices: [{ content: '{"panels":[{"caption":"Dawn"}]}' }, { content: '{"panels": [' }, { content: '{"panels":[]}' }],
    });
    const answer = await writeTakes(client, { ...request(), read });
    expect(answer.takes.map((take) => take.ok)).toEqual([true, false, false]);
    expect(answer.takes.map((take) => (take.ok ? null : take.failure.outcome))).toEqual([null, 'malformed', 'malformed']);
  });

  it('gives a failed one-choice request its own failure and keeps the other takes', async () => {
    server.setMultipleChoices('ignored');
    const memory = new MultipleChoicesMemory();
    memory.remember(server.baseURL);
    server.enqueue({ content: 'Take one.' }, { fault: 'server_error' }, { content: 'Take three.' });
    const answer = await writeTakes(client, request({ memory }));
    expect(answer.takes.map((take) => take.ok)).toEqual([true, false, true]);
  });
});

describe('shareCompletionTokens', () => {
  it('splits the output by text share, puts the input on the first take, and adds up exactly', () => {
    const shares = shareCompletionTokens({ promptTokens: 900, cachedTokens: 300, completionTokens: 101 }, [
      { text: 'aaaa', refusal: '' },
      { text: 'aa', refusal: '' },
      { text: '', refusal: 'no' },
    ]);
    expect(shares).toEqual([
      { promptTokens: 900, cachedTokens: 300, completionTokens: 50 },
      { promptTokens: 0, cachedTokens: 0, completionTokens: 25 },
      { promptTokens: 0, cachedTokens: 0, completionTokens: 26 },
    ]);
    expect(shareCompletionTokens({ promptTokens: 5, cachedTokens: 0, completionTokens: 7 }, [])).toEqual([]);
    expect(
      shareCompletionTokens({ promptTokens: 5, cachedTokens: 0, completionTokens: 7 }, [
        { text: '', refusal: '' },
        { text: '', refusal: '' },
      ]).map((s) => s.completionTokens),
    ).toEqual([0, 7]);
  });
});
