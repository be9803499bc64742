// Estimated cost of model calls from a price table (US dollars per million tokens). Pure.

export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Public list prices at the time of writing; a deployment overrides them with MODEL_PRICES. */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
};

export interface TokenUse {
  model: string;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

/** Cached prompt tokens are billed at the cached rate, the rest of the prompt at the input rate. Unknown models cost 0. */
export function estimateCost(use: TokenUse, prices: PriceTable): number {
  const price = prices[use.model];
  if (!price) return 0;
  const cached = Math.min(use.cachedTokens, use.promptTokens);
  return ((use.promptTokens - cached) * price.input + cached * price.cachedInput + use.completionTokens * price.output) / 1_000_000;
}

export function cacheShare(promptTokens: number, cachedTokens: number): number {
  return promptTokens > 0 ? Math.min(1, cachedTokens / promptTokens) : 0;
}
