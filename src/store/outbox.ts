// A hand-written transactional outbox (ENGINEERING.md): publish() inside the producer's
// transaction writes one row per consumer registered for the topic (table outbox_consumer,
// filled by each module's migration); workers claim batches with FOR UPDATE SKIP LOCKED, run the
// handler and delete the row in one transaction, retry with backoff, dead-letter after N attempts,
// and abort a batch after consecutive failures. Runs unchanged on PGlite and PostgreSQL.
import type { Db, Queryable } from './db.ts';

export interface OutboxRow<P = any> {
  id: number;
  consumer: string;
  topic: string;
  payload: P;
  created_at: Date;
  attempts: number;
}

/** A handler runs inside the transaction that marks its row done: its writes and the ack commit together. */
export type Handler = (row: OutboxRow, tx: Queryable) => Promise<void>;

export async function publish(tx: Queryable, topic: string, payload: unknown): Promise<number> {
  const r = await tx.query(
    `INSERT INTO outbox (consumer, topic, payload) SELECT name, $1, $2::jsonb FROM outbox_consumer WHERE topic = $1`,
    [topic, JSON.stringify(payload)],
  );
  return r.rowCount;
}

/** Publish many payloads of one topic in one statement. */
export async function publishMany(tx: Queryable, topic: string, payloads: unknown[]): Promise<number> {
  if (!payloads.length) return 0;
  const r = await tx.query(
    `INSERT INTO outbox (consumer, topic, payload)
     SELECT c.name, $1, p::jsonb FROM outbox_consumer c, unnest($2::text[]) AS p WHERE c.topic = $1`,
    [topic, payloads.map((p) => JSON.stringify(p))],
  );
  return r.rowCount;
}

export interface WorkerOptions {
  batch?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Stop the batch after this many consecutive failures (a broken dependency). */
  abortAfter?: number;
  backoffMs?: (attempts: number) => number;
}

const defaults: Required<WorkerOptions> = {
  batch: 50,
  leaseMs: 30_000,
  maxAttempts: 8,
  abortAfter: 5,
  backoffMs: (n) => Math.min(60_000, 250 * 2 ** n) * (0.5 + Math.random() / 2),
};

/** Claim and process one batch; returns how many rows were handled (done or failed). */
export async function processBatch(db: Db, handlers: Record<string, Handler>, options: WorkerOptions = {}): Promise<number> {
  const o = { ...defaults, ...options };
  const consumers = Object.keys(handlers);
  if (!consumers.length) return 0;
  const claimed = await db.transaction((tx) =>
    tx.query<OutboxRow>(
      `UPDATE outbox SET locked_until = now() + ($3::int * interval '1 millisecond'), attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox WHERE consumer = ANY($1::text[]) AND available_at <= now()
                    AND (locked_until IS NULL OR locked_until < now())
                    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, consumer, topic, payload, created_at, attempts`,
      [consumers, o.batch, o.leaseMs],
    ),
  );
  const rows = claimed.rows.sort((a, b) => a.id - b.id);
  let failures = 0;
  let handled = 0;
  for (const row of rows) {
    if (failures >= o.abortAfter) {
      await db.query(`UPDATE outbox SET locked_until = NULL WHERE id = $1`, [row.id]);
      continue;
    }
    try {
      await db.transaction(async (tx) => {
        // Acknowledge first, in the handler's transaction (a failure puts the row back). Nothing to
        // delete: a handler of the same consumer took this row with its own (a catch-up sweep) and
        // committed — the delete waits for one still in flight — so there is nothing left to do.
        if (!(await tx.query(`DELETE FROM outbox WHERE id = $1`, [row.id])).rowCount) return;
        await handlers[row.consumer](row, tx);
      });
      failures = 0;
    } catch (e) {
      failures++;
      const msg = (e instanceof Error ? e.message : String(e)).slice(0, 500);
      if (row.attempts >= o.maxAttempts) {
        await db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO outbox_dead (id, consumer, topic, payload, created_at, attempts, last_error)
             SELECT id, consumer, topic, payload, created_at, attempts, $2 FROM outbox WHERE id = $1 ON CONFLICT (id) DO NOTHING`,
            [row.id, msg],
          );
          await tx.query(`DELETE FROM outbox WHERE id = $1`, [row.id]);
        });
      } else {
        await db.query(
          `UPDATE outbox SET locked_until = NULL, last_error = $2, available_at = now() + ($3::int * interval '1 millisecond') WHERE id = $1`,
          [row.id, msg, Math.round(o.backoffMs(row.attempts))],
        );
      }
    }
    handled++;
  }
  return handled;
}

/** Process until nothing is ready (tests, CLI). Returns the number of rows handled. */
export async function drain(db: Db, handlers: Record<string, Handler>, options: WorkerOptions = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await processBatch(db, handlers, options);
    total += n;
    if (n === 0) return total;
  }
}

export interface Worker {
  stop(): Promise<void>;
  /** Resolve when the worker has found nothing to do once after this call. */
  idle(): Promise<void>;
  /** Wake the worker now (after a local publish) instead of waiting for the poll interval. */
  poke(): void;
}

/** Poll for work every `intervalMs` (and at once when poked). */
export function startWorker(db: Db, handlers: Record<string, Handler>, options: WorkerOptions & { intervalMs?: number; onError?: (e: unknown) => void } = {}): Worker {
  const interval = options.intervalMs ?? 200;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];
  const loop = (async () => {
    while (!stopped) {
      let n = 0;
      try {
        n = await processBatch(db, handlers, options);
      } catch (e) {
        options.onError?.(e);
      }
      if (n === 0) {
        const w = idleWaiters;
        idleWaiters = [];
        w.forEach((f) => f());
        await new Promise<void>((res) => {
          wake = res;
          timer = setTimeout(res, interval);
        });
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
    idle() {
      return new Promise((res) => {
        idleWaiters.push(res);
        wake?.();
      });
    },
    poke() {
      wake?.();
    },
  };
}
