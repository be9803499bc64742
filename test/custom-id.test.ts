import { describe, expect, it } from 'vitest';
import { decodeCustomId, encodeCustomId, type CustomIdData } from '../src/discord/custom-id.js';

describe('the custom_id codec', () => {
  const samples: CustomIdData[] = [
    { action: 'approve', pageId: 12, revisionId: 345 },
    { action: 'revise', pageId: Number.MAX_SAFE_INTEGER, revisionId: Number.MAX_SAFE_INTEGER },
    { action: 'feedback', pageId: 1, revisionId: 2 },
    { action: 'join', chapterId: 7 },
    { action: 'retry', pageId: 3, pageVersion: 0 },
    { action: 'cancel', pageId: 3, pageVersion: 9 },
    { action: 'reroll', panelId: 12 },
  ];

  it.each(samples)('round-trips $action within 100 characters', (data) => {
    const encoded = encodeCustomId(data);
    expect(encoded.length).toBeLessThanOrEqual(100);
    expect(decodeCustomId(encoded)).toEqual(data);
  });

  it.each([
    ['', 'empty'],
    ['sr1', 'prefix only'],
    ['sr1:approve:12', 'truncated'],
    ['sr1:approve:12:', 'truncated after a separator'],
    ['sr1:approve:12:34:56', 'an extra field'],
    ['sr1:approve:-1:34', 'a negative id'],
    ['sr1:approve:0:34', 'a zero id'],
    ['sr1:approve:1e3:34', 'an exponent'],
    ['sr1:approve:12.5:34', 'a fraction'],
    ['sr1:approve:99999999999999999:34', 'an id past 2^53'],
    ['sr1:delete:12:34', 'an unknown action'],
    ['sr2:approve:12:34', 'another version'],
    ['xx:approve:12:34', 'another bot'],
    ['sr1:approve: 12:34', 'whitespace'],
    ['sr1:__proto__:1:2', 'a prototype key'],
    ['sr1:approve:12:34'.padEnd(101, '0'), 'over 100 characters'],
  ])('rejects %j (%s)', (customId) => {
    expect(decodeCustomId(customId)).toBeNull();
  });
});
