const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** Real-looking snowflakes (18–19 digits): @discordjs/rest's rate-limit buckets only match \d{17,19}. */
export function nextSnowflake(): string {
  increment = (increment + 1n) % 4096n;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
