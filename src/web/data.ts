// Facility submissions for the portal: the gateway's own query functions, scoped to one
// facility (no SQL of the gateway's tables here).
import type { Problem } from '../errors/index.ts';
import type { Db } from '../store/index.ts';
import * as gateway from '../gateway/index.ts';

export type PackageSummary = Awaited<ReturnType<typeof gateway.listPackages>>[number];
export type Reconciliation = Awaited<ReturnType<typeof gateway.reconciliation>>;

/** The receipt as the pages read it (the gateway's signed receipt). */
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

export function listPackages(db: Db, macskcb: string, from: Date, to: Date): Promise<PackageSummary[]> {
  return gateway.listPackages(db, macskcb, from, to);
}

export async function getReceipt(db: Db, macskcb: string, sha256: string): Promise<Receipt | null> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
  return (await gateway.packageReceipt(db, macskcb, sha256)) as Receipt | null;
}

export function reconcile(db: Db, macskcb: string, from: Date, to: Date): Promise<Reconciliation> {
  return gateway.reconciliation(db, macskcb, from, to);
}

export async function facilityName(db: Db, macskcb: string): Promise<string | null> {
  const r = await db.query(`SELECT name FROM facility_account WHERE macskcb = $1`, [macskcb]);
  return r.rows[0]?.name ?? null;
}
