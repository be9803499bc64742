import { ButtonStyle, type APIEmbed } from 'discord-api-types/v10';
import { describePanelSetVote, type PanelSetState } from '../domain/panel-set.js';
import { encodeCustomId } from './custom-id.js';
import { button, buttonRow, type Button } from './buttons.js';
import { fitText, NO_MENTIONS, type MessageBody } from './message-parts.js';

// The "Page N · Panels" message: one embed per panel with its latest render as the embed's image.
// Discord takes at most 10 embeds and 10 attachments per message, so a page shows at most 10 panels.
export const MAX_PANELS_SHOWN = 10;

export interface PanelView {
  /** The panel_prompts row: what Reroll names. */
  panelId: number;
  panelNumber: number;
  prompt: string;
  /** The panel's newest render. */
  render: {
    renderNumber: number;
    seed: number;
    status: 'queued' | 'submitted' | 'done' | 'failed';
    failure: string | null;
    /** A failed render another try can help (not a workflow ComfyUI refused). */
    retryable: boolean;
    /** The attempt of its job on which ComfyUI could not be reached, while it is not drawn. */
    unreachableAttempt: number | null;
    /** The reference images it is drawn with, in words ("Kai and Mira"); '' for none. */
    references: string;
  } | null;
  /**
   * The image shown: the newest render's once it is done, or, while the panel is drawn again, the
   * newest finished render's (the footer says which). Null when there is none to show.
   */
  image: {
    renderNumber: number;
    /** The attachment's file name when the image is sent with the message. */
    attachment: string | null;
    /** Set when the image is too large to attach: where the HTTP API serves it. */
    imagePath: string | null;
  } | null;
}

/** What the render of a panel is doing now, from ComfyUI's progress messages (only the worker drawing it knows). */
export interface LiveProgress {
  panelNumber: number;
  step: { value: number; max: number } | null;
  ahead: number;
}

/** The job attempts a render has when ComfyUI cannot be reached (jobs.ts: render-panel). */
const RENDER_ATTEMPTS = 5;

/** What the status line reads of a panel (the Approve handler knows only that every panel is done). */
interface PanelState {
  panelNumber: number;
  render: { status: NonNullable<PanelView['render']>['status']; unreachableAttempt?: number | null } | null;
  image?: PanelView['image'];
}

const busy = (panel: PanelState) => panel.render?.status === 'queued' || panel.render?.status === 'submitted';
const redrawn = (panel: PanelState) => busy(panel) && (panel.image ?? null) !== null;

/** The attachment name of a panel's image: ASCII only, as Discord's `attachment://` links need. */
export function panelFileName(pageNumber: number, panelNumber: number, renderNumber: number): string {
  return `page-${pageNumber}-panel-${panelNumber}-render-${renderNumber}.png`;
}

/** " (step 14/25 · 1 render ahead)": ComfyUI's progress on the render being drawn. */
function describeStep(live: LiveProgress | null): string {
  if (!live) return '';
  const parts: string[] = [];
  if (live.step) parts.push(`step ${live.step.value}/${live.step.max}`);
  if (live.ahead > 0) parts.push(`${live.ahead} render${live.ahead === 1 ? '' : 's'} ahead`);
  return parts.length > 0 ? ` (${parts.join(' · ')})` : '';
}

/** "The image server cannot be reached; trying again (attempt 2 of 5)" while any render of the page waits on it. */
function describeOutage(panels: readonly PanelState[]): string | null {
  const attempt = Math.max(0, ...panels.filter(busy).map((panel) => panel.render?.unreachableAttempt ?? 0));
  return attempt > 0 ? `The image server cannot be reached; trying again (attempt ${attempt} of ${RENDER_ATTEMPTS})` : null;
}

/** The footer: the newest render's number, seed and state, and which render the image above is while it is drawn again. */
function panelFooter(panel: PanelView, live: LiveProgress | null): string {
  const render = panel.render;
  if (!render) return 'not rendered';
  const again = redrawn(panel) ? ' again' : '';
  const shown = redrawn(panel) ? ` · the image above is render ${panel.image?.renderNumber ?? 0}` : '';
  let state: string;
  if (render.status === 'failed') state = render.failure ? `failed: ${fitText(render.failure, 300)}` : 'failed';
  else if (render.status === 'done') state = 'done';
  else if (render.unreachableAttempt !== null) state = `waiting to be drawn${again}: the image server cannot be reached`;
  else if (render.status === 'queued') state = `waiting to be drawn${again}`;
  else state = `rendering, being drawn${again}${live?.panelNumber === panel.panelNumber ? describeStep(live) : ''}`;
  const drawnWith = render.references ? ` · references: ${render.references}` : '';
  return `render ${render.renderNumber} · seed ${render.seed} · ${state}${drawnWith}${shown}`;
}

function panelEmbed(panel: PanelView, live: LiveProgress | null): APIEmbed {
  const embed: APIEmbed = { title: `Panel ${panel.panelNumber}`, description: fitText(panel.prompt, 400) };
  embed.footer = { text: panelFooter(panel, live) };
  if (panel.image?.attachment) embed.image = { url: `attachment://${panel.image.attachment}` };
  else if (panel.image?.imagePath) embed.description = `${embed.description ?? ''}\nToo large to attach: ${panel.image.imagePath}`;
  return embed;
}

/** Buttons in rows of five: Discord's limit per row. */
function rowsOf(buttons: readonly Button[]): MessageBody['components'] {
  const rows: MessageBody['components'] = [];
  for (let i = 0; i < buttons.length; i += 5) rows.push(buttonRow(buttons.slice(i, i + 5)));
  return rows;
}

