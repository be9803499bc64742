import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchAckLatency } from './ack-latency.js';
import { benchCapacity } from './capacity.js';
import { benchClickToJob } from './click-to-job.js';
import { benchContextBuild } from './context-build.js';
import { benchMemory } from './memory.js';
import { benchPathological } from './pathological.js';
import { benchCompiledMemory } from './compiled-memory.js';
import { benchLettering } from './lettering.js';
import { benchScaleOut } from './scale-out.js';
import { benchShardMemory } from './shard-memory.js';
import { renderTable, type BenchRow } from './stats.js';
import { benchTakesTokens } from './takes-tokens.js';
import { benchTokensPerPage } from './tokens-per-page.js';
import { benchVoteRoundTrips } from './vote-round-trips.js';
import { benchVotes } from './votes.js';

// `npm run bench`: speed and memory on local Postgres and Redis, the loopback Discord and model.
// Every figure is a median and p99 over repeated runs next to a baseline measured in the same run.
const SECTIONS: [string, () => Promise<BenchRow[]>][] = [
  ['interaction acknowledgement', benchAckLatency],
  ['click to job start', benchClickToJob],
  ['vote round trips', benchVoteRoundTrips],
  ['votes per second', benchVotes],
  ['context build', benchContextBuild],
  ['pathological text', benchPathological],
  ['memory', benchMemory],
  ['compiled-memory', benchCompiledMemory],
  ['scale-out', benchScaleOut],
  ['shard-memory', benchShardMemory],
  ['takes', benchTakesTokens],
  ['tokens per page', benchTokensPerPage],
  ['lettering', benchLettering],
  ['capacity', benchCapacity],
];

// Section names pick sections; `--name value` pairs are a section's own options (capacity's --servers).
const args = process.argv.slice(2);
const only = args.filter((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
const started = Date.now();
const rows: BenchRow[] = [];
const failures: string[] = [];
for (const [name, bench] of SECTIONS) {
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
  const t0 = Date.now();
  process.stdout.write(`▸ ${name}… `);
  try {
    rows.push(...(await bench()));
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (error) {
    failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    console.log('failed');
  }
}
const seconds = (Date.now() - started) / 1000;
console.log(`\n${renderTable(rows)}\n\nTotal ${seconds.toFixed(0)} s on ${process.version}.`);
const folder = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(folder, { recursive: true });
writeFileSync(
  `${folder}latest.json`,
  JSON.stringify({ at: new Date().toISOString(), node: process.version, seconds, rows, failures }, null, 2),
);
if (failures.length > 0) {
  console.error(`\nFailed:\n${failures.join('\n')}`);
  process.exitCode = 1;
}
