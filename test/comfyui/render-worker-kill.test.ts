import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BESIDE_THE_SUITE, startStoryroomProcess, type StoryroomProcess } from '../../loopback/processes.js';
import { startStoryroom, type StoryroomHarness } from '../../loopback/stack.js';
import { WritersRoom } from '../../loopback/writers-room.js';
import { answer, approvePage, waitForPanels } from './panels-story.js';

describe('a worker SIGKILLed mid-render', () => {
  let h: StoryroomHarness;
  const children: StoryroomProcess[] = [];
  const spawnWorker = async () => {
    const child = startStoryroomProcess('worker', { ...process.env, ...h.env, ...BESIDE_THE_SUITE, LOG_LEVEL: 'info' });
    children.push(child);
    await child.waitForLine(/worker started/);
    return child;
  };

  beforeAll(async () => {
    h = await startStoryroom('render-kill', {
      worker: false,
      env: { PANEL_PROMPTS: 'on', WORKER_LOCK_MS: '1500' },
      comfyui: { stepDelayMs: 2 },
    });
    h.model.setResponder(answer);
  });
  afterAll(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop('SIGKILL')));
    await h?.close();
  });

  it('the next worker follows the prompt ComfyUI already has: one submission per panel, both panels drawn', async () => {
    const comfy = h.comfy;
    if (!comfy) throw new Error('no loopback ComfyUI');
    const first = await spawnWorker();
    const room = new WritersRoom(h);
    await room.setupStory('Killed');
    const threadId = await room.openChapter('Mid-render');
    const writer = room.newMember('writer');
    await room.join(threadId, writer);
    comfy.stepDelayMs = 150;
    await approvePage(h, room, threadId, writer);
    await comfy.waitFor((state) => state.runningPromptId !== null && state.step >= 2, 30_000);
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    comfy.stepDelayMs = 2;

    await spawnWorker();
    await waitForPanels(
      h,
      threadId,
      'both panels drawn after the kill',
      (m) => m.content.includes('2 of 2 panels rendered') && m.attachments.length === 2,
    );
    const renders = await h.database.db.selectFrom('panel_renders').select(['comfy_prompt_id', 'status']).orderBy('panel_number').execute();
    expect(renders.map((r) => r.status)).toEqual(['done', 'done']);
    expect(comfy.submissions.map((s) => s.promptId).sort()).toEqual(renders.map((r) => r.comfy_prompt_id).sort());
  });
});
