import * as z from 'zod';

// The panels agent's structured output: per panel what an image model needs. Strict-output friendly.

export const PANEL_LIMITS = { panels: 12, text: 1_500 } as const;

export const panelPromptsSchema = z.object({
  panels: z
    .array(
      z.object({
        panel: z.number().int().min(1),
        scene: z.string(),
        characters: z.array(z.string()),
        camera: z.string(),
        mood: z.string(),
        image_prompt: z.string(),
        negative_prompt: z.string(),
      }),
    )
    .min(1)
    .max(PANEL_LIMITS.panels),
});
export type PanelPrompts = z.infer<typeof panelPromptsSchema>;

/** What an image model needs for one panel: what the panels agent writes and the export carries. */
export interface PanelDescription {
  scene: string;
  characters: string[];
  camera: string;
  mood: string;
  prompt: string;
  negativePrompt: string;
}

export interface PanelPromptRow extends PanelDescription {
  panelNumber: number;
}

const clip = (text: string) => {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > PANEL_LIMITS.text ? clean.slice(0, PANEL_LIMITS.text) : clean;
};

/**
 * Rows to store, numbered 1..n in the order given (models repeat or skip numbers), with text tidied.
 * Null when a panel lacks the image prompt: an empty prompt would draw nothing useful.
 */
export function toPanelRows(prompts: PanelPrompts): PanelPromptRow[] | null {
  const rows = prompts.panels.map((panel, index) => ({
    panelNumber: index + 1,
    scene: clip(panel.scene),
    characters: [...new Set(panel.characters.map(clip).filter(Boolean))].slice(0, 12),
    camera: clip(panel.camera),
    mood: clip(panel.mood),
    prompt: clip(panel.image_prompt),
    negativePrompt: clip(panel.negative_prompt),
  }));
  return rows.every((row) => row.prompt.length > 0) ? rows : null;
}
