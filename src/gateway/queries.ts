// Facility queries: a package's receipt and original bytes, a dossier's versions, lists by
// time range, reconciliation for a period. Always scoped to the asking facility.
import type { Queryable } from '../store/index.ts';
import { ProblemError } from '../errors/index.ts';
import { GW } from './errors.ts';
import type { Receipt } from './receipt.ts';

const LIST_LIMIT = 5000;

export async function packageReceipt(db: Queryable, macskcb: string, sha256: string): Promise<Receipt | null> {
  const a = await db.query<{ receipt: Receipt }>(`SELECT receipt FROM package_archive WHERE sha256 = $1 AND macskcb = $2`, [sha256, macskcb]);
  if (a.rows[0]) return a.rows[0].receipt;
  const r = await db.query<{ receipt: Receipt }>(`SELECT receipt FROM package_rejection WHERE sha256 = $1 AND macskcb = $2 ORDER BY id DESC LIMIT 1`, [sha256, macskcb]);
  return r.rows[0]?.receipt ?? null;
}

export async function packageOriginal(db: Queryable, macskcb: string, sha256: string): Promise<Buffer | null> {
  const a = await db.query<{ bytes: Buffer }>(`SELECT bytes FROM package_archive WHERE sha256 = $1 AND macskcb = $2`, [sha256, macskcb]);
  if (a.rows[0]) return a.rows[0].bytes;
  const r = await db.query<{ bytes: Buffer }>(`SELECT bytes FROM package_rejection WHERE sha256 = $1 AND macskcb = $2 AND bytes IS NOT NULL ORDER BY id DESC LIMIT 1`, [sha256, macskcb]);
  return r.rows[0]?.bytes ?? null;
}

export interface DossierVersion {
  dossierId: number;
  maLk: string;
  version: number;
  current: boolean;
  replacesId: number | null;
  packageSha256: string;
  receiptId: string | null;
  acceptedAt: Date;
}

/** Every version of a dossier, oldest first (the chain of replacements). */
export async function dossierVersions(db: Queryable, macskcb: string, maLk: string): Promise<DossierVersion[]> {
  const r = await db.query(
    `SELECT d.id, d.ma_lk, d.version, d.current, d.replaces_id, d.accepted_at, p.sha256, p.receipt_id
     FROM dossier d JOIN package_archive p ON p.id = d.package_id WHERE d.macskcb = $1 AND d.ma_lk = $2 ORDER BY d.version`,
    [macskcb, maLk],
  );
  return r.rows.map((x) => ({ dossierId: x.id, maLk: x.ma_lk, version: x.version, current: x.current, replacesId: x.replaces_id, packageSha256: x.sha256, receiptId: x.receipt_id, acceptedAt: x.accepted_at }));
}

export interface PackageSummary {
  receiptId: string;
  sha256: string;
  kind: string;
  status: string;
  receivedAt: Date;
  dossiers: number;
  accepted: number;
}

export function parsePeriod(from?: string, to?: string): { from: Date; to: Date } {
  const f = from ? new Date(from) : new Date(Date.now() - 30 * 86400_000);
  const t = to ? new Date(to) : new Date(Date.now() + 60_000);
  if (Number.isNaN(f.getTime())) throw ProblemError.of(GW.GW_QUERY, 'from', { rule: 'ISO 8601 date-time', detail: 'from' });
  if (Number.isNaN(t.getTime())) throw ProblemError.of(GW.GW_QUERY, 'to', { rule: 'ISO 8601 date-time', detail: 'to' });
  if (t <= f) throw ProblemError.of(GW.GW_QUERY, 'to', { rule: 'to > from', detail: 'to' });
  return { from: f, to: t };
}

/** Packages received in [from, to): accepted/partial (archive) and rejected attempts, newest first. */
export async function listPackages(db: Queryable, macskcb: string, from: Date, to: Date, status?: string): Promise<PackageSummary[]> {
  const r = await db.query(
    `SELECT * FROM (
       SELECT receipt_id, sha256, kind, status, received_at, receipt FROM package_archive WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3
       UNION ALL
       SELECT receipt_id, sha256, kind, 'rejected', received_at, receipt FROM package_rejection WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3
     ) x WHERE ($4::text IS NULL OR status = $4) ORDER BY received_at DESC LIMIT ${LIST_LIMIT}`,
    [macskcb, from, to, status ?? null],
  );
  return r.rows.map((x) => {
    const ds = (x.receipt?.dossiers ?? []) as { status: string }[];
    return { receiptId: x.receipt_id, sha256: x.sha256, kind: x.kind, status: x.status, receivedAt: x.received_at, dossiers: ds.length, accepted: ds.filter((d) => d.status === 'accepted').length };
  });
}

export interface Reconciliation {
  macskcb: string;
  from: Date;
  to: Date;
  /** Submissions received (accepted, partial and rejected attempts). */
  sent: number;
  /** Packages accepted whole or in part. */
  accepted: number;
  rejected: number;
  /** Dossier versions accepted in the period that replace an earlier version. */
  replaced: number;
  dossiersAccepted: number;
  packages: PackageSummary[];
  replacements: { maLk: string; version: number; dossierId: number; replacesId: number }[];
}

export async function reconciliation(db: Queryable, macskcb: string, from: Date, to: Date): Promise<Reconciliation> {
  const packages = await listPackages(db, macskcb, from, to);
  const counts = (
    await db.query(
      `SELECT
         (SELECT count(*) FROM package_archive WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3)::int AS accepted,
         (SELECT count(*) FROM package_rejection WHERE macskcb = $1 AND received_at >= $2 AND received_at < $3)::int AS rejected,
         (SELECT count(*) FROM dossier WHERE macskcb = $1 AND accepted_at >= $2 AND accepted_at < $3)::int AS dossiers,
         (SELECT count(*) FROM dossier WHERE macskcb = $1 AND accepted_at >= $2 AND accepted_at < $3 AND replaces_id IS NOT NULL)::int AS replaced`,
      [macskcb, from, to],
    )
  ).rows[0];
  const rep = await db.query(
    `SELECT ma_lk, version, id, replaces_id FROM dossier WHERE macskcb = $1 AND accepted_at >= $2 AND accepted_at < $3 AND replaces_id IS NOT NULL ORDER BY id LIMIT ${LIST_LIMIT}`,
    [macskcb, from, to],
  );
  return {
    macskcb,
    from,
    to,
    sent: counts.accepted + counts.rejected,
    accepted: counts.accepted,
    rejected: counts.rejected,
    replaced: counts.replaced,
    dossiersAccepted: counts.dossiers,
    packages,
    replacements: rep.rows.map((x) => ({ maLk: x.ma_lk, version: x.version, dossierId: x.id, replacesId: x.replaces_id })),
  };
}
