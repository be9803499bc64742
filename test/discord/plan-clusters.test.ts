import { describe, expect, it } from 'vitest';
import { planClusters } from '../../src/discord/sharding.js';

describe('planClusters', () => {
  it.each([
    {
      total: 4,
      perProcess: 2,
      shardIds: [
        [0, 1],
        [2, 3],
      ],
    },
    { total: 4, perProcess: 1, shardIds: [[0], [1], [2], [3]] },
    { total: 2, perProcess: 8, shardIds: [[0, 1]] },
    {
      total: 10,
      perProcess: 4,
      shardIds: [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ],
    },
  ])(
    '$total shards, $perProcess to a process: consecutive shards, the last process holding what is left',
    ({ total, perProcess, shardIds }) => {
      const clusters = planClusters(total, perProcess);
      expect(clusters.map((c) => c.shardIds)).toEqual(shardIds);
      expect(clusters.map((c) => c.id)).toEqual(shardIds.map((_, i) => i));
      expect(clusters.every((c) => c.shardCount === total)).toBe(true);
    },
  );
});
