// Sharing to the citizen app: an authenticated, cursor-based pull feed of every new, changed or
// retracted entry, and a push webhook (HMAC-signed, retried through the outbox). The time from
// acceptance to publication is recorded per entry; the 24-hour limit is tracked and breaches listed.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ProblemError } from '../errors/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { writeAuditMany, type Actor } from '../access/index.ts';
import { BOOK } from './errors.ts';
import { toEntry, type BookEntry } from './book.ts';

export interface FeedItem {
  seq: number;
  change: 'new' | 'changed' | 'retracted';
  personalId: string;
  publishedAt: Date;
  latencyMs: number;
  entry: BookEntry;
}

export interface FeedPage {
  items: FeedItem[];
  /** Pass back as `cursor` to get what follows; stable across calls. */
  nextCursor: string;
  more: boolean;
}

export const SLA_MS = 24 * 3600 * 1000;

export function encodeCursor(seq: number): string {
  return Buffer.from(`f:${seq}`).toString('base64url');
}
export function decodeCursor(c: string | undefined | null): number {
  if (!c) return 0;
  const m = /^f:(\d{1,15})$/.exec(Buffer.from(c, 'base64url').toString());
  if (!m || c.length > 40) throw ProblemError.of(BOOK.BOOK_FEED_CURSOR, 'cursor');
  return Number(m[1]);
}

const tokenHash = (t: string) => createHash('sha256').update(t).digest('hex');

/** Register a pull-feed client (the citizen app); the token is shown once. */
export async function createFeedClient(db: Queryable, name: string): Promise<{ id: number; token: string }> {
  const token = 'sskf_' + randomBytes(24).toString('base64url');
  const r = await db.query<{ id: number }>(`INSERT INTO book_feed_client (name, token_hash) VALUES ($1, $2) RETURNING id`, [name.slice(0, 200), tokenHash(token)]);
  return { id: r.rows[0].id, token };
}

