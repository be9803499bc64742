import type { DiscordEmulator, StoredMessage } from '../loopback/discord/emulator.js';
import { buttonsOf } from '../loopback/writers-room.js';
import type { Db } from '../src/db/connection.js';
import { panelFileName } from '../src/views/panels-message.js';
import type { InvariantResult } from './invariants.js';
import type { SoakRoom } from './rooms.js';

// The soak's promises about panel renders: each ends, in time; the per-server cap holds; the panels
// message says what Postgres holds; and the web reader serves no image of a story not published.

export interface RenderLimits {
  /** RENDER_TIMEOUT_SECONDS, in ms. */
  timeoutMs: number;
  /** How far past its timeout a render may end (the sweeper's margin, a sweep, a dead worker's takeover). */
  marginMs: number;
  /** MAX_RENDERS_PER_GUILD. */
  maxPerGuild: number;
}

const IN_PROGRESS = ['queued', 'submitted'] as const;

/**
 * Samples, per server, the renders waiting or running that co-writers asked for (Reroll, Change prompt,
 * Retry). The renders of a newly approved page are never refused but count, so a co-writer's request
 * is accepted only while the server's total is under the cap: those requested never pass it.
 */
export class RenderCapWatch {
  samples = 0;
  readonly violations: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;

  constructor(
    private readonly db: Db,
    private readonly maxPerGuild: number,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const rows = await this.db
        .selectFrom('panel_renders as r')
        .innerJoin('story_pages as p', 'p.id', 'r.page_id')
        .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
        .innerJoin('stories as s', 's.id', 'c.story_id')
        .select(['s.guild_id', (eb) => eb.fn.countAll<string>().as('total'), (eb) => eb.fn.count<string>('r.requested_by').as('requested')])
        .where('r.status', 'in', IN_PROGRESS)
        .groupBy('s.guild_id')
        .execute();
      this.samples += 1;
      for (const row of rows) {
        if (Number(row.requested) > this.maxPerGuild) {
          this.violations.push(
            `server ${row.guild_id} at ${new Date().toISOString().slice(11, 23)}: ${row.requested} renders asked for by co-writers in progress (${row.total} in all), cap ${this.maxPerGuild}`,
          );
        }
      }
    } catch {
      // A Postgres fault ends some samples; the next one reads again.
    } finally {
      this.sampling = false;
    }
  }
}

/** Every render ended (done or failed), each within its timeout plus the margin after it was sent to ComfyUI. */
export async function checkRenderEndings(db: Db, limits: RenderLimits): Promise<InvariantResult[]> {
  const renders = await db
    .selectFrom('panel_renders')
    .select(['id', 'page_id', 'panel_number', 'render_number', 'status', 'failure_kind', 'created_at', 'submitted_at', 'finished_at'])
    .orderBy('id')
    .execute();
  const where = (r: (typeof renders)[number]) => `render ${r.id} (page ${r.page_id}, panel ${r.panel_number}, render ${r.render_number})`;
  const unfinished = renders
    .filter((r) => r.status === 'queued' || r.status === 'submitted')
    .map((r) => `${where(r)}: still ${r.status}, asked for at ${r.created_at.toISOString().slice(11, 23)}`);
  const allowedMs = limits.timeoutMs + limits.marginMs;
  const late = renders
    .filter((r) => r.submitted_at && r.finished_at && r.finished_at.getTime() - r.submitted_at.getTime() > allowedMs)
    .map(
      (r) =>
        `${where(r)}: ${r.status}${r.failure_kind ? ` (${r.failure_kind})` : ''} ${Math.round(((r.finished_at?.getTime() ?? 0) - (r.submitted_at?.getTime() ?? 0)) / 1000)} s after it was sent`,
    );
  const ended = renders.filter((r) => r.finished_at !== null);
  return [
    { name: 'every render done or failed, none left waiting or rendering', checked: renders.length, violations: unfinished },
    {
      name: `every render ended within its timeout plus ${limits.marginMs / 1000} s of being sent (${allowedMs / 1000} s)`,
      checked: ended.length,
      violations: late,
    },
  ];
}

/** "renders: 60 done, 13 failed (4 unreachable, 3 timeout, 6 error), 25 asked for by co-writers": what the faults did. */
export async function describeRenders(db: Db): Promise<string> {
  const rows = await db.selectFrom('panel_renders').select(['status', 'failure_kind', 'requested_by']).execute();
  const count = (items: readonly (string | null)[]) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(item ?? '?', (counts.get(item ?? '?') ?? 0) + 1);
    return [...counts.entries()].map(([name, n]) => `${n} ${name}`).join(', ');
  };
  const failed = rows.filter((r) => r.status === 'failed');
  return `renders: ${count(rows.map((r) => r.status))}${failed.length > 0 ? ` (failed: ${count(failed.map((r) => r.failure_kind))})` : ''}, ${rows.filter((r) => r.requested_by !== null).length} asked for by co-writers`;
}

const footerOf = (embed: unknown) => (embed as { footer?: { text?: string } }).footer?.text ?? '';
const STATUS_WORDS = { queued: 'waiting', submitted: 'rendering', done: 'done', failed: 'failed' } as const;

/**
 * Each page's one panels message shows what Postgres holds: its approved dialogue's panels in order,
 * each with its newest render (number, seed, status) and that render's image attached when done, how
 * many are drawn, and no buttons once the set is approved.
 */
