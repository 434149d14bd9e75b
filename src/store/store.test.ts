import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbKinds, openTestDb } from './testing.ts';
import { openDb, publish, drain, processBatch, startWorker } from './index.ts';

for (const kind of dbKinds()) {
  describe(`store on ${kind}`, () => {
    test('bytea round-trips as Buffer, int8 as number, jsonb as object', async () => {
      const t = await openTestDb(kind);
      try {
        await t.db.exec(`CREATE TABLE blob (id bigserial PRIMARY KEY, b bytea, j jsonb)`);
        const bytes = Buffer.from([0, 1, 2, 255, 10]);
        const r = await t.db.query<{ id: number; b: Buffer; j: { a: number } }>(
          `INSERT INTO blob (b, j) VALUES ($1, $2::jsonb) RETURNING id, b, j`,
          [bytes, JSON.stringify({ a: 1 })],
        );
        assert.equal(typeof r.rows[0].id, 'number');
        assert.ok(Buffer.isBuffer(r.rows[0].b));
        assert.deepEqual(r.rows[0].b, bytes);
        assert.deepEqual(r.rows[0].j, { a: 1 });
      } finally {
        await t.cleanup();
      }
    });

    test('a failed transaction leaves nothing; a concurrent query is not swallowed by it', async () => {
      const t = await openTestDb(kind);
      try {
        await t.db.exec(`CREATE TABLE x (v int)`);
        const failing = t.db.transaction(async (tx) => {
          await tx.query(`INSERT INTO x VALUES (1)`);
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('boom');
        });
        const other = t.db.query(`INSERT INTO x VALUES (2)`);
        await assert.rejects(failing, /boom/);
        await other;
        const rows = (await t.db.query<{ v: number }>(`SELECT v FROM x ORDER BY v`)).rows.map((r) => r.v);
        assert.deepEqual(rows, [2]);
      } finally {
        await t.cleanup();
      }
    });

    test('outbox: one row per consumer, exactly-once effect, retry then dead-letter', async () => {
      const t = await openTestDb(kind);
      const db = t.db;
      try {
        await db.exec(`INSERT INTO outbox_consumer VALUES ('a','topic'),('b','topic'); CREATE TABLE seen (consumer text, n int)`);
        await db.transaction(async (tx) => {
          for (let i = 0; i < 5; i++) await publish(tx, 'topic', { n: i });
        });
        let failB = 0;
        const handlers = {
          a: async (row: any, tx: any) => {
            await tx.query(`INSERT INTO seen VALUES ('a', $1)`, [row.payload.n]);
          },
          b: async (row: any, tx: any) => {
            if (row.payload.n === 3) {
              failB++;
              throw new Error('b fails on 3');
            }
            await tx.query(`INSERT INTO seen VALUES ('b', $1)`, [row.payload.n]);
          },
        };
        await drain(db, handlers, { backoffMs: () => 0, maxAttempts: 3 });
        // retries are immediately available (backoff 0): keep draining until dead-lettered
        await drain(db, handlers, { backoffMs: () => 0, maxAttempts: 3 });
        const seen = (await db.query<{ consumer: string; n: number }>(`SELECT consumer, n FROM seen ORDER BY consumer, n`)).rows;
        assert.deepEqual(seen.filter((r) => r.consumer === 'a').map((r) => r.n), [0, 1, 2, 3, 4]);
        assert.deepEqual(seen.filter((r) => r.consumer === 'b').map((r) => r.n), [0, 1, 2, 4]);
        assert.equal(failB, 3);
        const dead = await db.query(`SELECT consumer, attempts FROM outbox_dead`);
        assert.deepEqual(dead.rows, [{ consumer: 'b', attempts: 3 }]);
        assert.equal((await db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n, 0);
        assert.equal(await processBatch(db, handlers), 0);
      } finally {
        await t.cleanup();
      }
    });

    test('a worker picks up work published after it started', async () => {
      const t = await openTestDb(kind);
      try {
        await t.db.exec(`INSERT INTO outbox_consumer VALUES ('c','t2'); CREATE TABLE got (n int)`);
        const w = startWorker(t.db, { c: async (row, tx) => void (await tx.query(`INSERT INTO got VALUES ($1)`, [row.payload.n])) }, { intervalMs: 20 });
        await t.db.transaction((tx) => publish(tx, 't2', { n: 7 }));
        w.poke();
        for (let i = 0; i < 100; i++) {
          if ((await t.db.query(`SELECT n FROM got`)).rows.length) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await w.stop();
        assert.deepEqual((await t.db.query(`SELECT n FROM got`)).rows, [{ n: 7 }]);
      } finally {
        await t.cleanup();
      }
    });
  });
}

test('PGlite data directory is locked against a second opener and persists', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-db-'));
  try {
    const db = await openDb({ dataDir: join(dir, 'db') });
    await db.exec(`CREATE TABLE k (v text)`);
    await db.query(`INSERT INTO k VALUES ('kept')`);
    await assert.rejects(openDb({ dataDir: join(dir, 'db') }), /in use/);
    await db.close();
    const again = await openDb({ dataDir: join(dir, 'db') });
    assert.deepEqual((await again.query(`SELECT v FROM k`)).rows, [{ v: 'kept' }]);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// PostgreSQL only (like every suite from dbKinds(): defined when DATABASE_URL is set; CI sets it).
if (process.env.DATABASE_URL) test('PostgreSQL: a connection dropped inside a transaction rejects that transaction only; the process and the pool go on', async () => {
  const t = await openTestDb('postgres');
  try {
    const pid = await t.db.transaction(async (tx) => (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const long = t.db.transaction(async (tx) => {
      const me = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await tx.query('SELECT pg_sleep(5)');
      return me;
    });
    await new Promise((r) => setTimeout(r, 300));
    const victims = await t.db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(5)%' AND pid <> pg_backend_pid()`,
    );
    assert.equal(victims.rows[0].n, 1);
    await assert.rejects(long);
    for (let i = 0; i < 3; i++) assert.equal((await t.db.query<{ one: number }>('SELECT 1 AS one')).rows[0].one, 1);
    assert.equal(typeof pid, 'number');
  } finally {
    await t.cleanup();
  }
});
