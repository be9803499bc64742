import { describe, expect, it } from 'vitest';
import { checkMessageBody } from '../../loopback/discord/limits.js';

// The loopback Discord checks Components V2 as Discord documents it: the IS_COMPONENTS_V2 flag (1 << 15)
// for containers, text displays and galleries; no content or embeds beside it; 10 top-level and 40
// components in all, nested ones included; 4000 characters of text; 1–10 gallery items; the flag never
// removed, and gained on an edit only with content and embeds cleared.

const V2 = 1 << 15;
const text = (content: string) => ({ type: 10, content });
const gallery = (n: number) => ({ type: 12, items: Array.from({ length: n }, (_, i) => ({ media: { url: `attachment://p${i}.png` } })) });
const button = { type: 2, style: 1, label: 'Approve', custom_id: 'sr1:letterok:1' };
const container = (...components: unknown[]) => ({ type: 17, components });
const check = (body: Record<string, unknown>) => checkMessageBody(body, { creating: true, hasFiles: true });

describe('Components V2 on the loopback Discord', () => {
  it('takes a container with text, a gallery and rows of buttons', () => {
    expect(check({ flags: V2, components: [container(text('**Page 1**'), gallery(1), { type: 1, components: [button] })] })).toEqual([]);
  });

  it.each([
    ['no flag', { components: [container(text('x'))] }, /need the IS_COMPONENTS_V2 flag/],
    ['content beside the flag', { flags: V2, content: 'hi', components: [text('x')] }, /content must not be set/],
    ['embeds beside the flag', { flags: V2, embeds: [{ title: 't' }], components: [text('x')] }, /embeds must not be set/],
    ['11 top-level components', { flags: V2, components: Array.from({ length: 11 }, () => text('x')) }, /11 top-level components/],
    [
      '41 components counting nested ones',
      { flags: V2, components: [container(...Array.from({ length: 39 }, () => text('x'))), text('y')] },
      /41 components in all \(max 40\)/,
    ],
    ['4001 characters of text', { flags: V2, components: [text('x'.repeat(4000)), text('y')] }, /4001 characters \(max 4000\)/],
    ['an empty gallery', { flags: V2, components: [gallery(0)] }, /0 items \(1–10\)/],
    ['11 gallery items', { flags: V2, components: [gallery(11)] }, /11 items \(1–10\)/],
    ['a container in a container', { flags: V2, components: [container(container(text('x')))] }, /type 17 is not allowed here/],
    [
      'six buttons in a nested row',
      { flags: V2, components: [container({ type: 1, components: Array.from({ length: 6 }, () => button) })] },
      /6 buttons \(max 5\)/,
    ],
  ])('refuses %s', (_, body, problem) => {
    expect(check(body).join('\n')).toMatch(problem);
  });

  it('never takes the flag off, and adds it on an edit only with content and embeds cleared', () => {
    const posted = { flags: 0, content: 'Page 1', embeds: [{ image: { url: 'attachment://p.png' } }] };
    const edit = (body: Record<string, unknown>, editing: typeof posted) =>
      checkMessageBody(body, { creating: false, hasFiles: false, editing });
    const v2 = { flags: V2, components: [container(text('Page 1'))] };
    expect(edit(v2, posted).join('\n')).toMatch(/only with its content and embeds set to null/);
    expect(edit({ ...v2, content: null, embeds: null }, posted)).toEqual([]);
    expect(edit({ flags: 0, content: 'back' }, { flags: V2, content: '', embeds: [] }).join('\n')).toMatch(/cannot be removed/);
    // An edit of a V2 message without the flag in its body is still checked as V2.
    expect(edit({ components: [container(text('x'))] }, { flags: V2, content: '', embeds: [] })).toEqual([]);
  });
});
