import { z } from 'zod';

// The dialogue agent's structured output. Strict-output friendly: every property required (absent =
// null), and only keywords strict JSON-schema modes accept. Text lengths are checked after parsing
// (refinements stay out of the JSON schema), since providers' strict modes reject minLength/maxLength.

export const DIALOGUE_LIMITS = { panels: 12, speaker: 80, line: 600 } as const;

const text = (max: number) => z.string().refine((value) => value.trim().length > 0 && value.length <= max, { message: `between 1 and ${max} characters` });

export const dialogueScriptSchema = z.object({
  panels: z
    .array(
      z.object({
        panel: z.number().int().min(1),
        caption: z.string().nullable(),
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
      if (panel.caption?.trim()) lines.push(`*${escapeMarkdown(panel.caption)}*`);
      for (const line of panel.lines) lines.push(`**${escapeMarkdown(line.speaker)}:** ${escapeMarkdown(line.line)}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

/** Model text must not open or close formatting it did not mean to, nor break the one-line layout. */
function escapeMarkdown(value: string): string {
  return value
    .trim()
    .replace(/([\\*_`~|>[\]])/g, '\\$1')
    .replace(/\s*\n\s*/g, ' ');
}
