// Death notices (giấy báo tử) and driving-licence health-check certificates (giấy khám sức khỏe
// lái xe) in the book. Their document format (modelled in the standard's style) lives in
// src/standard/certificates.ts; facilities send them signed to the gateway, which verifies and
// archives them and publishes `certificate.accepted`; projectCertificate puts them in the book.
import { ProblemError, problem, type Problem } from '../errors/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import type { Actor } from '../access/index.ts';
import { ACC } from '../access/index.ts';
import { BOOK } from './errors.ts';
import { parseVnTime } from './dates.ts';
import { announce, insertEntries, linkPerson, supersede, type NewEntry } from './project.ts';
import { KIND_LABELS } from './kinds.ts';
import { CERTIFICATES, parseCertificateDoc, validateCertificateRow, type CertificateKind } from '../standard/index.ts';

export { CERTIFICATES, type CertField, type CertDefinition } from '../standard/index.ts';

/**
 * Validate a certificate row: its shape here (known kind, an object of text fields, no unknown
 * field → BOOK_CERT_INVALID), then the standard's field rules — the same validateCertificateRow,
 * codes and paths as the gateway gives for a signed document (STD_FIELD_REQUIRED, STD_FIELD_CODE…).
 */
export function validateCertificate(kind: string, row: unknown): Problem[] {
  const def = CERTIFICATES[kind as keyof typeof CERTIFICATES];
  const bad = (field: string, detail: string) => problem(BOOK.BOOK_CERT_INVALID, `${kind}.${field}`, { field, detail, rule: detail });
  if (!def) return [bad('kind', 'death_notice | driving_check')];
  if (!row || typeof row !== 'object' || Array.isArray(row)) return [bad('row', 'an object of field → text')];
  const r = row as Record<string, unknown>;
  if (Object.keys(r).length > 100) return [bad('row', 'too many fields')];
  const out: Problem[] = [];
  const known = new Set(def.fields.map((x) => x.name));
  const text: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) {
    if (!known.has(k)) out.push(bad(k, 'unknown field'));
    else if (v === undefined || v === null) continue;
    else if (typeof v !== 'string') out.push(bad(k, 'text'));
    else text[k] = v;
  }
  return [...out, ...validateCertificateRow(kind as CertificateKind, text)];
}

/**
 * Put a certificate in the book (inside the caller's transaction): a new number is version 1; a
 * number already in the book becomes its next version when `replace` (the earlier entry is retracted,
 * history kept), else BOOK_CERT_DUPLICATE.
 */
