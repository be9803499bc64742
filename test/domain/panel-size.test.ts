import { describe, expect, it } from 'vitest';
import { describePanelSize, isPanelShape, isPanelSize, PANEL_SHAPES, PANEL_SIZES, panelPixels } from '../../src/domain/panel-size.js';

describe('panel sizes', () => {
  it('every shape and size is a multiple of 64 on both sides, in the shape’s proportion', () => {
    const proportion = { portrait: 2 / 3, square: 1, landscape: 3 / 2, tall: 9 / 16, wide: 16 / 9 } as const;
    for (const shape of PANEL_SHAPES) {
      for (const size of PANEL_SIZES) {
        const { width, height } = panelPixels(shape, size);
        expect(width % 64, `${shape} ${size} width`).toBe(0);
        expect(height % 64, `${shape} ${size} height`).toBe(0);
        // Within 10% of the named proportion (SDXL's buckets are not exact ratios).
        expect(Math.abs(width / height / proportion[shape] - 1), `${shape} ${size}`).toBeLessThan(0.1);
      }
    }
  });

  it('standard is about a megapixel, small about half of it', () => {
    for (const shape of PANEL_SHAPES) {
      const standard = panelPixels(shape, 'standard');
      const small = panelPixels(shape, 'small');
      expect(standard.width * standard.height).toBeGreaterThan(0.95 * 1024 * 1024);
      expect(standard.width * standard.height).toBeLessThan(1.05 * 1024 * 1024);
      expect((small.width * small.height) / (standard.width * standard.height)).toBeGreaterThan(0.4);
      expect((small.width * small.height) / (standard.width * standard.height)).toBeLessThan(0.55);
    }
  });

  it('keeps today’s portrait panel as the default and names sizes for people', () => {
    expect(panelPixels('portrait', 'standard')).toEqual({ width: 832, height: 1216 });
    expect(describePanelSize('wide', 'small')).toBe('wide (16:9), small: 896×512');
    expect(['portrait', 'Portrait', 'round', ''].map(isPanelShape)).toEqual([true, false, false, false]);
    expect(['standard', 'small', 'huge'].map(isPanelSize)).toEqual([true, true, false]);
  });
});
