// The picture size of a story's panels: a shape and a size chosen in /settings, turned into pixels.
// The standard sizes are SDXL's trained resolutions (about a megapixel, multiples of 64); small ones
// have about half the pixels, for quicker renders on a modest GPU. Pure.

export const PANEL_SHAPES = ['portrait', 'square', 'landscape', 'tall', 'wide'] as const;
export type PanelShape = (typeof PANEL_SHAPES)[number];

export const PANEL_SIZES = ['standard', 'small'] as const;
export type PanelSizeName = (typeof PANEL_SIZES)[number];

export interface PanelPixels {
  width: number;
  height: number;
}

const PIXELS: Record<PanelSizeName, Record<PanelShape, PanelPixels>> = {
  standard: {
    portrait: { width: 832, height: 1216 },
    square: { width: 1024, height: 1024 },
    landscape: { width: 1216, height: 832 },
    tall: { width: 768, height: 1344 },
    wide: { width: 1344, height: 768 },
  },
  small: {
    portrait: { width: 576, height: 832 },
    square: { width: 704, height: 704 },
    landscape: { width: 832, height: 576 },
    tall: { width: 512, height: 896 },
    wide: { width: 896, height: 512 },
  },
};

/** How a shape is named to co-writers, with its proportion. */
export const PANEL_SHAPE_LABELS: Record<PanelShape, string> = {
  portrait: 'portrait (2:3)',
  square: 'square (1:1)',
  landscape: 'landscape (3:2)',
  tall: 'tall (9:16)',
  wide: 'wide (16:9)',
};

export function panelPixels(shape: PanelShape, size: PanelSizeName): PanelPixels {
  return PIXELS[size][shape];
}

export function isPanelShape(value: string): value is PanelShape {
  return (PANEL_SHAPES as readonly string[]).includes(value);
}

export function isPanelSize(value: string): value is PanelSizeName {
  return (PANEL_SIZES as readonly string[]).includes(value);
}

/** "portrait (2:3), 832×1216" */
export function describePanelSize(shape: PanelShape, size: PanelSizeName): string {
  const { width, height } = panelPixels(shape, size);
  return `${PANEL_SHAPE_LABELS[shape]}, ${size}: ${width}×${height}`;
}
