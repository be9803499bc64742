import { describe, expect, it } from 'vitest';
import { canRetryRender } from '../../src/domain/panel-set.js';
import { RENDERING_OFF } from '../../src/services/panel-renders.js';
import { everyRenderFailureText } from '../../src/services/render-failures.js';
import { renderPanelsMessage, summarisePanels, type PanelView } from '../../src/views/panels-message.js';

// Every text co-writers read about a failed or impossible render, walked kind by kind: plain words,
// none of the operator's vocabulary (that is in the log), and who can act and what then works.

const JARGON = ['comfyui', 'saveimage', 'node', 'checkpoint', '.safetensors', '/', 'workflow'];
const jargonIn = (text: string) => JARGON.filter((word) => text.toLowerCase().includes(word));

/** A panel waiting on an image server that cannot be reached, as the panels message shows it. */
const waiting: PanelView = {
  panelId: 1,
  panelNumber: 1,
  prompt: 'a lighthouse at dusk',
  render: { renderNumber: 2, seed: 7, status: 'queued', failure: null, retryable: false, unreachableAttempt: 2, references: '' },
  image: { renderNumber: 1, attachment: 'page-1-panel-1-render-1.png', imagePath: null },
};

describe('what co-writers read about a failed render', () => {
  const texts = everyRenderFailureText();

  it('covers every failure kind a render is stored with', () => {
    expect(new Set(texts.map((t) => t.kind))).toEqual(
      new Set(['unreachable', 'refused', 'error', 'interrupted', 'timeout', 'lost', 'no_image', 'off']),
    );
  });

  it.each(texts)('$kind: "$text" has no operator jargon', ({ text }) => {
    expect(jargonIn(text)).toEqual([]);
  });

  it.each(texts)('$kind: "$text" says who can act or what draws the panel again', ({ kind, text }) => {
    // Retry is offered for every kind another try can help; the others name Reroll, once it is fixed.
    if (canRetryRender(kind)) expect(text).toMatch(/Retry/);
    else expect(text).toMatch(/ask whoever runs the bot.*Reroll works once it is (fixed|on)/);
    if (!/Retry draws it again$/.test(text)) expect(text).toContain('ask whoever runs the bot');
  });

  it('the outage line, the waiting footer and the refusal when rendering is off are plain too', () => {
    const line = summarisePanels([waiting]);
    expect(line).toBe('0 of 1 panel rendered · The image server cannot be reached; trying again (attempt 2 of 5) · panel 1 waiting');
    const footer = renderPanelsMessage({ id: 1, number: 1 }, [waiting], line).embeds[0]?.footer?.text ?? '';
    expect(footer).toContain('waiting to be drawn again: the image server cannot be reached');
    for (const text of [line, footer.replace(/render \d+ · seed \d+ · /, ''), RENDERING_OFF]) expect(jargonIn(text)).toEqual([]);
    expect(RENDERING_OFF).toContain('ask whoever runs the bot');
  });
});
