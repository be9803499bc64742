import { describeShards } from './sharding-suite.js';

// Several shards in one discord.js client: two processes of two shards.
describeShards('four shards in two processes', 2);