export async function checkPanelsMessages(db: Db, discord: DiscordEmulator): Promise<InvariantResult> {
  const pages = await db
    .selectFrom('story_pages as p')
    .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
    .innerJoin('panel_prompts as pp', 'pp.revision_id', 'p.approved_dialogue_id')
    .select(['p.id', 'p.number', 'p.approved_dialogue_id', 'c.thread_id'])
    .distinct()
    .execute();
  const violations: string[] = [];
  for (const page of pages) {
    const place = `page ${page.id} (#${page.number})`;
    const thread = page.thread_id ? discord.messages(page.thread_id) : [];
    const shown = thread.filter((m) => m.content.startsWith(`**Page ${page.number} · Panels**`));
    if (shown.length !== 1) {
      violations.push(`${place}: ${shown.length} panels messages`);
      continue;
    }
    const message = shown[0] as StoredMessage;
    const prompts = await db
      .selectFrom('panel_prompts')
      .select(['id', 'panel_number'])
      .where('revision_id', '=', page.approved_dialogue_id ?? 0)
      .orderBy('panel_number')
      .limit(10)
      .execute();
    const latest = await db
      .selectFrom('panel_renders')
      .select(['panel_prompt_id', 'render_number', 'seed', 'status', 'approved'])
      .distinctOn('panel_prompt_id')
      .where(
        'panel_prompt_id',
        'in',
        prompts.map((p) => p.id),
      )
      .orderBy('panel_prompt_id')
      .orderBy('id', 'desc')
      .execute();
    // The set approved is this dialogue's (a restored page's earlier set stays approved in its renders).
    const approved = latest.length > 0 && latest.every((r) => r.approved);
    const renderOf = new Map(latest.map((r) => [r.panel_prompt_id, r]));
    const embeds = message.embeds as unknown[];
    const attached = new Set(message.attachments.map((a) => a.filename));
    if (embeds.length !== prompts.length) violations.push(`${place}: ${embeds.length} panels shown, Postgres has ${prompts.length}`);
    prompts.forEach((prompt, index) => {
      const render = renderOf.get(prompt.id);
      const footer = footerOf(embeds[index]);
      const expected = render
        ? `render ${render.render_number} · seed ${Number(render.seed)} · ${STATUS_WORDS[render.status]}`
        : 'not rendered';
      if (!footer.startsWith(expected))
        violations.push(`${place} panel ${prompt.panel_number}: shows "${footer.slice(0, 80)}", Postgres "${expected}"`);
      const file = render ? panelFileName(page.number, prompt.panel_number, render.render_number) : null;
      if (render?.status === 'done' && file && !attached.has(file))
        violations.push(`${place} panel ${prompt.panel_number}: ${file} not attached`);
    });
    const done = latest.filter((r) => r.status === 'done').length;
    if (!message.content.includes(`${done} of ${prompts.length} panel${prompts.length === 1 ? '' : 's'} rendered`)) {
      violations.push(
        `${place}: says "${message.content.split('\n')[1]?.slice(0, 100) ?? ''}", Postgres has ${done} of ${prompts.length} drawn`,
      );
    }
    const buttons = buttonsOf(message).length;
    if (approved && buttons > 0) violations.push(`${place}: set approved, message still has ${buttons} buttons`);
    if (!approved && prompts.length > 0 && buttons === 0) violations.push(`${place}: set not approved, message has no buttons`);
  }
  return {
    name: 'every panels message shows what Postgres holds (newest renders, images, count, approval)',
    checked: pages.length,
    violations,
  };
}

/**
 * No image of a story that is not published now is served by the web reader: not by its hash, not
 * under any address the story once had, not under another story's address. As a control, the images a
 * published story's chapter pages link answer 200 (else the 404s would prove nothing).
 */
export async function checkUnpublishedImages(db: Db, webUrl: string, rooms: readonly SoakRoom[]): Promise<InvariantResult> {
  const stories = await db.selectFrom('stories').select(['id', 'guild_id', 'public_token']).execute();
  const addressesOf = (guildId: string) => rooms.find((r) => r.guildId === guildId)?.addresses ?? [];
  const published = stories
    .filter((s) => s.public_token !== null)
    .map((s) => addressesOf(s.guild_id).at(-1))
    .filter((a) => a !== undefined);
  const violations: string[] = [];
  let checked = 0;
  const served = async (url: string) => {
    checked += 1;
    return (await fetch(url)).status;
  };
  for (const story of stories.filter((s) => s.public_token === null)) {
    const hashes = await db
      .selectFrom('panel_renders as r')
      .innerJoin('story_pages as p', 'p.id', 'r.page_id')
      .innerJoin('chapters as c', 'c.id', 'p.chapter_id')
      .select('r.image_hash')
      .distinct()
      .where('c.story_id', '=', story.id)
      .where('r.image_hash', 'is not', null)
      .execute();
    const places = [webUrl, ...addressesOf(story.guild_id), ...published];
    for (const { image_hash: hash } of hashes) {
      for (const place of places) {
        const status = await served(`${place}/images/${hash ?? ''}.png`);
        if (status !== 404)
          violations.push(`story ${story.id} (not published): ${place}/images/${hash?.slice(0, 12) ?? ''}….png answered ${status}`);
      }
    }
  }
  for (const address of published) {
    const page = await fetch(`${address}/chapters/1`);
    if (page.status !== 200) continue;
    for (const [, src] of (await page.text()).matchAll(/<img src="([^"]+)"/g)) {
      const status = await served(new URL(src ?? '', address).toString());
      if (status !== 200) violations.push(`published ${address}: its page links ${src ?? ''}, which answered ${status}`);
    }
  }
  return { name: 'no image of an unpublished story served by the web reader (and a published one’s are)', checked, violations };
}
