import { describe, expect, it } from 'vitest';
import type { StoryPage } from '../../src/db/database.js';
import type { VersionHistory } from '../../src/services/history-service.js';
import { renderPageHistory } from '../../src/views/page-history.js';

const page = { number: 1, input: 'z'.repeat(500), state: 'reviewing_narration', stage: 'narration' } as unknown as StoryPage;

/** Twelve rounds of six takes, every text long, ten voters and long feedback on each round. */
function rounds(count: number): VersionHistory[] {
  return Array.from({ length: count }, (_, round) =>
    Array.from({ length: 6 }, (_, take): VersionHistory => ({
      kind: 'narration',
      version: round + 1,
      take,
      takesInRound: 6,
      status: take === 1 ? 'approved' : 'superseded',
      body: `Round ${round + 1} take ${take}: ${'x'.repeat(3000)}`,
      restoredFrom: null,
      editedBy: take === 5 ? '123456789012345678' : null,
      editedFrom: take === 5 ? 1 : null,
      reviewNotes: null,
      createdAt: new Date(0),
      votes:
        take === 0
          ? Array.from({ length: 10 }, (_, i) => ({ userId: `12345678901234567${i}`, choice: i < 8 ? 'approve' : 'revise', pick: i % 6 }))
          : [],
      feedback: take === 0 ? [{ userId: '1', body: 'y'.repeat(1500) }] : [],
      prompt: null,
    })),
  ).flat();
}

const size = (embeds: ReturnType<typeof renderPageHistory>) =>
  embeds.reduce(
    (n, e) =>
      n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0),
    0,
  );

describe('/page history of a page with takes', () => {
  it('lists a round once, picks under the picked take in the thread’s words, within one message', () => {
    const one = renderPageHistory(page, rounds(1));
    expect(one.map((e) => e.title)).toEqual(['Page 1 · history', 'Narration v1 · 6 takes · take B picked']);
    expect(one[1]?.description).toContain('**Take A** · Not picked · picked by <@123456789012345670>, <@123456789012345676>');
    expect(one[1]?.description).toContain('**Take B** · Picked · picked by <@123456789012345671>, <@123456789012345677>');
    expect(one[1]?.description).toContain('✍️ edited by <@123456789012345678> from take B');
    expect(one[1]?.fields?.[0]).toEqual({ name: 'Revise (the whole round)', value: '<@123456789012345678>, <@123456789012345679>' });
  });

  it('twelve rounds of six long takes page by round and stay within Discord’s 6,000 characters', () => {
    const embeds = renderPageHistory(page, rounds(12));
    expect(embeds).toHaveLength(10);
    expect(embeds[0]?.fields?.[0]?.value).toContain('3 older version(s) not shown: add skip:9');
    expect(size(embeds)).toBeLessThanOrEqual(6000);
    expect(embeds.at(-1)?.title).toBe('Narration v12 · 6 takes · take B picked');
  });
});
