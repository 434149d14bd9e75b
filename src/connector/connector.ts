// startConnector: the connector in one process — its own database (PGlite in <dataDir>/db), the
// watched folder, the local HTTP intake and page, and the send loop woken as soon as work arrives.
import Fastify, { type FastifyInstance } from 'fastify';
import { openDb, migrate, type Db } from '../store/index.ts';
import { isProblemError, problem, redact, COMMON, ProblemError } from '../errors/index.ts';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { CON } from './errors.ts';
import { resolveConnectorConfig, type ConnectorConfig, type ConnectorConfigInput } from './config.ts';
import { folders, writeDurable, freeName, type Folders } from './spool.ts';
import { makeSender, type Sender } from './sender.ts';
import { loadSigner, type PackageSigner } from './signing.ts';
import { Engine, vnDate } from './engine.ts';
import { Watcher } from './watcher.ts';
import { storeFile, processFile, writeRejected, type IntakeReport } from './intake.ts';
import { readStatus, reconcile, type ConnectorStatus, type Reconciliation } from './status.ts';
import { renderPage } from './page.ts';

export const CONNECTOR_MIGRATIONS = join(import.meta.dirname, 'migrations');

export interface StartConnectorOptions {
  /** Use this signer instead of the one in the config (a token/HSM, a remote signer, a test signer). */
  signer?: PackageSigner;
  /** Use this sender instead of the configured target. */
  sender?: Sender;
  /** Progress lines for a person (CLI) — never personal data. */
  onEvent?(e: { kind: string; level: 'info' | 'warn' | 'error'; text: string }): void;
  /** Do not run the watched folder / HTTP server (status and reconcile only). */
  passive?: boolean;
  /** Keep the queue database in memory (demos and tests: NOT durable across restarts; files are still spooled). */
  memoryDb?: boolean;
  /** Use this open, migrated database (e.g. PostgreSQL); it is not closed by close(). */
  db?: Db;
}

export interface RunningConnector {
  /** Local HTTP intake and page (empty string when passive). */
  url: string;
  config: ConnectorConfig;
  db: Db;
  folders: Folders;
  status(): Promise<ConnectorStatus>;
  /** Store + validate + queue bytes as the HTTP intake does. */
  submit(bytes: Uint8Array, name?: string, o?: { replace?: boolean }): Promise<IntakeReport>;
  reconcile(from: Date, to: Date): Promise<Reconciliation>;
  /** Put failed work back: same signed bytes when a package exists (never a second version). */
  resendFailed(maLk?: string): Promise<number>;
  /** Resolve when nothing is queued or sending (or the time-out passes: false). */
  idle(timeoutMs?: number): Promise<boolean>;
  /** Wake the send loop now. */
  poke(): void;
  close(): Promise<void>;
}

export async function openConnectorDb(f: Folders, memory = false): Promise<Db> {
  const db = await openDb(memory ? {} : { dataDir: f.db });
  try {
    await migrate(db, [CONNECTOR_MIGRATIONS]);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

export async function resendFailed(db: Db, maLk?: string): Promise<number> {
  return db.transaction(async (tx) => {
    const filter = maLk ? `AND ma_lk = $1` : '';
    const params = maLk ? [maLk] : [];
    const items = (await tx.query<{ id: number; batch_id: number | null }>(`SELECT id, batch_id FROM con_item WHERE state = 'failed' ${filter}`, params)).rows;
    const batches = [...new Set(items.map((i) => i.batch_id).filter((b): b is number => b !== null))];
    if (batches.length) {
      // The same bytes again: an idempotent gateway answers with its receipt if it had them.
      await tx.query(`UPDATE con_batch SET state = 'ready', next_attempt_at = now(), done_at = NULL WHERE id = ANY($1::bigint[]) AND state IN ('failed', 'held')`, [batches]);
      await tx.query(`UPDATE con_item SET state = 'sending', problems = NULL WHERE batch_id = ANY($1::bigint[]) AND state = 'failed'`, [batches]);
    }
    const loose = items.filter((i) => i.batch_id === null).map((i) => i.id);
    if (loose.length) await tx.query(`UPDATE con_item SET state = 'queued', problems = NULL WHERE id = ANY($1::bigint[])`, [loose]);
    return items.length;
  });
}

/** A reconciliation period from ISO dates/times; default: today (Vietnam time). */
export function period(from?: string, to?: string): { from: Date; to: Date } {
  const d = vnDate();
  const f = from ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(from) ? `${from}T00:00:00+07:00` : from) : new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T00:00:00+07:00`);
  const t = to ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T00:00:00+07:00` : to) : new Date(Math.max(Date.now() + 60_000, f.getTime() + 86400_000));
  if (Number.isNaN(f.getTime())) throw ProblemError.of(COMMON.INPUT_INVALID, 'from', { rule: 'ISO 8601 date', detail: 'from' });
  if (Number.isNaN(t.getTime()) || t <= f) throw ProblemError.of(COMMON.INPUT_INVALID, 'to', { rule: 'ISO 8601 date after from', detail: 'to' });
  return { from: f, to: t };
}

