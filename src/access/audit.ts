// The audit of every read of a book, allowed or refused. The citizen sees who read what, when.
import type { Queryable } from '../store/index.ts';
import { actorId, type Actor } from './actor.ts';

export interface AuditInput {
  personalId: string;
  actor: Actor;
  action: string;
  outcome: 'allowed' | 'refused';
  purpose?: string | null;
  consentId?: number | null;
  reason?: string | null;
  entryCount?: number;
  detail?: Record<string, unknown>;
}

export async function writeAudit(q: Queryable, a: AuditInput): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO book_audit (personal_id, actor_role, actor_id, actor_macskcb, action, purpose, consent_id, outcome, reason, entry_count, detail)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::jsonb) RETURNING id`,
    [a.personalId, a.actor.role, actorId(a.actor), a.actor.macskcb ?? null, a.action, a.purpose ?? null, a.consentId ?? null, a.outcome, a.reason ?? null, a.entryCount ?? 0, a.detail ? JSON.stringify(a.detail) : null],
  );
  return r.rows[0].id;
}

/** Write many audit rows in one statement (feed pages). */
export async function writeAuditMany(q: Queryable, actor: Actor, action: string, items: { personalId: string; entryCount: number }[]): Promise<void> {
  if (!items.length) return;
  await q.query(
    `INSERT INTO book_audit (personal_id, actor_role, actor_id, actor_macskcb, action, outcome, entry_count)
     SELECT p, $2, $3, $4, $5, 'allowed', n FROM unnest($1::text[], $6::int[]) AS t(p, n)`,
    [items.map((i) => i.personalId), actor.role, actorId(actor), actor.macskcb ?? null, action, items.map((i) => i.entryCount)],
  );
}

export interface AuditRow {
  id: number;
  at: Date;
  actorRole: string;
  actorId: string;
  actorMacskcb: string | null;
  action: string;
  purpose: string | null;
  consentId: number | null;
  outcome: 'allowed' | 'refused';
  reason: string | null;
  entryCount: number;
  /** What was read: kinds and period filters, entry id, document checked. */
  detail: Record<string, unknown> | null;
}

/** "Who read my book": newest first. */
export async function auditFor(q: Queryable, personalId: string, opts: { limit?: number; before?: number } = {}): Promise<AuditRow[]> {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
  const r = await q.query(
    `SELECT id, at, actor_role, actor_id, actor_macskcb, action, purpose, consent_id, outcome, reason, entry_count, detail
     FROM book_audit WHERE personal_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [personalId, opts.before ?? null, limit],
  );
  return r.rows.map((x) => ({
    id: x.id, at: x.at, actorRole: x.actor_role, actorId: x.actor_id, actorMacskcb: x.actor_macskcb, action: x.action,
    purpose: x.purpose, consentId: x.consent_id, outcome: x.outcome, reason: x.reason, entryCount: x.entry_count, detail: x.detail ?? null,
  }));
}
