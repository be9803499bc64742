import { loadConfigOrExit } from '../config/load-config.js';
import { createDatabase } from './connection.js';
import { migrateToLatest } from './migrate.js';

const config = loadConfigOrExit({ DISCORD_TOKEN: 'unused', DISCORD_APPLICATION_ID: '00000000000000000', ...process.env });
const db = createDatabase(config.databaseUrl, { maxConnections: 1 });
try {
  const result = await migrateToLatest(db);
  const applied = result.results ?? [];
  if (applied.length === 0) console.log('Database schema is up to date.');
  for (const r of applied) console.log(`${r.status === 'Success' ? 'applied' : r.status}: ${r.migrationName}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
