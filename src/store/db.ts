// The small database interface every module uses: PGlite (embedded default, a data directory)
// or PostgreSQL (DATABASE_URL). Plain SQL with $1 parameters; the same text runs on both.
// A transaction is an exclusive scope: on PGlite's single session no other caller's statement
// can run inside it (ENGINEERING.md: a shared-session BEGIN/COMMIT loses work).
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { lockDataDir } from './lock.ts';

export type Params = unknown[];

export interface Queryable {
  query<T = Record<string, any>>(sql: string, params?: Params): Promise<{ rows: T[]; rowCount: number }>;
  /** Run several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… to use a server; otherwise PGlite. */
  url?: string;
  /** PGlite data directory; omitted → in memory. */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing); tests use one schema each. */
  schema?: string;
  /** Pool size for PostgreSQL. */
  max?: number;
}

const INT8 = 20;
const BYTEA = 17;

// pg: int8 → number (counts and ids stay below 2^53), bytea is a Buffer already.
pg.types.setTypeParser(INT8, (v: string) => Number(v));

function toBuffer(v: unknown): unknown {
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  #pg: PGlite;
  #release: () => void;
  #chain: Promise<unknown> = Promise.resolve();
  constructor(pgl: PGlite, release: () => void) {
    this.#pg = pgl;
    this.#release = release;
  }
  /** Serialize every use of the one session: a query never interleaves with a transaction. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn, fn);
    this.#chain = next.catch(() => undefined);
    return next;
  }
  static fix<T>(rows: T[]): T[] {
    for (const r of rows as Record<string, unknown>[]) for (const k in r) r[k] = toBuffer(r[k]);
    return rows;
  }
  query<T = Record<string, any>>(sql: string, params: Params = []) {
    return this.#exclusive(async () => {
      const r = await this.#pg.query<T>(sql, params as any[]);
      return { rows: PgliteDb.fix(r.rows), rowCount: r.affectedRows ?? r.rows.length };
    });
  }
  exec(sql: string) {
    return this.#exclusive(async () => {
      await this.#pg.exec(sql);
    });
  }
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#exclusive(() =>
      this.#pg.transaction(async (t) => {
        const tx: Queryable = {
          async query<R = Record<string, any>>(sql: string, params: Params = []) {
            const r = await t.query<R>(sql, params as any[]);
            return { rows: PgliteDb.fix(r.rows), rowCount: r.affectedRows ?? r.rows.length };
          },
          async exec(sql: string) {
            await t.exec(sql);
          },
        };
        return fn(tx);
      }),
    );
  }
  async close() {
    await this.#exclusive(() => this.#pg.close());
    this.#release();
  }
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  #pool: pg.Pool;
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }
  async query<T = Record<string, any>>(sql: string, params: Params = []) {
    const r = await this.#pool.query(sql, params as any[]);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
  }
  async exec(sql: string) {
    await this.#pool.query(sql);
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    // A checked-out client's connection may be dropped (server restart, pg_terminate_backend):
    // pg then emits 'error' on the client, which would crash the process without a listener.
    // The failing query rejects anyway; the broken client is destroyed on release.
    let broken: Error | undefined;
    const onError = (e: Error) => {
      broken = e;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const tx: Queryable = {
        async query<R = Record<string, any>>(sql: string, params: Params = []) {
          const r = await client.query(sql, params as any[]);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
        },
        async exec(sql: string) {
          await client.query(sql);
        },
      };
      const out = await fn(tx);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      try {
        if (!broken) await client.query('ROLLBACK');
      } catch (re) {
        broken = re as Error;
      }
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
  async close() {
    await this.#pool.end();
  }
}

/** Open a database: PostgreSQL when a postgres:// URL is given, PGlite otherwise. */
export async function openDb(opts: OpenOptions = {}): Promise<Db> {
  if (opts.url && /^postgres(ql)?:\/\//.test(opts.url)) {
    const schema = opts.schema;
    if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
    if (schema) {
      const c = new pg.Client({ connectionString: opts.url });
      await c.connect();
      try {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await c.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 10,
      options: schema ? `-c search_path=${schema},public` : undefined,
    });
    pool.on('error', () => {
      /* a dropped idle connection: the pool replaces it on next use */
    });
    return new PostgresDb(pool);
  }
  let release = () => {};
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    release = lockDataDir(opts.dataDir);
  }
  try {
    const pgl = await PGlite.create({
      dataDir: opts.dataDir,
      parsers: { [INT8]: (v: string) => Number(v), [BYTEA]: (v: string) => Buffer.from(v.startsWith('\\x') ? v.slice(2) : v, 'hex') },
    });
    return new PgliteDb(pgl, release);
  } catch (e) {
    release();
    throw e;
  }
}

export { pgliteTypes };