/**
 * Reroll and Change prompt per panel, each kind in rows of five: 10 panels fill four of Discord's five
 * rows, leaving the last for the set's Approve. An approved set is final: no buttons.
 */
function panelButtons(page: { id: number }, panels: readonly PanelView[], set: PanelSetState | null): MessageBody['components'] {
  if (set?.phase === 'approved') return [];
  const rendered = panels.filter((panel) => panel.render !== null);
  // Read with the footers: enabled only when every panel shows a finished image, whatever the vote's own read said.
  const complete = panels.every((panel) => panel.render?.status === 'done');
  const reroll = rendered.map((panel) =>
    button(encodeCustomId({ action: 'reroll', panelId: panel.panelId }), `Reroll ${panel.panelNumber}`, ButtonStyle.Secondary, busy(panel)),
  );
  const prompt = rendered.map((panel) =>
    button(
      encodeCustomId({ action: 'prompt', panelId: panel.panelId }),
      `Change prompt ${panel.panelNumber}`,
      ButtonStyle.Secondary,
      busy(panel),
    ),
  );
  const setRow: Button[] = [];
  if (set && rendered.length > 0) {
    setRow.push(
      button(
        encodeCustomId({ action: 'panelsok', pageId: page.id, setVersion: set.version }),
        'Approve panels',
        ButtonStyle.Success,
        set.phase !== 'open' || !complete,
      ),
    );
    if (rendered.some((panel) => panel.render?.status === 'done'))
      setRow.push(button(encodeCustomId({ action: 'useref', pageId: page.id }), 'Use as reference', ButtonStyle.Secondary));
    if (rendered.some((panel) => panel.render?.retryable)) {
      setRow.push(
        button(
          encodeCustomId({ action: 'panelsretry', pageId: page.id, setVersion: set.version }),
          'Retry failed panels',
          ButtonStyle.Primary,
        ),
      );
    }
  }
  return [...rowsOf(reroll), ...rowsOf(prompt), ...rowsOf(setRow)];
}

/** The message's text: its title and the status line. */
export function panelsHeading(page: { number: number }, status: string, extra = ''): string {
  return fitText(`**Page ${page.number} · Panels**\n${status}${extra}`, 2000);
}

/**
 * The panels message; `status` is the line under the title (progress, a notice, or "rendering is off").
 * The worker posts it, so its hint is plain text (only the bot reads the command ids mentions need).
 */
export function renderPanelsMessage(
  page: { id: number; number: number },
  panels: readonly PanelView[],
  status: string,
  set: PanelSetState | null = null,
  live: LiveProgress | null = null,
): MessageBody {
  const shown = panels.slice(0, MAX_PANELS_SHOWN);
  const more = panels.length > shown.length ? `\n(${panels.length - shown.length} more panels are in /chapter export)` : '';
  return {
    content: panelsHeading(page, status, more),
    embeds: shown.map((panel) => panelEmbed(panel, live)),
    components: panelButtons(page, shown, set),
    allowed_mentions: NO_MENTIONS,
  };
}

/**
 * The line under the title, read from the same panels as the footers: how many are drawn, which are
 * being drawn (again) or wait, which failed, and the set's vote; while ComfyUI cannot be reached, that.
 */
export function summarisePanels(panels: readonly PanelState[], set: PanelSetState | null = null, live: LiveProgress | null = null): string {
  const list = (numbers: number[]) => `panel${numbers.length === 1 ? '' : 's'} ${numbers.join(', ')}`;
  const numbersOf = (test: (panel: PanelState) => boolean) => panels.filter(test).map((panel) => panel.panelNumber);
  const done = numbersOf((panel) => panel.render?.status === 'done').length;
  const parts = [`${done} of ${panels.length} panel${panels.length === 1 ? '' : 's'} rendered`];
  const outage = describeOutage(panels);
  if (outage) parts.push(outage);
  // While ComfyUI cannot be reached nothing is being drawn: every unfinished panel waits.
  if (!outage) {
    for (const panel of panels.filter((p) => p.render?.status === 'submitted')) {
      const step = live?.panelNumber === panel.panelNumber ? describeStep(live) : '';
      parts.push(`panel ${panel.panelNumber} ${redrawn(panel) ? 'being drawn again' : 'rendering'}${step}`);
    }
  }
  const waiting = numbersOf((panel) => panel.render?.status === 'queued' || (outage !== null && panel.render?.status === 'submitted'));
  if (waiting.length > 0) parts.push(`${list(waiting)} waiting`);
  const failed = numbersOf((panel) => panel.render?.status === 'failed');
  if (failed.length > 0) parts.push(`${list(failed)} failed`);
  const vote = set ? describePanelSetVote(set) : null;
  if (vote && (set?.phase === 'approved' || done === panels.length)) parts.push(vote);
  return parts.join(' · ');
}

/** The thread's announcement of an approved set: the panels in order, final for the page. */
export function renderPanelsApproved(page: { number: number }, panels: readonly PanelView[]): MessageBody {
  const shown = panels.slice(0, MAX_PANELS_SHOWN);
  return {
    content: fitText(
      `**Page ${page.number} · panels approved**\nThe co-writers approved these ${panels.length} panel${panels.length === 1 ? '' : 's'}; they are final for the page.`,
      2000,
    ),
    embeds: shown.map((panel) => {
      const embed: APIEmbed = { title: `Panel ${panel.panelNumber}`, description: fitText(panel.prompt, 400) };
      if (panel.image?.attachment) embed.image = { url: `attachment://${panel.image.attachment}` };
      else if (panel.image?.imagePath) embed.description = `${embed.description ?? ''}\n${panel.image.imagePath}`;
      return embed;
    }),
    components: [],
    allowed_mentions: NO_MENTIONS,
  };
}