async function intoBook(
  tx: Queryable,
  c: { kind: CertificateKind; row: Record<string, string>; macskcb: string; replace: boolean; packageId: number | null; acceptedAt: Date | null },
): Promise<{ certificateId: number; version: number; entryId: number; personalId: string }> {
  const { kind, row, macskcb } = c;
  const def = CERTIFICATES[kind];
  const number = row[def.numberField];
  const personalId = row.SO_CCCD;
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`book-certificate:${kind}|${macskcb}|${number}`]);
  const prev = (await tx.query(`SELECT max(version) AS v FROM book_certificate WHERE kind = $1 AND macskcb = $2 AND number = $3`, [kind, macskcb, number])).rows[0].v as number | null;
  if (prev && !c.replace) throw ProblemError.of(BOOK.BOOK_CERT_DUPLICATE, `${kind}.${def.numberField}`);
  const version = (prev ?? 0) + 1;
  await tx.query(`UPDATE book_certificate SET current = false WHERE kind = $1 AND macskcb = $2 AND number = $3`, [kind, macskcb, number]);
  const ins = await tx.query<{ id: number; received_at: Date }>(
    `INSERT INTO book_certificate (kind, macskcb, number, version, personal_id, row, package_id, received_at) VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,coalesce($8::timestamptz, now())) RETURNING id, received_at`,
    [kind, macskcb, number, version, personalId, JSON.stringify(row), c.packageId, c.acceptedAt],
  );
  const maLk = `${kind === 'death_notice' ? 'BAOTU' : 'KSKLX'}:${number}`;
  const retracted = await supersede(tx, { macskcb, maLk, belowVersion: version, certificate: true }, ins.rows[0].id);
  const entry: NewEntry = {
    kind: def.kind, sourceTable: def.root, seq: 0, occurredAt: parseVnTime(row[def.whenField]) ?? parseVnTime(row.NGAY_CT),
    title: kind === 'driving_check' ? `${KIND_LABELS.driving_check.vi} hạng ${row.HANG_GPLX}: ${row.DU_DIEU_KIEN === '1' ? 'đủ điều kiện' : 'không đủ điều kiện'}` : `${KIND_LABELS.death_notice.vi} số ${number}`,
    data: row,
  };
  const [entryId] = await insertEntries(tx, { personalId, bhytCard: row.MA_THE_BHYT || null, dossierId: null, certificateId: ins.rows[0].id, macskcb, maLk, version, acceptedAt: ins.rows[0].received_at, current: true }, [entry], retracted ? 'changed' : 'new');
  await linkPerson(tx, personalId, row.MA_THE_BHYT ? [row.MA_THE_BHYT] : [], { name: row.HO_TEN, birth: row.NGAY_SINH, sex: row.GIOI_TINH });
  await announce(tx, [personalId]);
  return { certificateId: ins.rows[0].id, version, entryId, personalId };
}

/**
 * The book's own intake of a certificate row by a facility or one of its doctors, in process
 * (tests and tools). Facilities send certificates SIGNED to the gateway (POST /api/v1/certificates),
 * which verifies them and hands them over through `certificate.accepted` (projectCertificate).
 */
export async function receiveCertificate(db: Db, actor: Actor, kind: string, row: Record<string, string>, opts: { replace?: boolean } = {}): Promise<{ certificateId: number; version: number; entryId: number; personalId: string }> {
  if (actor.role !== 'facility' && actor.role !== 'doctor') throw ProblemError.of(ACC.ACC_FORBIDDEN_ROLE, 'principal.role', { roles: 'facility, doctor' });
  const problems = validateCertificate(kind, row);
  if (problems.length) throw new ProblemError(problems);
  const macskcb = row.MA_CSKCB.toUpperCase();
  if ((actor.macskcb ?? '').toUpperCase() !== macskcb) throw ProblemError.of(BOOK.BOOK_CERT_FACILITY, `${kind}.MA_CSKCB`);
  return db.transaction((tx) => intoBook(tx, { kind: kind as CertificateKind, row, macskcb, replace: !!opts.replace, packageId: null, acceptedAt: null }));
}

/**
 * Outbox consumer of `certificate.accepted`: the signed document the gateway verified and archived
 * becomes a book entry (idempotent on the archive row; the gateway already decided whether it is a
 * replacement, so a number already in the book becomes its next version).
 */
export async function projectCertificate(tx: Queryable, packageId: number): Promise<'projected' | 'already'> {
  if ((await tx.query(`SELECT 1 FROM book_certificate WHERE package_id = $1`, [packageId])).rows.length) return 'already';
  const a = (await tx.query<{ bytes: Uint8Array; macskcb: string; receipt: { acceptedAt?: string } }>(`SELECT bytes, macskcb, receipt FROM package_archive WHERE id = $1 AND kind = 'certificate'`, [packageId])).rows[0];
  if (!a) throw new Error(`certificate document ${packageId} not in the archive`);
  const doc = parseCertificateDoc(a.bytes);
  await intoBook(tx, { kind: doc.kind, row: doc.row, macskcb: a.macskcb.toUpperCase(), replace: true, packageId, acceptedAt: a.receipt.acceptedAt ? new Date(a.receipt.acceptedAt) : null });
  return 'projected';
}
