// Numbered SQL migrations (NNNN_name.sql), applied once each, in order, under an advisory lock
// so several processes starting together apply them once. The same files run on PGlite and
// PostgreSQL. Number ranges: 0001–0009 store, 0010–0029 gateway/registry, 0030–0049
// healthbook/access, 0050–0069 monitoring, 0070–0089 web.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db.ts';

export const STORE_MIGRATIONS = join(import.meta.dirname, 'migrations');

export interface Migration {
  id: string;
  sql: string;
}

export function readMigrations(...dirs: string[]): Migration[] {
  const all: Migration[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))) {
      if (seen.has(f)) throw new Error(`migration ${f} appears twice`);
      seen.add(f);
      all.push({ id: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') });
    }
  }
  return all.sort((a, b) => a.id.localeCompare(b.id));
}

const LOCK_KEY = 7_130_4750;

/** Apply every pending migration from the given folders (the store's own always first). */
export async function migrate(db: Db, dirs: string[] = []): Promise<string[]> {
  const list = readMigrations(STORE_MIGRATIONS, ...dirs);
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migration (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM schema_migration')).rows.map((r) => r.id));
    for (const m of list) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migration (id) VALUES ($1)', [m.id]);
      applied.push(m.id);
    }
  });
  return applied;
}
