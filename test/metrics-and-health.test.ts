import { readFileSync } from 'node:fs';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../loopback/stack.js';
import { WritersRoom } from '../loopback/writers-room.js';
import { waitUntil } from '../loopback/wait-until.js';

const TOKEN = 'metrics-test-token-0123456789';
const SCRIPT = { panels: [{ panel: 1, caption: null, lines: [{ speaker: 'Kai', line: 'Counted.' }] }] };

/** Parses a scrape with a Prometheus text-format parser (a malformed exposition throws here); keeps the text for histogram lines. */
async function scrape(url: string, headers: Record<string, string> = {}): Promise<Map<string, PrometheusFamily> & { text: string }> {
  const response = await fetch(`${url}/metrics`, { headers });
  expect(response.status).toBe(200);
  const text = await response.text();
  return Object.assign(new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family])), { text });
}

/** A histogram's observation count for one label set (the parser keeps buckets but drops histogram labels). */
function histogramCount(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}_count{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

function family(families: Map<string, PrometheusFamily>, name: string): PrometheusFamily {
  const found = families.get(name);
  if (!found) throw new Error(`no ${name} in the scrape; it has ${[...families.keys()].join(', ')}`);
  return found;
}

const valueOf = (f: PrometheusFamily, labels: Record<string, string>) =>
  Number(f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? Number.NaN);

describe('metrics and health of the bot and the worker', () => {
  let h: StoryroomHarness;
  let botUrl: string;
  let workerUrl: string;

  beforeAll(async () => {
    h = await startStoryroom('metrics', { env: { HTTP_PORT: '0', HTTP_API_TOKEN: TOKEN, WORKER_METRICS_PORT: '0' } });
    h.model.setResponder((request) =>
      request.responseFormatName ? { json: SCRIPT } : { content: 'Every token is counted.', chunks: ['Every ', 'token ', 'is counted.'] },
    );
    botUrl = h.bot?.http?.url ?? '';
    workerUrl = h.worker?.http?.url ?? '';
    const room = new WritersRoom(h);
    await room.setupStory('Measured');
    const threadId = await room.openChapter('Counted');
    // The first edit of the draft meets a Discord rate limit, which both the REST client and the metric see.
    h.discord.failNext({ method: 'PATCH', route: '/channels/:id/messages/:id' }, { status: 429, retryAfterMs: 100 });
    await room.startPage(threadId, h.adminId, 'Kai counts the sparks').response();
    const narration = await room.openDraft(threadId, 1, 'Narration', 1);
    await room.click(threadId, narration, h.adminId, 'Approve').response();
    await room.openDraft(threadId, 1, 'Dialogue', 1);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the bot's /metrics parses and carries process, interaction, transition and queue series", async () => {
    expect((await fetch(`${botUrl}/metrics`)).status).toBe(401);
    const families = await scrape(botUrl, { authorization: `Bearer ${TOKEN}` });
    expect(family(families, 'process_resident_memory_bytes').metrics.length).toBeGreaterThan(0);
    expect(family(families, 'nodejs_eventloop_lag_p99_seconds').metrics.length).toBeGreaterThan(0);
    expect(valueOf(family(families, 'storyroom_interactions_total'), { kind: 'command', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
    const handling = family(families, 'storyroom_interaction_duration_seconds');
    expect(handling.type).toBe('HISTOGRAM');
    expect(
      histogramCount(families.text, 'storyroom_interaction_duration_seconds', { kind: 'button', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(valueOf(family(families, 'storyroom_page_transitions_total'), { event: 'draft_approved' })).toBe(1);
    const queues = family(families, 'storyroom_bullmq_jobs');
    expect(new Set(queues.metrics.map((m) => m.labels?.queue))).toEqual(new Set(['generation', 'progress']));
    expect(family(families, 'storyroom_discord_rate_limits_total').type).toBe('COUNTER');
  });

  it("the worker's /metrics parses and carries job, model, token and rate-limit series; the token types sum to the logged tokens", async () => {
    // The dialogue's job records its duration just after its draft appears.
    const draftJobs = async () =>
      histogramCount((await scrape(workerUrl)).text, 'storyroom_job_duration_seconds', { job: 'generate-draft', outcome: 'ok' });
    await waitUntil(async () => (await draftJobs()) === 2, 'both draft jobs to be timed');
    const families = await scrape(workerUrl);
    expect(family(families, 'process_cpu_user_seconds_total').metrics.length).toBeGreaterThan(0);
    const jobs = family(families, 'storyroom_job_duration_seconds');
    expect(jobs.type).toBe('HISTOGRAM');
    expect(histogramCount(families.text, 'storyroom_job_duration_seconds', { job: 'generate-draft', outcome: 'ok' })).toBe(2);
    expect(family(families, 'storyroom_model_request_duration_seconds').type).toBe('HISTOGRAM');
    expect(histogramCount(families.text, 'storyroom_model_request_duration_seconds', { agent: 'narrator', outcome: 'ok' })).toBe(1);
    expect(histogramCount(families.text, 'storyroom_model_request_duration_seconds', { agent: 'dialogue', outcome: 'ok' })).toBe(1);
    expect(histogramCount(families.text, 'storyroom_model_time_to_first_token_seconds', { agent: 'narrator' })).toBe(1);
    expect(valueOf(family(families, 'storyroom_discord_rate_limits_total'), {})).toBeGreaterThanOrEqual(1);

    const tokens = family(families, 'storyroom_model_token_usage_total');
    const logged = await h.database.db
      .selectFrom('agent_execution_log')
      .select((eb) => [
        eb.fn.sum<string>('prompt_tokens').as('prompt'),
        eb.fn.sum<string>('completion_tokens').as('completion'),
        eb.fn.sum<string>('cached_tokens').as('cached'),
      ])
      .executeTakeFirstOrThrow();
    const byType = (type: string) => tokens.metrics.filter((m) => m.labels?.type === type).reduce((sum, m) => sum + Number(m.value), 0);
    expect(byType('input') + byType('cached_input')).toBe(Number(logged.prompt));
    expect(byType('cached_input')).toBe(Number(logged.cached));
    expect(byType('output')).toBe(Number(logged.completion));
    expect(byType('input')).toBeGreaterThan(0);
  });

  it('every storyroom series the example Grafana dashboard queries is served by the bot or the worker', async () => {
    const dashboard = readFileSync(new URL('../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const queried = new Set([...dashboard.matchAll(/\b(storyroom_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((match) => match[1]));
    const served = new Set([...(await scrape(botUrl, { authorization: `Bearer ${TOKEN}` })).keys(), ...(await scrape(workerUrl)).keys()]);
    expect(queried.size).toBeGreaterThan(5);
    expect([...queried].filter((name) => name !== undefined && !served.has(name))).toEqual([]);
  });

  it('during a gateway outage /livez stays 200 and the bot’s /readyz turns 503; both recover', async () => {
    for (const url of [botUrl, workerUrl]) {
      expect((await fetch(`${url}/livez`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    }
    h.discord.gatewayOutage(true);
    try {
      await waitUntil(async () => (await fetch(`${botUrl}/readyz`)).status === 503, 'the bot to say it is not ready');
      const answer = await fetch(`${botUrl}/readyz`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ status: 'not ready', database: true, redis: true, discord: false });
      expect((await fetch(`${botUrl}/livez`)).status).toBe(200);
      // The worker never holds a gateway connection: it stays ready.
      expect((await fetch(`${workerUrl}/readyz`)).status).toBe(200);
    } finally {
      h.discord.gatewayOutage(false);
    }
    await h.discord.waitForBotConnection({ timeoutMs: 30_000 });
    await waitUntil(async () => (await fetch(`${botUrl}/readyz`)).status === 200, 'the bot to be ready again', 30_000);
  });
});
