import { ConfigError, parseConfig, type Config } from './config.js';

/** For entry points: parse process.env, or print each problem on its own line and exit 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return parseOrExit(() => parseConfig(env));
}

/** The same for any of the config module's parsers (the web process has its own). */
export function parseOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error('storyroom cannot start: the configuration has problems.');
      for (const problem of error.problems) console.error(`  ${problem}`);
      process.exit(1);
    }
    throw error;
  }
}
