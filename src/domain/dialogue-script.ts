import { z } from 'zod';

// The dialogue agent's structured output. Strict-schema friendly: every property required, absent = null.
export const dialogueScriptSchema = z.object({
  panels: z
    .array(
      z.object({
        panel: z.number().int().min(1),
        caption: z.string().nullable(),
        lines: z.array(z.object({ speaker: z.string().min(1).max(80), line: z.string().min(1).max(600) })),
      }),
    )
    .min(1)
    .max(12),
});

export type DialogueScript = z.infer<typeof dialogueScriptSchema>;
export type DialoguePanel = DialogueScript['panels'][number];

/** Script text as a Discord message shows it well: a heading per panel, captions in italics, bold speakers. */
export function renderDialogueScript(script: DialogueScript): string {
  return script.panels
    .map((panel) => {
      const lines = [`**Panel ${panel.panel}**`];
      if (panel.caption) lines.push(`*${escapeMarkdown(panel.caption)}*`);
      for (const line of panel.lines) lines.push(`**${escapeMarkdown(line.speaker)}:** ${escapeMarkdown(line.line)}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

/** Model text must not open or close formatting it did not mean to. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_`~|>])/g, '\\$1').replace(/\n+/g, ' ');
}
