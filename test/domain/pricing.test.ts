import { describe, expect, it } from 'vitest';
import { cacheShare, DEFAULT_PRICES, estimateCost } from '../../src/domain/pricing.js';

describe('estimated cost', () => {
  it('bills cached prompt tokens at the cached rate and the rest at the input rate', () => {
    const cost = estimateCost(
      { model: 'gpt-4o-mini', promptTokens: 1_000_000, cachedTokens: 400_000, completionTokens: 100_000 },
      DEFAULT_PRICES,
    );
    expect(cost).toBeCloseTo(0.6 * 0.15 + 0.4 * 0.075 + 0.1 * 0.6, 10);
  });
  it('never counts more cached tokens than prompt tokens, and an unknown model costs nothing', () => {
    expect(estimateCost({ model: 'gpt-4o-mini', promptTokens: 100, cachedTokens: 500, completionTokens: 0 }, DEFAULT_PRICES)).toBeCloseTo(
      (100 * 0.075) / 1e6,
      12,
    );
    expect(estimateCost({ model: 'llama3', promptTokens: 100, cachedTokens: 0, completionTokens: 100 }, DEFAULT_PRICES)).toBe(0);
  });
  it('gives the cached share of the prompt', () => {
    expect(cacheShare(0, 0)).toBe(0);
    expect(cacheShare(2_048, 1_024)).toBe(0.5);
  });
});
