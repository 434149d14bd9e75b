// Facility submissions for the portal. The gateway's own query functions (listPackages,
// packageReceipt, reconciliation) are used when its index.ts exports them; until then the same
// read over the gateway's tables (package_archive, package_rejection, dossier), scoped to one
// facility.
import type { Problem } from '../errors/index.ts';
import type { Db } from '../store/index.ts';
import { domainFn } from './domains.ts';

export interface PackageSummary {
  sha256: string;
  receiptId: string;
  kind: string;
  status: string;
  receivedAt: Date;
  dossiers: number;
  accepted: number;
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

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

export async function listPackages(db: Db, macskcb: string, from: Date, to: Date): Promise<PackageSummary[]> {
  const gw = await domainFn('gateway', 'listPackages');
  if (gw) return (await gw(db, macskcb, from, to)) as PackageSummary[];
  const r = await db.query(
    `SELECT * FROM (
       SELECT receipt_id, sha256, kind, status, received_at, receipt FROM package_archive WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3
       UNION ALL
       SELECT receipt_id, sha256, kind, 'rejected', received_at, receipt FROM package_rejection WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3
     ) x ORDER BY received_at DESC LIMIT 500`,
    [macskcb, from, to],
  );
  return r.rows.map((x) => {
    const ds = ((json(x.receipt) as Receipt)?.dossiers ?? []) as { status: string }[];
    return { receiptId: x.receipt_id, sha256: x.sha256, kind: x.kind, status: x.status, receivedAt: new Date(x.received_at), dossiers: ds.length, accepted: ds.filter((d) => d.status === 'accepted').length };
  });
}

export async function getReceipt(db: Db, macskcb: string, sha256: string): Promise<Receipt | null> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
  const gw = await domainFn('gateway', 'packageReceipt');
  if (gw) return (await gw(db, macskcb, sha256)) as Receipt | null;
  const a = await db.query(`SELECT receipt FROM package_archive WHERE sha256 = $1 AND macskcb = $2`, [sha256, macskcb]);
  if (a.rows[0]) return json(a.rows[0].receipt) as Receipt;
  const r = await db.query(`SELECT receipt FROM package_rejection WHERE sha256 = $1 AND macskcb = $2 ORDER BY id DESC LIMIT 1`, [sha256, macskcb]);
  return r.rows[0] ? (json(r.rows[0].receipt) as Receipt) : null;
}

export interface Reconciliation {
  sent: number;
  accepted: number;
  rejected: number;
  replaced: number;
  dossiersAccepted: number;
}

export async function reconcile(db: Db, macskcb: string, from: Date, to: Date): Promise<Reconciliation> {
  const gw = await domainFn('gateway', 'reconciliation');
  if (gw) return (await gw(db, macskcb, from, to)) as Reconciliation;
  const c = (
    await db.query(
      `SELECT
         (SELECT count(*) FROM package_archive WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3)::int AS accepted,
         (SELECT count(*) FROM package_rejection WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3)::int AS rejected,
         (SELECT count(*) FROM dossier WHERE macskcb = $1 AND accepted_at >= $2 AND accepted_at < $3)::int AS dossiers,
         (SELECT count(*) FROM dossier WHERE macskcb = $1 AND accepted_at >= $2 AND accepted_at < $3 AND replaces_id IS NOT NULL)::int AS replaced`,
      [macskcb, from, to],
    )
  ).rows[0];
  return { sent: c.accepted + c.rejected, accepted: c.accepted, rejected: c.rejected, replaced: c.replaced, dossiersAccepted: c.dossiers };
}

export async function facilityName(db: Db, macskcb: string): Promise<string | null> {
  const r = await db.query(`SELECT name FROM facility_account WHERE macskcb = $1`, [macskcb]);
  return r.rows[0]?.name ?? null;
}
