import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-24-001-initial-schema.js';

// Every migration, by name; the Migrator applies them in name order. Add new files here.
export const migrations: Record<string, Migration> = {
  '2026-11-24-001-initial-schema': initialSchema,
};
