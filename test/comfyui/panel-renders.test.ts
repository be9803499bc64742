import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngSize } from '../../loopback/comfyui/png.js';
import { ComfyServer } from '../../loopback/comfyui/server.js';
import { createTestDatabase, type TestDatabase } from '../../loopback/local-database.js';
import { seedChapter, seedPage, seedRevision, seedStory } from '../../loopback/seed.js';
import {
  insertPanelRender,
  listLatestPanelRenders,
  listPanelRendersOfPage,
  markRenderDone,
  markRenderFailed,
  markRenderSubmitted,
  findPanelRender,
  countRendersInProgressInGuild,
} from '../../src/db/panel-renders.js';
import { applyWorkflowMapping, builtInPanelWorkflow, hashWorkflow } from '../../src/domain/comfyui-mapping.js';
import { ComfyClient } from '../../src/comfyui/comfyui-client.js';
import { hashImage, postgresImageStore } from '../../src/db/image-store.js';
import { renderPanel } from '../../src/comfyui/draw-panel.js';
import { listApprovedPanelImages } from '../../src/db/reader.js';

describe('rendered panels in Postgres', () => {
  let database: TestDatabase;
  let pageId: number;
  const panelPromptIds: number[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('panel_renders');
    const { db } = database;
    const storyId = await seedStory(db, {
      guildId: '100000000000000001',
      channelId: '100000000000000002',
      title: 'Mark',
      createdBy: '100000000000000003',
    });
    const chapterId = await seedChapter(db, {
      storyId,
      number: 1,
      title: 'One',
      threadId: '100000000000000004',
      createdBy: '100000000000000003',
    });
    pageId = await seedPage(db, { chapterId, number: 1, input: 'The Mark glows', state: 'page_approved', createdBy: '100000000000000003' });
    const page = { id: pageId };
    const revision = { id: await seedRevision(db, { pageId, kind: 'dialogue', body: 'Lines' }) };
    await db.updateTable('story_pages').set({ approved_dialogue_id: revision.id }).where('id', '=', page.id).execute();
    for (const panel of [1, 2]) {
      const row = await db
        .insertInto('panel_prompts')
        .values({
          page_id: page.id,
          revision_id: revision.id,
          panel_number: panel,
          scene: 'cliff',
          camera: 'wide',
          mood: 'tense',
          prompt: `panel ${panel}: Kai on the cliff`,
          negative_prompt: 'blurry',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      panelPromptIds.push(row.id);
    }
  });
  afterAll(async () => {
    await database.drop();
  });

  const newRender = (panel: 1 | 2, seed: number) =>
    insertPanelRender(database.db, {
      pageId,
      panelPromptId: panelPromptIds[panel - 1] ?? 0,
      panelNumber: panel,
      seed,
      prompt: `panel ${panel}: Kai on the cliff`,
      negativePrompt: 'blurry',
      width: 80,
      height: 120,
      workflowHash: 'abc',
      comfyPromptId: randomUUID(),
      requestedBy: null,
    });

  it('keeps image bytes once, addressed by their hash', async () => {
    const store = postgresImageStore(database.db);
    const bytes = Buffer.from('not really a png');
    const hash = await store.put({ bytes, contentType: 'image/png', width: 1, height: 1 });
    expect(hash).toBe(hashImage(bytes));
    expect(await store.put({ bytes, contentType: 'image/png', width: 1, height: 1 })).toBe(hash);
    expect((await store.get(hash))?.bytes.equals(bytes)).toBe(true);
    expect(await store.get('0'.repeat(64))).toBeNull();
    expect(await store.get("'; drop table images; --")).toBeNull();
  });

  it('numbers the renders of each panel, keeps the earlier ones, and lists the latest per panel', async () => {
    const first = await newRender(1, 11);
    const second = await newRender(1, 12);
    const other = await newRender(2, 21);
    expect([first.render_number, second.render_number, other.render_number]).toEqual([1, 2, 1]);
    const latest = await listLatestPanelRenders(database.db, pageId);
    expect(latest.map((r) => [r.panel_number, r.render_number, r.seed])).toEqual([
      [1, 2, 12],
      [2, 1, 21],
    ]);
    expect((await listPanelRendersOfPage(database.db, pageId)).length).toBeGreaterThanOrEqual(3);
    expect(await countRendersInProgressInGuild(database.db, '100000000000000001')).toBeGreaterThanOrEqual(3);
  });

  it('a render drawn by ComfyUI is stored with what made it; its prompt id was stored before it was sent', async () => {
    const comfy = await ComfyServer.start();
    const client = new ComfyClient(comfy.baseUrl, { pollMs: 50 });
    try {
      const render = await newRender(2, 77);
      expect(render.status).toBe('queued');
      const { workflow, mapping } = builtInPanelWorkflow('sd_xl_base_1.0.safetensors');
      const graph = applyWorkflowMapping(workflow, mapping, {
        positive: render.prompt,
        negative: render.negative_prompt,
        seed: render.seed,
        width: render.width,
        height: render.height,
      });
      await markRenderSubmitted(database.db, render.id);
      const result = await renderPanel({
        client,
        promptId: render.comfy_prompt_id,
        workflow: graph,
        alreadySubmitted: false,
        timeoutMs: 10_000,
      });
      if (result.kind !== 'done') throw new Error(`expected a finished render, got ${result.kind}`);
      const store = postgresImageStore(database.db);
      const hash = await store.put({ bytes: result.image, contentType: 'image/png', width: render.width, height: render.height });
      await markRenderDone(database.db, render.id, hash);

      const stored = await findPanelRender(database.db, render.id);
      expect(stored).toMatchObject({
        status: 'done',
        image_hash: hash,
        seed: 77,
        comfy_prompt_id: comfy.submissions[0]?.promptId,
        workflow_hash: 'abc',
      });
      expect(stored?.submitted_at).toBeInstanceOf(Date);
      expect(readPngSize((await store.get(hash))?.bytes ?? Buffer.alloc(0))).toEqual({ width: 80, height: 120 });
      expect(hashWorkflow(workflow)).toMatch(/^[0-9a-f]{16}$/);

      await markRenderFailed(database.db, render.id, 'late failure', 'error');
      expect((await findPanelRender(database.db, render.id))?.status).toBe('done');
    } finally {
      client.close();
      await comfy.close();
    }
  });

  it('the reader shows the approved render of a panel, even when a newer one finished', async () => {
    const store = postgresImageStore(database.db);
    const hashes: string[] = [];
    for (const seed of [301, 302]) {
      const render = await newRender(1, seed);
      const hash = await store.put({ bytes: Buffer.from(`image ${seed}`), contentType: 'image/png', width: 1, height: 1 });
      await markRenderDone(database.db, render.id, hash);
      hashes.push(hash);
      if (seed === 301) await database.db.updateTable('panel_renders').set({ approved: true }).where('id', '=', render.id).execute();
    }
    const [panel1] = await listApprovedPanelImages(database.db, [pageId]);
    expect(panel1?.hash).toBe(hashes[0]);
  });
});