export async function startConnector(input: ConnectorConfigInput | ConnectorConfig, o: StartConnectorOptions = {}): Promise<RunningConnector> {
  const cfg = resolveConnectorConfig(input as ConnectorConfigInput);
  const f = folders(cfg.dataDir, cfg.inbox);
  const signer = o.signer ?? (await loadSigner(cfg.signer));
  const sender = o.sender ?? makeSender(cfg.target, cfg.retry.timeoutMs);
  const db = o.db ?? (await openConnectorDb(f, o.memoryDb));
  const closeDb = () => (o.db ? Promise.resolve() : db.close());
  const emit = o.onEvent ?? (() => {});
  const engine = new Engine(db, cfg, f, sender, signer, { onEvent: emit });
  const targetLabel = `${cfg.target.kind} ${cfg.target.url}`;

  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  // A poke while the loop is busy is remembered, so no arrival waits for the next timer.
  let dirty = false;
  const poke = () => {
    dirty = true;
    const w = wake;
    wake = undefined;
    w?.();
  };
  let loop: Promise<void> = Promise.resolve();
  let app: FastifyInstance | undefined;
  let watcher: Watcher | undefined;

  const submit = async (bytes: Uint8Array, name = 'http.xml', so: { replace?: boolean } = {}) => {
    const s = await storeFile(db, f, bytes, name, 'http', so.replace ?? false);
    const report = await processFile(db, cfg, s.fileId);
    if (report.state === 'rejected' && s.isNew) {
      const copy = writeDurable(f.rejected, freeName(f.rejected, `${s.sha256.slice(0, 12)}-${report.name}`), bytes);
      writeRejected(f, report, copy);
    }
    if (report.queued.length) poke();
    return report;
  };

  try {
    await engine.recover();
    if (!o.passive) {
      loop = (async () => {
        while (!stopped) {
          let wait: number;
          dirty = false;
          try {
            wait = await engine.work();
          } catch (e) {
            emit({ kind: 'error', level: 'error', text: `Lỗi vòng gửi / send loop error: ${redact(String((e as Error).message ?? e)).slice(0, 200)}` });
            wait = cfg.retry.baseMs;
          }
          if (stopped) break;
          if (dirty) continue;
          await new Promise<void>((res) => {
            wake = res;
            if (Number.isFinite(wait)) timer = setTimeout(res, Math.max(5, Math.min(wait, 60_000)));
            else timer = setTimeout(res, 60_000);
          });
          clearTimeout(timer);
        }
      })();
      watcher = new Watcher(db, cfg, f, (r) => {
        if (r.queued.length) poke();
        emit({ kind: 'intake', level: r.state === 'rejected' ? 'warn' : 'info', text: `Tệp / file ${r.name}: ${r.queued.length} xếp hàng / queued, ${r.duplicates.length} trùng / duplicates, ${r.rejected.length + (r.problems.length ? 1 : 0)} lỗi / rejected` });
      }, (e) => emit({ kind: 'error', level: 'error', text: `Lỗi thư mục / folder error: ${redact(String((e as Error).message ?? e)).slice(0, 200)}` }));
      watcher.start();

      app = Fastify({ logger: false, bodyLimit: cfg.maxFileBytes });
      app.addContentTypeParser(['application/xml', 'text/xml', 'application/octet-stream'], { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
      app.setErrorHandler((err, _req, reply) => {
        if (isProblemError(err)) return reply.status(err.status).send({ problems: err.problems });
        const e = err as { statusCode?: number; code?: string };
        if (e.statusCode === 413) return reply.status(413).send({ problems: [problem(COMMON.INPUT_TOO_LARGE, 'body', { limit: cfg.maxFileBytes })] });
        if (e.statusCode && e.statusCode < 500) return reply.status(e.statusCode).send({ problems: [problem(COMMON.INPUT_INVALID, 'request', { rule: 'request', detail: 'bad request' })] });
        return reply.status(500).send({ problems: [problem(COMMON.INTERNAL)] });
      });
      app.get('/health', async () => ({ status: 'ok' }));
      // Writes need the configured token (when set): a HIS on another machine must prove itself.
      app.addHook('onRequest', async (req, reply) => {
        const want = cfg.http.token;
        if (!want || req.method !== 'POST') return;
        const got = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
        const a = Buffer.from(got);
        const b = Buffer.from(want);
        if (a.length !== b.length || !timingSafeEqual(a, b)) return reply.status(401).send({ problems: [problem(CON.CON_AUTH, 'authorization')] });
      });
      // The HIS posts one XML document; the answer comes only after it is stored (fsynced) and queued.
      app.post<{ Querystring: { replace?: string; name?: string } }>('/api/v1/intake', async (req, reply) => {
        if (!Buffer.isBuffer(req.body) || !req.body.length) return reply.status(415).send({ problems: [problem(COMMON.INPUT_INVALID, 'body', { rule: 'Content-Type: application/xml', detail: 'raw XML body' })] });
        const name = typeof req.headers['x-file-name'] === 'string' ? req.headers['x-file-name'] : (req.query.name ?? 'http.xml');
        const r = await submit(req.body, name, { replace: req.query.replace === '1' || req.query.replace === 'true' });
        return reply.status(r.state === 'rejected' && !r.queued.length ? 422 : 202).send(r);
      });
      app.get('/api/v1/status', async () => readStatus(db, cfg.macskcb, targetLabel));
      app.get<{ Querystring: { state?: string; limit?: string } }>('/api/v1/items', async (req) => {
        const limit = Math.min(500, Math.max(1, Number(req.query.limit) || 100));
        const st = req.query.state && /^[a-z]{1,20}$/.test(req.query.state) ? req.query.state : null;
        const rows = (await db.query(`SELECT id, kind, ma_lk, local_version, replaces, state, received_at, sent_at, accepted_at, remote_version, problems FROM con_item WHERE ($1::text IS NULL OR state = $1) ORDER BY id DESC LIMIT ${limit}`, [st])).rows;
        return { items: rows.map((r) => ({ id: r.id, kind: r.kind, maLk: r.ma_lk, version: r.local_version, replaces: r.replaces, state: r.state, receivedAt: r.received_at, sentAt: r.sent_at, acceptedAt: r.accepted_at, gatewayVersion: r.remote_version, problems: r.problems ?? [] })) };
      });
      app.get<{ Querystring: { from?: string; to?: string } }>('/api/v1/reconcile', async (req) => {
        const { from, to } = period(req.query.from, req.query.to);
        return reconcile(db, sender, from, to);
      });
      app.post<{ Querystring: { maLk?: string } }>('/api/v1/resend', async (req) => {
        const n = await resendFailed(db, req.query.maLk ? String(req.query.maLk).slice(0, 100) : undefined);
        poke();
        return { requeued: n };
      });
      app.get('/', async (_req, reply) => {
        const s = await readStatus(db, cfg.macskcb, targetLabel);
        const q = (await db.query(`SELECT i.ma_lk, i.state, i.received_at, coalesce(b.attempts, 0) AS attempts FROM con_item i LEFT JOIN con_batch b ON b.id = i.batch_id WHERE i.state IN ('queued', 'sending') ORDER BY i.id LIMIT 100`)).rows;
        return reply.type('text/html; charset=utf-8').send(renderPage(s, q.map((r) => ({ maLk: r.ma_lk, state: r.state, receivedAt: new Date(r.received_at).toISOString(), attempts: r.attempts }))));
      });
      await app.listen({ host: cfg.http.host, port: cfg.http.port });
    }
  } catch (e) {
    stopped = true;
    poke();
    await watcher?.stop();
    await app?.close();
    await loop;
    await closeDb();
    throw e;
  }
  const addr = app?.server.address();
  const url = addr && typeof addr === 'object' ? `http://${cfg.http.host.includes(':') ? `[${cfg.http.host}]` : cfg.http.host}:${addr.port}` : '';
  poke();

  let closing: Promise<void> | undefined;
  return {
    url,
    config: cfg,
    db,
    folders: f,
    status: () => readStatus(db, cfg.macskcb, targetLabel),
    submit,
    reconcile: (from, to) => reconcile(db, sender, from, to),
    async resendFailed(maLk?: string) {
      const n = await resendFailed(db, maLk);
      poke();
      return n;
    },
    async idle(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const r = (await db.query(`SELECT count(*)::int AS n FROM con_item WHERE state IN ('queued', 'sending')`)).rows[0];
        const files = (await db.query(`SELECT count(*)::int AS n FROM con_file WHERE state = 'received'`)).rows[0];
        if (r.n === 0 && files.n === 0) return true;
        await new Promise((res) => setTimeout(res, 50));
      }
      return false;
    },
    poke,
    close() {
      closing ??= (async () => {
        stopped = true;
        poke();
        clearTimeout(timer);
        await watcher?.stop();
        await app?.close();
        await loop;
        await closeDb();
      })();
      return closing;
    },
  };
}
