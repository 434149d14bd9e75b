export { openDb, type Db, type Queryable, type OpenOptions, type Params } from './db.ts';
export { migrate, readMigrations, STORE_MIGRATIONS } from './migrate.ts';
export { publish, publishMany, processBatch, drain, startWorker, type Handler, type OutboxRow, type Worker, type WorkerOptions } from './outbox.ts';
export { lockDataDir } from './lock.ts';

/** Open the database named by the environment: DATABASE_URL, else PGlite in `dataDir`. */
export async function openConfiguredDb(dataDir: string) {
  const { openDb } = await import('./db.ts');
  const url = process.env.DATABASE_URL;
  return url ? openDb({ url, schema: process.env.DATABASE_SCHEMA }) : openDb({ dataDir });
}
