import { describeShards } from './sharding-suite.js';

// SHARDS_PER_PROCESS=1: what a bot past its memory budget per process, or isolating every shard, runs.
describeShards('four shards, one process each', 1);
