import { describe, expect, it } from 'vitest';
import { checkMessageBody } from '../../loopback/discord/limits.js';

// The loopback Discord refuses a string select as Discord does: alone in its row, 1–25 options, labels
// and values of 1–100 characters, values unique, a custom_id of 1–100 characters, at most 5 rows.

const option = (n: number, over: Record<string, unknown> = {}) => ({ label: `Option ${n}`, value: `v${n}`, ...over });
const select = (over: Record<string, unknown> = {}) => ({ type: 3, custom_id: 'sr1:nudge:1:0', options: [option(1), option(2)], ...over });
const body = (rows: unknown[]) => ({ content: 'x', components: rows.map((components) => ({ type: 1, components })) });
const problems = (rows: unknown[]) => checkMessageBody(body(rows), { creating: true, hasFiles: false });

describe('string selects on the loopback Discord', () => {
  it('takes four selects, each alone in its row, and a row of buttons', () => {
    const button = { type: 2, style: 1, label: 'Approve', custom_id: 'sr1:letterok:1' };
    expect(problems([[select()], [select()], [select()], [select()], [button]])).toEqual([]);
  });

  it.each([
    ['a button beside it', [[select(), { type: 2, style: 1, label: 'Go', custom_id: 'go' }]], /must be alone in its row/],
    ['a sixth row', Array.from({ length: 6 }, () => [select()]), /6 action rows \(max 5\)/],
    ['no options', [[select({ options: [] })]], /0 options \(1–25\)/],
    ['26 options', [[select({ options: Array.from({ length: 26 }, (_, i) => option(i)) })]], /26 options \(1–25\)/],
    ['a label of 101 characters', [[select({ options: [option(1, { label: 'x'.repeat(101) })] })]], /label is 101 characters/],
    ['a value of 101 characters', [[select({ options: [option(1, { value: 'x'.repeat(101) })] })]], /value is 101 characters/],
    ['an empty value', [[select({ options: [option(1, { value: '' })] })]], /value is 0 characters/],
    ['a description of 101 characters', [[select({ options: [option(1, { description: 'x'.repeat(101) })] })]], /description over 100/],
    ['a repeated value', [[select({ options: [option(1), option(1)] })]], /repeated/],
    ['a custom_id of 101 characters', [[select({ custom_id: 'x'.repeat(101) })]], /custom_id must be 1–100 characters/],
    ['a placeholder of 151 characters', [[select({ placeholder: 'x'.repeat(151) })]], /placeholder over 150/],
    ['max_values above its options', [[select({ max_values: 3 })]], /max_values 3 is more than its 2 options/],
  ])('refuses %s', (_what, rows, expected) => {
    expect(problems(rows).join('; ')).toMatch(expected);
  });
});