export async function feedClientFor(db: Queryable, token: string | null): Promise<Actor | null> {
  if (!token) return null;
  const r = await db.query(`SELECT id, name FROM book_feed_client WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash(token)]);
  return r.rows.length ? { role: 'feed', sub: `feed:${r.rows[0].id}`, name: r.rows[0].name } : null;
}

/**
 * One page of the feed after `cursor`. A feed client sees every citizen; a citizen sees only their
 * own entries. Each page writes one audit row per citizen whose entries it carries.
 */
export async function pullFeed(db: Db, actor: Actor, opts: { cursor?: string; limit?: number } = {}): Promise<FeedPage> {
  const after = decodeCursor(opts.cursor);
  const limit = opts.limit ?? 500;
  if (!Number.isInteger(limit) || limit < 1 || limit > 2000) throw ProblemError.of(BOOK.BOOK_BAD_QUERY, 'limit', { field: 'limit', detail: '1..2000', rule: '1..2000' });
  let only: string | null = null;
  if (actor.role === 'citizen') only = actor.sub;
  else if (actor.role !== 'feed') throw ProblemError.of(BOOK.BOOK_BAD_QUERY, 'principal.role', { field: 'role', detail: 'feed client or citizen', rule: 'feed client or citizen' });
  return db.transaction(async (tx) => {
    const r = await tx.query(
      `SELECT f.seq AS feed_seq, f.change AS feed_change, f.personal_id AS feed_pid, f.published_at AS feed_published_at, f.latency_ms, e.*
       FROM book_feed f JOIN book_entry e ON e.id = f.entry_id
       WHERE f.seq > $1 AND ($2::text IS NULL OR f.personal_id = $2) ORDER BY f.seq LIMIT $3`,
      [after, only, limit + 1],
    );
    const more = r.rows.length > limit;
    const rows = r.rows.slice(0, limit);
    const items: FeedItem[] = rows.map((x) => ({ seq: x.feed_seq, change: x.feed_change, personalId: x.feed_pid, publishedAt: x.feed_published_at, latencyMs: x.latency_ms, entry: toEntry(x) }));
    const per = new Map<string, number>();
    for (const i of items) per.set(i.personalId, (per.get(i.personalId) ?? 0) + 1);
    await writeAuditMany(tx, actor, 'feed', [...per].map(([personalId, entryCount]) => ({ personalId, entryCount })));
    return { items, nextCursor: encodeCursor(items.length ? items[items.length - 1].seq : after), more };
  });
}

export interface SlaReport {
  published: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  limitMs: number;
  /** Entries published later than the limit after acceptance. */
  breaches: { entryId: number; seq: number; macskcb: string; maLk: string; acceptedAt: Date; publishedAt: Date; latencyMs: number }[];
  /** Dossiers accepted longer ago than the limit and still not in any book. */
  overdue: { dossierId: number; macskcb: string; maLk: string; acceptedAt: Date; state: 'pending' | 'dead' }[];
}

/** Acceptance → publication figures and the 24-hour breach list for a period (by publication time). */
export async function slaReport(db: Queryable, opts: { from?: Date; to?: Date; limitMs?: number; max?: number } = {}): Promise<SlaReport> {
  const limitMs = opts.limitMs ?? SLA_MS;
  const from = opts.from ?? new Date(0);
  const to = opts.to ?? new Date(Date.now() + 60_000);
  const max = Math.min(opts.max ?? 1000, 10_000);
  const s = (await db.query(
    `SELECT count(*)::int AS n, percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99, max(latency_ms) AS mx
     FROM book_feed WHERE change <> 'retracted' AND published_at >= $1 AND published_at < $2`,
    [from, to],
  )).rows[0];
  const b = await db.query(
    `SELECT f.entry_id, f.seq, e.macskcb, e.ma_lk, f.accepted_at, f.published_at, f.latency_ms FROM book_feed f JOIN book_entry e ON e.id = f.entry_id
     WHERE f.latency_ms > $1 AND f.published_at >= $2 AND f.published_at < $3 ORDER BY f.latency_ms DESC LIMIT $4`,
    [limitMs, from, to, max],
  );
  const o = await db.query(
    `SELECT d.id, d.macskcb, d.ma_lk, d.accepted_at, CASE WHEN EXISTS (SELECT 1 FROM outbox_dead x WHERE x.consumer = 'healthbook.project' AND (x.payload->>'dossierId')::bigint = d.id) THEN 'dead' ELSE 'pending' END AS state
     FROM dossier d
     WHERE d.accepted_at < now() - ($1::bigint * interval '1 millisecond') AND d.accepted_at >= $2
       AND NOT EXISTS (SELECT 1 FROM book_entry e WHERE e.dossier_id = d.id) AND NOT EXISTS (SELECT 1 FROM book_unlinked u WHERE u.dossier_id = d.id)
     ORDER BY d.accepted_at LIMIT $3`,
    [limitMs, from, max],
  );
  return {
    published: s.n, p50Ms: s.p50 ?? null, p99Ms: s.p99 ?? null, maxMs: s.mx ?? null, limitMs,
    breaches: b.rows.map((x) => ({ entryId: x.entry_id, seq: x.seq, macskcb: x.macskcb, maLk: x.ma_lk, acceptedAt: x.accepted_at, publishedAt: x.published_at, latencyMs: x.latency_ms })),
    overdue: o.rows.map((x) => ({ dossierId: x.id, macskcb: x.macskcb, maLk: x.ma_lk, acceptedAt: x.accepted_at, state: x.state })),
  };
}

/** Register a push webhook; returns the HMAC secret (shown once). */
export async function addWebhook(db: Queryable, url: string, opts: { fromStart?: boolean } = {}): Promise<{ id: number; secret: string }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw ProblemError.of(BOOK.BOOK_WEBHOOK_URL, 'url');
  }
  if (!/^https?:$/.test(u.protocol) || url.length > 2000) throw ProblemError.of(BOOK.BOOK_WEBHOOK_URL, 'url');
  const secret = randomBytes(24).toString('base64url');
  const start = opts.fromStart ? 0 : ((await db.query(`SELECT COALESCE(max(seq), 0) AS s FROM book_feed`)).rows[0].s as number);
  const r = await db.query<{ id: number }>(`INSERT INTO book_webhook (url, secret, delivered_seq) VALUES ($1, $2, $3) RETURNING id`, [u.toString(), secret, start]);
  return { id: r.rows[0].id, secret };
}

export function signBody(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

const PUSH_BATCH = 500;
const PUSH_TIMEOUT_MS = 3000;

/**
 * Deliver everything after each webhook's cursor (outbox handler for `book.published`). A failed
 * delivery throws, so the outbox retries with backoff; the cursor makes retries exactly-once per
 * item for a receiver that answers 2xx.
 */
export async function pushWebhooks(tx: Queryable): Promise<{ delivered: number; failed: number }> {
  const hooks = (await tx.query(`SELECT id, url, secret, delivered_seq FROM book_webhook WHERE active ORDER BY id FOR UPDATE SKIP LOCKED`)).rows;
  let delivered = 0;
  const errors: string[] = [];
  for (const h of hooks) {
    for (let round = 0; round < 20; round++) {
      const r = await tx.query(
        `SELECT f.seq, f.change, f.personal_id, f.published_at, f.latency_ms, e.id, e.kind, e.title, e.macskcb, e.ma_lk, e.version, e.occurred_at
         FROM book_feed f JOIN book_entry e ON e.id = f.entry_id WHERE f.seq > $1 ORDER BY f.seq LIMIT $2`,
        [h.delivered_seq, PUSH_BATCH],
      );
      if (!r.rows.length) break;
      const items = r.rows.map((x) => ({ seq: x.seq, change: x.change, personalId: x.personal_id, publishedAt: x.published_at, entry: { id: x.id, kind: x.kind, title: x.title, macskcb: x.macskcb, maLk: x.ma_lk, version: x.version, occurredAt: x.occurred_at } }));
      const body = JSON.stringify({ items, cursor: encodeCursor(items[items.length - 1].seq) });
      let ok = false;
      let err = '';
      try {
        const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ssk-signature': signBody(h.secret, body) }, body, signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
        ok = res.ok;
        if (!ok) err = `HTTP ${res.status}`;
        await res.body?.cancel().catch(() => {});
      } catch (e) {
        err = e instanceof Error ? e.message : String(e);
      }
      if (!ok) {
        await tx.query(`UPDATE book_webhook SET last_error = $2 WHERE id = $1`, [h.id, err.slice(0, 300)]);
        errors.push(`webhook ${h.id}: ${err}`);
        break;
      }
      h.delivered_seq = items[items.length - 1].seq;
      delivered += items.length;
      await tx.query(`UPDATE book_webhook SET delivered_seq = $2, last_error = NULL WHERE id = $1`, [h.id, h.delivered_seq]);
    }
  }
  if (errors.length) throw new Error(errors.join('; '));
  return { delivered, failed: errors.length };
}
