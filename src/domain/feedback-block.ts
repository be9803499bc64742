import { materialBlock as block } from './material-block.js';

type CountTokens = (text: string) => number;

/**
 * The feedback on a draft as the prompt shows it, within `allowance` tokens. Pieces go in the order
 * given; the first that does not fit whole is shortened to what is left, and any after it are left
 * out, with a line saying so (the full text stays in the page's history).
 */
export function fitFeedback(feedback: readonly string[], allowance: number, count: CountTokens): { text: string; tokens: number } {
  if (feedback.length === 0) {
    const text = '(no written feedback)';
    return { text, tokens: count(text) };
  }
  const pieces: string[] = [];
  let used = 0;
  for (const [index, body] of feedback.entries()) {
    const piece = block(`Feedback ${index + 1}`, body);
    const tokens = count(piece) + 1;
    if (used + tokens <= allowance) {
      pieces.push(piece);
      used += tokens;
      continue;
    }
    const shortened = shortenToFit(body, `Feedback ${index + 1} (shortened)`, allowance - used - NOTE_RESERVE, count);
    if (shortened) {
      pieces.push(shortened.text);
      used += shortened.tokens + 1;
    }
    const omitted = feedback.length - index - (shortened ? 1 : 0);
    if (omitted > 0) pieces.push(`(${omitted} more piece${omitted === 1 ? '' : 's'} of feedback left out for length)`);
    else pieces.push('(feedback shortened for length)');
    break;
  }
  const text = pieces.join('\n');
  return { text, tokens: count(text) };
}

// Room for the closing note, so the block with it stays within the allowance.
const NOTE_RESERVE = 20;
const SHORTEST_USEFUL = 30;

function shortenToFit(body: string, label: string, tokens: number, count: CountTokens): { text: string; tokens: number } | null {
  if (tokens < SHORTEST_USEFUL) return null;
  // Halve the text until it fits: a few counts at most, never a character at a time.
  let length = Math.min(body.length, tokens * 4);
  for (;;) {
    const text = block(label, `${body.slice(0, length).trimEnd()}…`);
    const counted = count(text);
    if (counted <= tokens) return { text, tokens: counted };
    length = Math.floor(length * Math.min(0.9, tokens / counted));
    if (length < SHORTEST_USEFUL) return null;
  }
}
