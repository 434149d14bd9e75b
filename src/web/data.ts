// Read models over the shared core tables (src/store/migrations/0002_core.sql) for the facility
// portal, used where the gateway exposes no function of its own. Always scoped to one facility.
import type { Problem } from '../errors/index.ts';
import type { Db } from '../store/index.ts';

export interface PackageSummary {
  sha256: string;
  kind: string;
  status: 'accepted' | 'rejected' | 'partial';
  receivedAt: Date;
  size: number;
  dossiers: number;
  problems: number;
}

export interface Receipt {
  receiptId?: string;
  packageSha256?: string;
  macskcb?: string;
  status?: string;
  receivedAt?: string;
  acceptedAt?: string;
  dossiers?: { maLk: string; status: string; version?: number; dossierId?: number; problems?: Problem[] }[];
  problems?: Problem[];
  signature?: { alg: string; keyId: string; value: string };
}

function countProblems(r: Receipt): number {
  return (r.problems?.length ?? 0) + (r.dossiers ?? []).reduce((n, d) => n + (d.problems?.length ?? 0), 0);
}

export async function listPackages(db: Db, macskcb: string, limit = 50): Promise<PackageSummary[]> {
  const r = await db.query(
    `SELECT sha256, kind, status, received_at, size, receipt FROM package_archive WHERE macskcb = $1 ORDER BY received_at DESC, id DESC LIMIT $2`,
    [macskcb, Math.min(Math.max(limit, 1), 500)],
  );
  return r.rows.map((x) => {
    const receipt = (typeof x.receipt === 'string' ? JSON.parse(x.receipt) : x.receipt) as Receipt;
    return { sha256: x.sha256, kind: x.kind, status: x.status, receivedAt: new Date(x.received_at), size: x.size, dossiers: receipt?.dossiers?.length ?? 0, problems: countProblems(receipt ?? {}) };
  });
}

export async function getReceipt(db: Db, macskcb: string, sha256: string): Promise<{ receipt: Receipt; kind: string; size: number; receivedAt: Date } | null> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
  const r = await db.query(`SELECT receipt, kind, size, received_at FROM package_archive WHERE macskcb = $1 AND sha256 = $2`, [macskcb, sha256]);
  const x = r.rows[0];
  if (!x) return null;
  return { receipt: typeof x.receipt === 'string' ? JSON.parse(x.receipt) : x.receipt, kind: x.kind, size: x.size, receivedAt: new Date(x.received_at) };
}

export interface Reconciliation {
  sent: number;
  accepted: number;
  rejected: number;
  partial: number;
  replaced: number;
  dossiersAccepted: number;
}

export async function reconcile(db: Db, macskcb: string, from: Date, to: Date): Promise<Reconciliation> {
  const p = await db.query(
    `SELECT status, count(*)::int AS n FROM package_archive WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3 GROUP BY status`,
    [macskcb, from, to],
  );
  const by: Record<string, number> = {};
  for (const x of p.rows) by[x.status] = x.n;
  const d = await db.query(
    `SELECT count(*)::int AS n, count(replaces_id)::int AS replaced FROM dossier WHERE macskcb = $1 AND accepted_at >= $2 AND accepted_at < $3`,
    [macskcb, from, to],
  );
  return {
    sent: (by.accepted ?? 0) + (by.rejected ?? 0) + (by.partial ?? 0),
    accepted: by.accepted ?? 0,
    rejected: by.rejected ?? 0,
    partial: by.partial ?? 0,
    replaced: d.rows[0]?.replaced ?? 0,
    dossiersAccepted: d.rows[0]?.n ?? 0,
  };
}

export async function facilityName(db: Db, macskcb: string): Promise<string | null> {
  const r = await db.query(`SELECT name FROM facility_account WHERE macskcb = $1`, [macskcb]);
  return r.rows[0]?.name ?? null;
}
