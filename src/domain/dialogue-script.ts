import * as z from 'zod';
import { escapeDiscordMarkdown } from './markdown-escape.js';
import { oneLine } from './plain-text.js';

// The dialogue agent's structured output. Strict-output friendly: every property required (absent =
// null), and only keywords strict JSON-schema modes accept. Text lengths are checked after parsing
// (refinements stay out of the JSON schema), since providers' strict modes reject minLength/maxLength.

export const DIALOGUE_LIMITS = { panels: 12, speaker: 80, line: 600, caption: 600 } as const;

const text = (max: number) =>
  z.string().refine((value) => value.trim().length > 0 && value.length <= max, { message: `between 1 and ${max} characters` });

export const dialogueScriptSchema = z.object({
  panels: z
    .array(
      z.object({
        panel: z.number().int().min(1),
        caption: z
          .string()
          .refine((value) => value.length <= DIALOGUE_LIMITS.caption, { message: `at most ${DIALOGUE_LIMITS.caption} characters` })
          .nullable(),
        lines: z.array(z.object({ speaker: text(DIALOGUE_LIMITS.speaker), line: text(DIALOGUE_LIMITS.line) })),
      }),
    )
    .min(1)
    .max(DIALOGUE_LIMITS.panels),
});

export type DialogueScript = z.infer<typeof dialogueScriptSchema>;
export type DialoguePanel = DialogueScript['panels'][number];

/** Script text as a Discord message shows it well: a heading per panel, captions in italics, bold speakers. */
export function renderDialogueScript(script: DialogueScript): string {
  return script.panels
    .map((panel) => {
      const lines = [`**Panel ${panel.panel}**`];
      if (panel.caption?.trim()) lines.push(`*${escapeDiscordMarkdown(oneLine(panel.caption), LINKS)}*`);
      for (const line of panel.lines)
        lines.push(`**${escapeDiscordMarkdown(oneLine(line.speaker), LINKS)}:** ${escapeDiscordMarkdown(oneLine(line.line), LINKS)}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

// Model text must not break the one-line layout (oneLine) nor open or close formatting (the escape),
// nor show as a link (Discord draws masked links in embeds).
const LINKS = { maskedLinks: true } as const;

/**
 * The script as a person types it in a form: `Panel N` starts a panel, a line in *asterisks* is its
 * caption, and `SPEAKER: line` is a line of dialogue. parseScriptText reads it back.
 */
export function formatScriptForEditing(script: DialogueScript): string {
  return script.panels
    .map((panel, index) => {
      const lines = [`Panel ${index + 1}`];
      if (panel.caption?.trim()) lines.push(`*${panel.caption.trim()}*`);
      for (const line of panel.lines) lines.push(`${line.speaker.trim()}: ${line.line.trim()}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

export type ParsedScriptText = { ok: true; script: DialogueScript } | { ok: false; line: number; problem: string };

const EXPECTED = 'expected "Panel N", a caption in *asterisks*, or "SPEAKER: line"';

/** Reads an edited script back into the structured form, or says on which line and what was expected. */
export function parseScriptText(text: string): ParsedScriptText {
  const panels: DialoguePanel[] = [];
  const rows = text.replace(/\r\n?/g, '\n').split('\n');
  for (const [index, raw] of rows.entries()) {
    const line = raw.trim();
    const at = index + 1;
    if (line === '') continue;
    if (/^panel\s{0,8}\d{1,3}\s{0,8}:?$/i.test(line)) {
      if (panels.length === DIALOGUE_LIMITS.panels)
        return { ok: false, line: at, problem: `a page has at most ${DIALOGUE_LIMITS.panels} panels` };
      panels.push({ panel: panels.length + 1, caption: null, lines: [] });
      continue;
    }
    const panel = panels.at(-1);
    if (!panel) return { ok: false, line: at, problem: 'expected "Panel 1" before the first caption or line' };
    if (line.length >= 2 && line.startsWith('*') && line.endsWith('*')) {
      if (panel.caption !== null) return { ok: false, line: at, problem: `panel ${panel.panel} already has a caption; ${EXPECTED}` };
      const caption = line
        .replace(/^\*{1,2}/, '')
        .replace(/\*{1,2}$/, '')
        .trim();
      if (caption === '') return { ok: false, line: at, problem: 'the caption is empty' };
      if (caption.length > DIALOGUE_LIMITS.caption)
        return { ok: false, line: at, problem: `a caption is 1 to ${DIALOGUE_LIMITS.caption} characters` };
      panel.caption = caption;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, line: at, problem: EXPECTED };
    const speaker = line.slice(0, colon).trim();
    const spoken = line.slice(colon + 1).trim();
    if (speaker === '' || speaker.length > DIALOGUE_LIMITS.speaker)
      return { ok: false, line: at, problem: `a speaker's name is 1 to ${DIALOGUE_LIMITS.speaker} characters` };
    if (spoken === '' || spoken.length > DIALOGUE_LIMITS.line)
      return { ok: false, line: at, problem: `a line is 1 to ${DIALOGUE_LIMITS.line} characters` };
    panel.lines.push({ speaker, line: spoken });
  }
  if (panels.length === 0) return { ok: false, line: 1, problem: 'expected at least one "Panel 1"' };
  const empty = panels.find((panel) => panel.lines.length === 0 && panel.caption === null);
  if (empty) return { ok: false, line: rows.length, problem: `panel ${empty.panel} has neither a caption nor a line` };
  return { ok: true, script: { panels } };
}
