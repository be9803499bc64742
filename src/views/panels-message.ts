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
  render: {
    renderNumber: number;
    seed: number;
    status: 'queued' | 'submitted' | 'done' | 'failed';
    failure: string | null;
    /** A failed render another try can help (not a workflow ComfyUI refused). */
    retryable: boolean;
    /** The attachment's file name when the image is sent with the message. */
    attachment: string | null;
    /** Set when the image is too large to attach: where the HTTP API serves it. */
    imagePath: string | null;
    /** The reference images it was drawn with, in words ("Kai and Mira"); '' for none. */
    references: string;
  } | null;
}

const STATUS_WORDS = { queued: 'waiting', submitted: 'rendering', done: 'done', failed: 'failed' } as const;

/** The attachment name of a panel's image: ASCII only, as Discord's `attachment://` links need. */
export function panelFileName(pageNumber: number, panelNumber: number, renderNumber: number): string {
  return `page-${pageNumber}-panel-${panelNumber}-render-${renderNumber}.png`;
}

/** "panel 2 of 3 · step 14/25 · 1 render ahead" */
export function describeRenderProgress(progress: {
  panel: number;
  of: number;
  step: { value: number; max: number } | null;
  ahead: number;
}): string {
  const parts = [`panel ${progress.panel} of ${progress.of}`];
  if (progress.step) parts.push(`step ${progress.step.value}/${progress.step.max}`);
  if (progress.ahead > 0) parts.push(`${progress.ahead} render${progress.ahead === 1 ? '' : 's'} ahead`);
  return parts.join(' · ');
}

function panelEmbed(panel: PanelView): APIEmbed {
  const embed: APIEmbed = { title: `Panel ${panel.panelNumber}`, description: fitText(panel.prompt, 400) };
  const render = panel.render;
  if (!render) return { ...embed, footer: { text: 'not rendered' } };
  const status = render.status === 'failed' && render.failure ? `failed: ${fitText(render.failure, 300)}` : STATUS_WORDS[render.status];
  const drawnWith = render.references ? ` · references: ${render.references}` : '';
  embed.footer = { text: fitText(`render ${render.renderNumber} · seed ${render.seed} · ${status}${drawnWith}`, 2048) };
  if (render.attachment) embed.image = { url: `attachment://${render.attachment}` };
  else if (render.imagePath) embed.description = `${embed.description ?? ''}\nToo large to attach: ${render.imagePath}`;
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
  const busy = (panel: PanelView) => panel.render?.status === 'queued' || panel.render?.status === 'submitted';
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
        set.phase !== 'open',
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
): MessageBody {
  const shown = panels.slice(0, MAX_PANELS_SHOWN);
  const more = panels.length > shown.length ? `\n(${panels.length - shown.length} more panels are in /chapter export)` : '';
  return {
    content: panelsHeading(page, status, more),
    embeds: shown.map(panelEmbed),
    components: panelButtons(page, shown, set),
    allowed_mentions: NO_MENTIONS,
  };
}

/** The status line once no render of the page is running: how many are drawn, what failed, and the set's vote. */
export function summarisePanels(
  panels: readonly { panelNumber: number; render: Pick<NonNullable<PanelView['render']>, 'status'> | null }[],
  set: PanelSetState | null = null,
): string {
  const done = panels.filter((panel) => panel.render?.status === 'done').length;
  const failed = panels.filter((panel) => panel.render?.status === 'failed').map((panel) => panel.panelNumber);
  const waiting = panels.length - done - failed.length;
  const parts = [`${done} of ${panels.length} panel${panels.length === 1 ? '' : 's'} rendered`];
  if (failed.length > 0) parts.push(`panel${failed.length === 1 ? '' : 's'} ${failed.join(', ')} failed`);
  if (waiting > 0) parts.push(`${waiting} waiting`);
  const vote = set ? describePanelSetVote(set) : null;
  if (vote) parts.push(vote);
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
      if (panel.render?.attachment) embed.image = { url: `attachment://${panel.render.attachment}` };
      else if (panel.render?.imagePath) embed.description = `${embed.description ?? ''}\n${panel.render.imagePath}`;
      return embed;
    }),
    components: [],
    allowed_mentions: NO_MENTIONS,
  };
}
