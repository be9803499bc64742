import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BIBLE_ENTRY_TYPES } from '../src/domain/bible-entry.js';
import { decodeCustomId, encodeCustomId, type CustomIdData } from '../src/views/custom-id.js';

describe('the custom_id codec', () => {
  const samples: CustomIdData[] = [
    { action: 'approve', pageId: 12, revisionId: 345 },
    { action: 'revise', pageId: Number.MAX_SAFE_INTEGER, revisionId: Number.MAX_SAFE_INTEGER },
    { action: 'feedback', pageId: 1, revisionId: 2 },
    { action: 'join', chapterId: 7 },
    { action: 'retry', pageId: 3, pageVersion: 0 },
    { action: 'cancel', pageId: 3, pageVersion: 9 },
    { action: 'reroll', panelId: 12 },
    { action: 'useref', pageId: 4 },
    { action: 'userefsave', pageId: Number.MAX_SAFE_INTEGER },
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

describe('a forged custom_id naming an Object.prototype member', () => {
  it.each(['sr1:toString', 'sr1:constructor:1', 'sr1:valueOf', 'sr1:hasOwnProperty:1:2', 'sr1:__proto__'])(
    'refuses %j like any forged id, without throwing',
    (customId) => {
      expect(decodeCustomId(customId)).toBeNull();
    },
  );

  it('never throws on any string, and refuses anything it did not encode', () => {
    const pieces = fc.oneof(
      fc.string(),
      fc.constantFrom('sr1', 'approve', 'join', 'bibleentry', 'toString', 'constructor', '__proto__', 'valueOf', ':', '0', '1'),
      fc.nat().map(String),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.array(pieces, { maxLength: 6 }).map((p) => p.join(':')),
        ),
        (customId) => {
          const decoded = decodeCustomId(customId);
          if (decoded !== null) expect(encodeCustomId(decoded)).toBe(customId);
        },
      ),
      { numRuns: 5000 },
    );
  });

  const positiveId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
  const pageVersion = fc.integer({ min: 0, max: 1_000_000_000 });
  const anyAction: fc.Arbitrary<CustomIdData> = fc.oneof(
    fc.record({
      action: fc.constantFrom('approve' as const, 'revise' as const, 'feedback' as const),
      pageId: positiveId,
      revisionId: positiveId,
    }),
    fc.record({ action: fc.constant('join' as const), chapterId: positiveId }),
    fc.record({ action: fc.constantFrom('retry' as const, 'cancel' as const), pageId: positiveId, pageVersion }),
    fc.record({
      action: fc.constant('bibleentry' as const),
      typeIndex: fc.integer({ min: 0, max: BIBLE_ENTRY_TYPES.length - 1 }),
      priorityPlus100: fc.integer({ min: 0, max: 200 }),
      always: fc.integer({ min: 0, max: 1 }),
    }),
  );

  it('round-trips every action within 100 characters', () => {
    fc.assert(
      fc.property(anyAction, (data) => {
        const encoded = encodeCustomId(data);
        expect(encoded.length).toBeLessThanOrEqual(100);
        expect(decodeCustomId(encoded)).toEqual(data);
      }),
      { numRuns: 2000 },
    );
  });
});
