import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import type { StoredMessage } from '../../loopback/discord/types.js';
import { buttonsOf, WritersRoom } from '../../loopback/writers-room.js';
import { getBudgetStatus } from '../../src/services/budget-service.js';
import { panelsMessage, roomWithRenderedPanels, waitForPanels } from './panels-story.js';

const footerOf = (message: StoredMessage, panel: number) =>
  (message.embeds[panel - 1]?.footer as { text?: string } | undefined)?.text ?? '';
const hasButton = (message: StoredMessage, label: string) => buttonsOf(message).some((b) => b.label === label && !b.disabled);

describe('render faults: each gives a plain notice on the panels message, and a Retry where it can help', () => {
  let h: StoryroomHarness;
  let room: WritersRoom;
  let threadId: string;
  let writer: string;
  const logLines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  /** The newest render of a panel, from Postgres. */
  const latest = (panel: number) =>
    h.database.db
      .selectFrom('panel_renders')
      .select(['id', 'render_number', 'seed', 'status', 'failure', 'failure_kind', 'comfy_prompt_id'])
      .where('panel_number', '=', panel)
      .orderBy('render_number', 'desc')
      .executeTakeFirstOrThrow();

  /** Clicks a button on the current panels message. */
  const click = async (label: string, userId = writer) => {
    const message = panelsMessage(h, threadId);
    if (!message) throw new Error('no panels message');
    return room.click(threadId, message, userId, label).response();
  };

  /** Reroll of a panel once its renders are done, and the render it started. */
  async function reroll(panel: number) {
    const before = await latest(panel);
    await waitForPanels(h, threadId, `Reroll ${panel} enabled`, (m) => hasButton(m, `Reroll ${panel}`));
    await click(`Reroll ${panel}`);
    const started = await latest(panel);
    expect(started.render_number).toBe(before.render_number + 1);
    return started;
  }

  /** Waits until ComfyUI runs this prompt and its sampler has taken a step. */
  const running = (promptId: string) => h.comfy?.waitFor((state) => state.runningPromptId === promptId && state.step >= 1, 20_000);

  beforeAll(async () => {
    h = await startStoryroom('render-faults', {
      env: { PANEL_PROMPTS: 'on', RENDER_TIMEOUT_SECONDS: '5', LOG_LEVEL: 'warn', RENDER_COST_USD: '0.25', MAX_RENDERS_PER_GUILD: '1' },
      comfyui: { stepDelayMs: 2 },
      logDestination: capture,
    });
    room = new WritersRoom(h);
    ({ threadId, writer } = await roomWithRenderedPanels(h, room, 'Faults', 'Sparks'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('an execution error is said in plain words (out of memory); Retry (co-writers only) draws the panel again with the same prompt and seed', async () => {
    h.comfy?.failNextRun('CUDA out of memory. Tried to allocate 2.00 GiB');
    const failed = await reroll(2);
    const shown = await waitForPanels(
      h,
      threadId,
      'the failure shown',
      (m) => footerOf(m, 2).includes('failed:') && hasButton(m, 'Retry failed panels'),
    );
    expect(footerOf(shown, 2)).toMatch(/failed: the image server ran out of memory drawing this panel/);
    expect(footerOf(shown, 2)).not.toMatch(/KSampler|node|GiB/);
    expect(shown.content).toContain('panel 2 failed');
    expect(buttonsOf(shown).find((b) => b.label === 'Approve panels')?.disabled).toBe(true);

    const reader = room.newMember('reader');
    expect((await click('Retry failed panels', reader)).content).toMatch(/Only co-writers/);
    expect((await latest(2)).id).toBe(failed.id);

    expect((await click('Retry failed panels')).content).toMatch(/Panel 2 is being drawn again with the same prompt and seed/);
    const retried = await latest(2);
    expect(retried.render_number).toBe(failed.render_number + 1);
    expect(retried.seed).toBe(failed.seed);
    await waitForPanels(
      h,
      threadId,
      'panel 2 drawn on retry',
      (m) => footerOf(m, 2).startsWith(`render ${retried.render_number} `) && footerOf(m, 2).endsWith('done'),
    );
  });

  it('an execution error naming server paths and a model shows the room none of them: what happened and who can fix it; the detail is logged', async () => {
    h.comfy?.failNextRun("FileNotFoundError: [Errno 2] No such file or directory: '/srv/comfy/models/loras/kai_style_v2.safetensors'");
    const failed = await reroll(2);
    const shown = await waitForPanels(
      h,
      threadId,
      'the failure shown',
      (m) => footerOf(m, 2).startsWith(`render ${failed.render_number} `) && footerOf(m, 2).includes('failed:'),
    );
    expect(footerOf(shown, 2)).toContain(
      'the image server is missing something it needs to draw this panel (a model, perhaps); ask whoever runs the bot',
    );
    expect(JSON.stringify(shown)).not.toMatch(/\/srv\/comfy|kai_style_v2|KSampler|Errno/);
    expect(logLines.some((line) => line.includes('/srv/comfy/models/loras/kai_style_v2.safetensors'))).toBe(true);
  });

  it('an interrupt on the ComfyUI server is said on the panel, with a Retry', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    h.comfy.stepDelayMs = 100;
    const render = await reroll(1);
    await running(render.comfy_prompt_id);
    await fetch(`${h.comfy.baseUrl}/interrupt`, { method: 'POST' });
    h.comfy.stepDelayMs = 2;
    const shown = await waitForPanels(h, threadId, 'the interrupt shown', (m) => footerOf(m, 1).includes('stopped on the image server'));
    expect(footerOf(shown, 1)).toMatch(/failed: the render was stopped on the image server before it finished; Retry draws it again/);
    expect(hasButton(shown, 'Retry failed panels')).toBe(true);
    expect(await latest(1)).toMatchObject({ status: 'failed', failure_kind: 'interrupted' });
  });

  it('a render longer than RENDER_TIMEOUT_SECONDS is stopped with POST /interrupt for its prompt, and said on the panel', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    h.comfy.stepDelayMs = 1_000;
    const render = await reroll(1);
    await running(render.comfy_prompt_id);
    const shown = await waitForPanels(
      h,
      threadId,
      'the timeout shown',
      (m) => footerOf(m, 1).startsWith(`render ${render.render_number} `) && footerOf(m, 1).includes('longer than the time allowed'),
    );
    h.comfy.stepDelayMs = 2;
    expect(footerOf(shown, 1)).toMatch(/failed: the render took longer than the time allowed and was stopped; Retry draws it again/);
    expect(h.comfy.interrupts).toContain(render.comfy_prompt_id);
    expect(hasButton(shown, 'Retry failed panels')).toBe(true);
    expect(await latest(1)).toMatchObject({ status: 'failed', failure_kind: 'timeout' });
  });

  it('ComfyUI restarted mid-render (the prompt in neither /queue nor /history): submitted again once, and drawn', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    h.comfy.stepDelayMs = 100;
    const render = await reroll(1);
    await running(render.comfy_prompt_id);
    h.comfy.stepDelayMs = 2;
    await h.comfy.restart();
    await waitForPanels(
      h,
      threadId,
      'panel 1 drawn after the restart',
      (m) => footerOf(m, 1).startsWith(`render ${render.render_number} `) && footerOf(m, 1).endsWith('done'),
    );
    expect(h.comfy.submissions.filter((s) => s.promptId === render.comfy_prompt_id)).toHaveLength(2);
    expect(await latest(1)).toMatchObject({ status: 'done' });
  });

  it('a workflow ComfyUI refuses (a checkpoint it does not have) is named in words, logged with the node, and not offered a Retry', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    h.comfy.checkpoints = ['other_model.safetensors'];
    const render = await reroll(2);
    const shown = await waitForPanels(
      h,
      threadId,
      'the refusal shown',
      (m) => footerOf(m, 2).startsWith(`render ${render.render_number} `) && footerOf(m, 2).includes('failed:'),
    );
    h.comfy.checkpoints = ['sd_xl_base_1.0.safetensors'];
    expect(footerOf(shown, 2)).toContain(
      'the image server is missing a model it needs to draw panels; ask whoever runs the bot. Reroll works once it is fixed',
    );
    expect(JSON.stringify(shown)).not.toMatch(/sd_xl_base|other_model|CheckpointLoaderSimple/);
    expect(hasButton(shown, 'Retry failed panels')).toBe(false);
    expect(await latest(2)).toMatchObject({ status: 'failed', failure_kind: 'refused' });
    expect(h.comfy.submissions.some((s) => s.promptId === render.comfy_prompt_id)).toBe(false);
    const logged = logLines.find((line) => line.includes('ComfyUI refused the workflow; not retried'));
    expect(logged).toMatch(/"nodes":\["\d+ \(CheckpointLoaderSimple\)"\]/);
    expect(logged).toContain(
      'the checkpoint sd_xl_base_1.0.safetensors is not installed on the ComfyUI server (it has other_model.safetensors)',
    );
  });

  it('ComfyUI unreachable: the job tries again with back-off and says so, then names the failure; Retry draws it once ComfyUI is back', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    await h.comfy.down();
    const render = await reroll(1);
    await waitForPanels(h, threadId, 'trying again', (m) =>
      /The image server cannot be reached; trying again \(attempt \d of 5\)/.test(m.content),
    );
    const shown = await waitForPanels(
      h,
      threadId,
      'unreachable after the attempts',
      (m) => footerOf(m, 1).startsWith(`render ${render.render_number} `) && footerOf(m, 1).includes('failed:'),
    );
    expect(footerOf(shown, 1)).toMatch(
      /failed: the image server could not be reached after 5 tries; Retry may work once it is back, or ask whoever runs the bot/,
    );
    expect(hasButton(shown, 'Retry failed panels')).toBe(true);
    await h.comfy.up();
    expect((await click('Retry failed panels')).content).toMatch(/Panel 1 is being drawn again/);
    await waitForPanels(
      h,
      threadId,
      'panel 1 drawn on retry',
      (m) => footerOf(m, 1).startsWith(`render ${render.render_number + 1} `) && footerOf(m, 1).endsWith('done'),
    );
  });

  it('the per-server cap counts renders: a reroll while the server’s one allowed render runs is refused, nothing changed', async () => {
    if (!h.comfy) throw new Error('no loopback ComfyUI');
    h.comfy.stepDelayMs = 100;
    const render = await reroll(1);
    await running(render.comfy_prompt_id);
    const count = async () => (await h.database.db.selectFrom('panel_renders').select('id').execute()).length;
    const before = await count();
    const refused = await click('Reroll 2');
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).toMatch(/already has 1 panel render waiting or running \(at most 1\)/);
    expect(await count()).toBe(before);
    h.comfy.stepDelayMs = 2;
    await waitForPanels(
      h,
      threadId,
      'panel 1 drawn',
      (m) => footerOf(m, 1).startsWith(`render ${render.render_number} `) && footerOf(m, 1).endsWith('done'),
    );
  });

  it('renders count toward the story’s monthly budget (RENDER_COST_USD each); once it is spent, rerolls are refused', async () => {
    const costs = await h.database.db.selectFrom('panel_renders').select('cost_usd').execute();
    expect(costs.every((row) => Number(row.cost_usd) === 0.25)).toBe(true);
    const story = await h.database.db.selectFrom('stories').select('id').executeTakeFirstOrThrow();
    const budget = await getBudgetStatus(h.database.db, story.id, h.config.prices);
    expect(budget.spentUsd).toBeGreaterThanOrEqual(costs.length * 0.25);
    await h.database.db
      .updateTable('stories')
      .set({ monthly_budget_usd: String(costs.length * 0.25) })
      .where('id', '=', story.id)
      .execute();
    const refused = await click('Reroll 2');
    expect(refused.content).toMatch(/monthly budget of \$[\d.]+ is spent/);
    expect(await h.database.db.selectFrom('panel_renders').select('id').execute()).toHaveLength(costs.length);
  });
});
