import type { PriceTable } from './pricing.js';

// Which models a story may choose: only the operator's list (ALLOWED_MODELS), and only priced ones,
// so every draft counts against the story's budget at its real cost.

/** Why a story cannot use this model, in words for the admin; null when it can. */
export function modelRefusal(model: string, allowed: readonly string[], prices: PriceTable): string | null {
  if (!allowed.includes(model)) return `"${model}" is not one of the models this bot's operator allows: ${allowed.join(', ')}.`;
  if (!Object.hasOwn(prices, model)) {
    return `"${model}" has no price, so its drafts could not be counted against the budget. The operator can price it in MODEL_PRICES.`;
  }
  return null;
}

/** A story's chosen model while the operator still allows it; else the server's default. */
export function allowedOrDefault(chosen: string | null, fallback: string, allowed: readonly string[]): string {
  return chosen !== null && allowed.includes(chosen) ? chosen : fallback;
}
