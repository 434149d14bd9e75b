// Test aid: run one suite on every database kind available — PGlite always, PostgreSQL when
// DATABASE_URL is set (CI). Each PostgreSQL test database is its own schema, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from './db.ts';
import { migrate } from './migrate.ts';

export type DbKind = 'pglite' | 'postgres';

export function dbKinds(): DbKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDb {
  db: Db;
  /** Open another connection to the same database (PostgreSQL only; PGlite returns the same Db). */
  url?: string;
  schema?: string;
  cleanup(): Promise<void>;
}

/** A fresh, migrated database of the given kind. */
export async function openTestDb(kind: DbKind, migrationDirs: string[] = []): Promise<TestDb> {
  if (kind === 'postgres') {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set');
    const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const db = await openDb({ url, schema, max: 8 });
    await migrate(db, migrationDirs);
    return {
      db,
      url,
      schema,
      async cleanup() {
        await db.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await c.end();
        }
      },
    };
  }
  const db = await openDb({});
  await migrate(db, migrationDirs);
  return { db, cleanup: () => db.close() };
}
