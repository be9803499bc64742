import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseWebConfig } from '../src/config/config.js';

const VALID = {
  DISCORD_TOKEN: 'secret-token-value',
  DISCORD_APPLICATION_ID: '123456789012345678',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/storyroom',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('fills safe defaults around the required values', () => {
    const config = parseConfig(VALID);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.worker.concurrency).toBe(4);
    expect(config.discord.apiUrl).toBeNull();
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.model)).toBe(true);
  });

  it('reports every problem on its own line, naming the variable', () => {
    const problems = problemsOf({
      DISCORD_APPLICATION_ID: 'abc',
      DATABASE_URL: 'mysql://nope',
      WORKER_CONCURRENCY: 'lots',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'not a url',
    });
    expect(problems).toHaveLength(6);
    expect(problems.some((p) => p.startsWith('DISCORD_TOKEN is required'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DISCORD_APPLICATION_ID must be a Discord id'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL must be a URL starting with postgres:'))).toBe(true);
    for (const name of ['WORKER_CONCURRENCY', 'LOG_LEVEL', 'REDIS_URL']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('never echoes a secret value in its messages', () => {
    const problems = problemsOf({ ...VALID, DISCORD_APPLICATION_ID: 'secret-token-value', OPENAI_BASE_URL: 'sk-live-secret' });
    expect(problems.join('\n')).not.toContain('secret');
  });

  it('treats an empty value as unset so the default applies', () => {
    expect(parseConfig({ ...VALID, WORKER_CONCURRENCY: '', OPENAI_BASE_URL: '' }).worker.concurrency).toBe(4);
  });

  it('lays a MODEL_PRICES table over the defaults, and refuses one that is not JSON', () => {
    const config = parseConfig({ ...VALID, MODEL_PRICES: '{"llama3": {"input": 0, "cachedInput": 0, "output": 0}}' });
    expect(config.prices.llama3).toEqual({ input: 0, cachedInput: 0, output: 0 });
    expect(config.prices['gpt-4o-mini']).toBeDefined();
    expect(problemsOf({ ...VALID, MODEL_PRICES: 'cheap' })[0]).toBe('MODEL_PRICES must be JSON');
  });

  it('the HTTP API is off by default; a port needs a token of 16 characters or more', () => {
    expect(parseConfig(VALID).http).toBeNull();
    expect(problemsOf({ ...VALID, HTTP_PORT: '8080' })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN is required when HTTP_PORT is set/),
    ]);
    expect(problemsOf({ ...VALID, HTTP_PORT: '8080', HTTP_API_TOKEN: 'short' })).toEqual([
      expect.stringMatching(/^HTTP_API_TOKEN must be at least 16 characters/),
    ]);
    expect(parseConfig({ ...VALID, HTTP_PORT: '8080', HTTP_API_TOKEN: 'a-long-enough-token' }).http).toEqual({
      port: 8080,
      host: '127.0.0.1',
      token: 'a-long-enough-token',
    });
  });

  it('/metrics has a token of its own, never the content API’s; HTTP_API_TOKEN alone still opens it, as before METRICS_TOKEN', () => {
    const tokens = { METRICS_TOKEN: 'metrics-token-0123456789', HTTP_API_TOKEN: 'content-token-0123456789' };
    expect(parseConfig({ ...VALID, HTTP_PORT: '8080', ...tokens }).http).toEqual({
      port: 8080,
      host: '127.0.0.1',
      token: tokens.METRICS_TOKEN,
    });
    expect(
      problemsOf({ ...VALID, HTTP_PORT: '8080', METRICS_TOKEN: tokens.HTTP_API_TOKEN, HTTP_API_TOKEN: tokens.HTTP_API_TOKEN }),
    ).toEqual([expect.stringMatching(/^METRICS_TOKEN must differ from HTTP_API_TOKEN/)]);
    expect(problemsOf({ ...VALID, HTTP_PORT: '8080', METRICS_TOKEN: 'has spaces and quotes "x"' })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN may hold only letters, digits/),
    ]);
  });

  it('review clock, advisory agents and their models have defaults and can be changed', () => {
    const config = parseConfig(VALID);
    expect(config.review).toEqual({ minuteMs: 60_000, continuityReview: true, panelPrompts: true });
    expect(config.model.reviewerModel).toBe(config.model.narratorModel);
    expect(config.model.panelsModel).toBe(config.model.dialogueModel);
    const changed = parseConfig({
      ...VALID,
      REVIEW_MINUTE_MS: '100',
      CONTINUITY_REVIEW: 'off',
      PANEL_PROMPTS: 'off',
      REVIEWER_MODEL: 'llama3',
    });
    expect(changed.review).toEqual({ minuteMs: 100, continuityReview: false, panelPrompts: false });
    expect(changed.model.reviewerModel).toBe('llama3');
    expect(problemsOf({ ...VALID, CONTINUITY_REVIEW: 'maybe' })[0]).toMatch(/^CONTINUITY_REVIEW/);
  });

  it('up to 8 gateway shards go in one bot process unless SHARDS_PER_PROCESS says otherwise; a shard process reads its share from BOT_CLUSTER', () => {
    expect(parseConfig(VALID).discord).toMatchObject({ shardsPerProcess: 8, cluster: null });
    expect(parseConfig({ ...VALID, SHARDS_PER_PROCESS: '1' }).discord.shardsPerProcess).toBe(1);
    expect(problemsOf({ ...VALID, SHARDS_PER_PROCESS: '0' })).toEqual([expect.stringMatching(/^SHARDS_PER_PROCESS /)]);
    const cluster = { id: 1, shardIds: [2, 3], shardCount: 4 };
    expect(parseConfig({ ...VALID, BOT_CLUSTER: JSON.stringify(cluster) }).discord.cluster).toEqual(cluster);
    expect(problemsOf({ ...VALID, BOT_CLUSTER: '{"id":1,"shardIds":[]}' }).every((p) => p.startsWith('BOT_CLUSTER'))).toBe(true);
  });

  it('rejects a worker concurrency outside 1–64', () => {
    expect(problemsOf({ ...VALID, WORKER_CONCURRENCY: '0' })[0]).toMatch(/^WORKER_CONCURRENCY/);
  });

  it('a worker yields the CPU at niceness 10 unless told otherwise; 0–19 only', () => {
    expect(parseConfig(VALID).worker.niceness).toBe(10);
    expect(parseConfig({ ...VALID, WORKER_NICENESS: '0' }).worker.niceness).toBe(0);
    expect(problemsOf({ ...VALID, WORKER_NICENESS: '20' })).toEqual([expect.stringMatching(/^WORKER_NICENESS/)]);
    expect(problemsOf({ ...VALID, WORKER_NICENESS: '-5' })).toEqual([expect.stringMatching(/^WORKER_NICENESS/)]);
  });

  it('the web process needs only the database and PUBLIC_URL; the bot reads PUBLIC_URL to post published links', () => {
    const web = parseWebConfig({ DATABASE_URL: VALID.DATABASE_URL, PUBLIC_URL: 'https://read.example.org/stories/' });
    expect(web.web).toEqual({ publicUrl: 'https://read.example.org/stories', port: 8080, host: '127.0.0.1', pagesPerScreen: 20 });
    expect(web.apiToken).toBeNull();
    expect(() => parseWebConfig({ DATABASE_URL: VALID.DATABASE_URL })).toThrow(/PUBLIC_URL is required/);
    expect(() => parseWebConfig({ DATABASE_URL: VALID.DATABASE_URL, PUBLIC_URL: 'ftp://x', WEB_PORT: 'high' })).toThrow(ConfigError);
    expect(parseConfig(VALID).web.publicUrl).toBeNull();
    expect(parseConfig({ ...VALID, PUBLIC_URL: 'http://127.0.0.1:8080' }).web.publicUrl).toBe('http://127.0.0.1:8080');
  });
});
