// The receiving pipeline: authenticated facility → limits → signature against the facility's
// registered certificate → MACSKCB = the account's facility → parse and validate (src/standard)
// → one transaction: exact bytes + SHA-256 in the archive, dossier rows (new versions for
// declared replacements), outbox events → a receipt signed by the gateway.
// Idempotent: the same bytes again give the stored receipt and no second record.
import { createHash, randomUUID } from 'node:crypto';
import { problem, ProblemError, COMMON, type Problem } from '../errors/index.ts';
import { publish, type Queryable } from '../store/index.ts';
import { validateBytes, parseCheckIn, parseGdyk, validateRows, maLkOf, tryParseDateTime, type Dossier } from '../standard/index.ts';
import { GW } from './errors.ts';
import { checkSignature } from './verify.ts';
import { signReceipt, type DossierResult, type Receipt, type UnsignedReceipt } from './receipt.ts';
import type { GatewayContext } from './app.ts';
import type { Principal } from './accounts.ts';

export interface SubmitInput {
  bytes: Uint8Array;
  principal: Principal;
  /** A declared replacement: true for every dossier of the package, or the MA_LK it replaces. */
  replaces?: string | true;
  /** When the request arrived (default now). */
  receivedAt?: Date;
  /** Standard edition named by the endpoint (national facade); default 4750. */
  edition?: '4750' | '3176';
}

export interface SubmitResult {
  receipt: Receipt;
  /** True when the same bytes were received before and the stored receipt is returned. */
  replay: boolean;
}

export type Kind = 'dossier' | 'checkin' | 'gdyk' | 'certificate';

export const ID_METHODS = ['chip_cccd', 'vneid', 'personal_id', 'bhyt_card', 'other'] as const;
export type IdMethod = (typeof ID_METHODS)[number];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Bytes travel as base64 text decoded by the database: ~4× faster than a bytea parameter on PGlite. */
export const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Stored receipt of exactly these bytes, if accepted before. */
export async function storedReceipt(db: Queryable, sha: string): Promise<{ macskcb: string; receipt: Receipt } | null> {
  const r = await db.query<{ macskcb: string; receipt: Receipt }>(`SELECT macskcb, receipt FROM package_archive WHERE sha256 = $1`, [sha]);
  return r.rows[0] ?? null;
}

function base(kind: Kind, sha: string, macskcb: string, receivedAt: Date): UnsignedReceipt {
  return { receiptId: randomUUID(), packageSha256: sha, macskcb, kind, status: 'rejected', receivedAt: receivedAt.toISOString(), dossiers: [], problems: [] };
}

export async function reject(ctx: GatewayContext, db: Queryable, r: UnsignedReceipt, bytes: Uint8Array, problems: Problem[]): Promise<SubmitResult> {
  const receipt = signReceipt({ ...r, status: 'rejected', problems: [...r.problems, ...problems] }, ctx.receiptKey);
  await db.query(
    `INSERT INTO package_rejection (receipt_id, sha256, macskcb, kind, size, bytes, received_at, receipt) VALUES ($1, $2, $3, $4, $5, decode($6, 'base64'), $7, $8)`,
    [receipt.receiptId, receipt.packageSha256, receipt.macskcb, receipt.kind, bytes.byteLength, b64(bytes), receipt.receivedAt, JSON.stringify(receipt)],
  );
  return { receipt, replay: false };
}

/** Checks shared by every kind before the content: size, replay, signature. */
export async function precheck(ctx: GatewayContext, kind: Kind, input: SubmitInput): Promise<{ done?: SubmitResult; sha: string; r: UnsignedReceipt; certificateId?: number; signedAt?: Date }> {
  const { bytes, principal } = input;
  const sha = sha256(bytes);
  const r = base(kind, sha, principal.macskcb, input.receivedAt ?? new Date());
  if (!bytes.byteLength) throw ProblemError.of(GW.GW_BODY_EMPTY, 'body');
  if (bytes.byteLength > ctx.config.maxPackageBytes) throw ProblemError.of(COMMON.INPUT_TOO_LARGE, 'body', { limit: ctx.config.maxPackageBytes });
  // Replay lookup and the facility's certificates in one round trip.
  const first = (
    await ctx.db.query<{ prev: { macskcb: string; receipt: Receipt } | null; certs: { id: number; fingerprint: string; der: string; revoked_at: string | null }[] | null }>(
      `SELECT (SELECT json_build_object('macskcb', macskcb, 'receipt', receipt) FROM package_archive WHERE sha256 = $1) AS prev,
              (SELECT json_agg(json_build_object('id', id, 'fingerprint', fingerprint, 'der', encode(der, 'hex'), 'revoked_at', revoked_at) ORDER BY id)
                 FROM facility_certificate WHERE macskcb = $2) AS certs`,
      [sha, principal.macskcb],
    )
  ).rows[0];
  const prev = first.prev;
  if (prev) {
    if (prev.macskcb === principal.macskcb) return { done: { receipt: prev.receipt, replay: true }, sha, r };
    return { done: await reject(ctx, ctx.db, r, bytes, [problem(GW.GW_FACILITY_MISMATCH, 'MACSKCB', { found: prev.macskcb, expected: principal.macskcb })]), sha, r };
  }
  const certs = (first.certs ?? []).map((c) => ({ id: Number(c.id), fingerprint: c.fingerprint, der: Buffer.from(c.der, 'hex'), revoked_at: c.revoked_at }));
  const sig = await checkSignature(ctx.db, principal.macskcb, bytes, { at: input.receivedAt, maxBytes: ctx.config.maxPackageBytes, certs });
  if (!sig.ok) {
    // Say "other facility" first when the document names another one (a peek, nothing trusted).
    const named = peekFacility(bytes, kind);
    const extra = named && named !== principal.macskcb ? [problem(GW.GW_FACILITY_MISMATCH, kind === 'dossier' ? 'GIAMDINHHS.THONGTINDONVI.MACSKCB' : 'MA_CSKCB', { found: named, expected: principal.macskcb })] : [];
    return { done: await reject(ctx, ctx.db, r, bytes, [...extra, ...sig.problems]), sha, r };
  }
  return { sha, r, certificateId: sig.certificateId, signedAt: sig.signedAt };
}

/** The facility code a document names, read without parsing (only to word a rejection). */
function peekFacility(bytes: Uint8Array, kind: Kind): string | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1 << 20)).toString('latin1');
  const m = (kind === 'dossier' ? /<MACSKCB>\s*([0-9A-Za-z]{1,10})\s*<\/MACSKCB>/ : /<MA_CSKCB>\s*([0-9A-Za-z]{1,10})\s*<\/MA_CSKCB>/).exec(head);
  return m ? m[1] : null;
}

function errorsOf(ps: Problem[]): Problem[] {
  return ps.filter((p) => p.severity === 'error');
}

const PERSONAL_ID = /^\d{12}$/;

function dossierColumns(d: Dossier) {
  const x1 = d.tables.XML1?.[0] ?? {};
  const pid = (x1.SO_CCCD ?? '').trim();
  const card = (x1.MA_THE_BHYT ?? '').split(';')[0].trim();
  return {
    personalId: PERSONAL_ID.test(pid) ? pid : null,
    bhytCard: card || null,
    maLoaiKcb: x1.MA_LOAI_KCB || null,
    visitStart: x1.NGAY_VAO ? tryParseDateTime(x1.NGAY_VAO) : null,
    visitEnd: x1.NGAY_RA ? tryParseDateTime(x1.NGAY_RA) : null,
  };
}

class Replay extends Error {}

/** Receive a GIAMDINHHS package. */
export async function submitPackage(ctx: GatewayContext, input: SubmitInput): Promise<SubmitResult> {
  const pre = await precheck(ctx, 'dossier', input);
  if (pre.done) return pre.done;
  const { sha, r } = pre;
  const { bytes, principal } = input;
  const v = validateBytes(bytes, { edition: input.edition, limits: { maxBytes: ctx.config.maxPackageBytes, maxDossiers: ctx.config.maxDossiers } });
  const pkg = v.package;
  if (!pkg) return reject(ctx, ctx.db, r, bytes, v.problems);
  if (pkg.macskcb !== principal.macskcb) {
    return reject(ctx, ctx.db, r, bytes, [problem(GW.GW_FACILITY_MISMATCH, 'GIAMDINHHS.THONGTINDONVI.MACSKCB', { found: pkg.macskcb.slice(0, 10), expected: principal.macskcb })]);
  }
  if (pkg.dossiers.length > ctx.config.maxDossiers) return reject(ctx, ctx.db, r, bytes, [problem(GW.GW_TOO_MANY_DOSSIERS, 'GIAMDINHHS.THONGTINHOSO', { limit: ctx.config.maxDossiers })]);
  const pkgErrors = errorsOf(v.problems);
  if (pkgErrors.length) return reject(ctx, ctx.db, r, bytes, v.problems);
  const maLks = pkg.dossiers.map((d) => maLkOf(d));
  if (typeof input.replaces === 'string' && !maLks.includes(input.replaces)) {
    return reject(ctx, ctx.db, r, bytes, [problem(GW.GW_REPLACE_MISMATCH, 'X-Replaces', { maLk: input.replaces.slice(0, 100) })]);
  }

  const attempt = () =>
    ctx.db.transaction(async (tx): Promise<SubmitResult> => {
      // One writer per (facility, MA_LK) at a time, in a fixed order (no deadlocks).
      const keys = [...new Set(maLks.filter(Boolean))].sort();
      for (const k of keys) await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${principal.macskcb}/${k}`]);
      // Same bytes accepted meanwhile by another process → its receipt. And the latest held
      // version of every MA_LK of the package. One query, after the locks.
      const seen = (
        await tx.query<{ k: string; ma_lk: string | null; id: number | null; version: number | null }>(
          `(SELECT 'replay' AS k, NULL::text AS ma_lk, NULL::bigint AS id, NULL::int AS version FROM package_archive WHERE sha256 = $3)
           UNION ALL
           (SELECT DISTINCT ON (ma_lk) 'held', ma_lk, id, version FROM dossier WHERE macskcb = $1 AND ma_lk = ANY($2::text[]) ORDER BY ma_lk, version DESC)`,
          [principal.macskcb, keys, sha],
        )
      ).rows;
      if (seen.some((x) => x.k === 'replay')) throw new Replay();
      const results: DossierResult[] = [];
      const inserts: { d: Dossier; result: DossierResult; replacesId: number | null }[] = [];
      const heldBy = new Map(seen.filter((x) => x.k === 'held').map((h) => [h.ma_lk as string, { id: Number(h.id), version: Number(h.version) }]));
      for (let i = 0; i < pkg.dossiers.length; i++) {
        const d = pkg.dossiers[i];
        const dv = v.dossiers[i];
        const maLk = maLks[i];
        const res: DossierResult = { maLk, status: 'rejected', problems: [...dv.problems] };
        results.push(res);
        if (!dv.valid || !maLk) continue;
        const held = heldBy.get(maLk);
        const replacing = input.replaces === true || input.replaces === maLk;
        if (held && !replacing) {
          res.problems.push(problem(GW.GW_DOSSIER_EXISTS, `hoso[${i}].XML1[0].MA_LK`, { maLk }));
          continue;
        }
        if (!held && replacing) res.problems.push(problem(GW.GW_REPLACE_NOTHING, `hoso[${i}].XML1[0].MA_LK`, { maLk }, 'warning'));
        res.status = 'accepted';
        res.version = held ? held.version + 1 : 1;
        if (held) res.replacesId = held.id;
        inserts.push({ d, result: res, replacesId: held?.id ?? null });
      }
      const accepted = inserts.length;
      if (!accepted) return reject(ctx, tx, { ...r, dossiers: results }, bytes, []);
      // Ids first (one query), so the signed receipt names them and is stored with the rows.
      const ids = (
        await tx.query<{ pid: number; dids: number[] }>(
          `SELECT nextval(pg_get_serial_sequence('package_archive', 'id'))::bigint AS pid,
                  ARRAY(SELECT nextval(pg_get_serial_sequence('dossier', 'id'))::bigint FROM generate_series(1, $1::int)) AS dids`,
          [accepted],
        )
      ).rows[0];
      inserts.forEach((x, i) => (x.result.dossierId = Number(ids.dids[i])));
      const packageId = Number(ids.pid);
      const acceptedAt = new Date();
      const receipt = signReceipt(
        { ...r, status: accepted === pkg.dossiers.length ? 'accepted' : 'partial', acceptedAt: acceptedAt.toISOString(), dossiers: results, problems: v.problems },
        ctx.receiptKey,
      );
      const ins = await tx.query(
        `INSERT INTO package_archive (id, sha256, macskcb, kind, bytes, size, received_at, status, certificate_id, signed_at, receipt, receipt_id, edition)
         VALUES ($1, $2, $3, 'dossier', decode($4, 'base64'), $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
        [packageId, sha, principal.macskcb, b64(bytes), bytes.byteLength, r.receivedAt, receipt.status, pre.certificateId ?? null, pre.signedAt ?? null, JSON.stringify(receipt), receipt.receiptId, input.edition ?? '4750'],
      );
      if (!ins.rowCount) throw new Replay();
      for (const { d, result, replacesId } of inserts) {
        const c = dossierColumns(d);
        if (replacesId) await tx.query(`UPDATE dossier SET current = false WHERE id = $1`, [replacesId]);
        await tx.query(
          `INSERT INTO dossier (id, package_id, macskcb, ma_lk, version, replaces_id, current, personal_id, bhyt_card, ma_loai_kcb, visit_start, visit_end, accepted_at, tables)
           VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $9, $10, $11, $12, $13)`,
          [result.dossierId, packageId, principal.macskcb, result.maLk, result.version, replacesId, c.personalId, c.bhytCard, c.maLoaiKcb, c.visitStart, c.visitEnd, acceptedAt, JSON.stringify(d.tables)],
        );
        await publish(tx, 'dossier.accepted', { dossierId: result.dossierId, packageId, macskcb: principal.macskcb, maLk: result.maLk, version: result.version, replacesId });
      }
      return { receipt, replay: false };
    });

  try {
    const out = await attempt();
    if (out.receipt.status !== 'rejected') ctx.poke();
    return out;
  } catch (e) {
    if (e instanceof Replay || isUniqueViolation(e)) {
      const prev = await storedReceipt(ctx.db, sha);
      if (prev && prev.macskcb === principal.macskcb) return { receipt: prev.receipt, replay: true };
    }
    throw e;
  }
}

function isUniqueViolation(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { code?: string }).code === '23505';
}

/** Receive a check-in document CHI_TIEU_TRANG_THAI_KCB (XML0). */
export async function submitCheckin(ctx: GatewayContext, input: SubmitInput & { idMethod?: IdMethod }): Promise<SubmitResult> {
  const pre = await precheck(ctx, 'checkin', input);
  if (pre.done) return pre.done;
  const { sha, r } = pre;
  const { bytes, principal } = input;
  let doc: { macskcb: string; rows: Record<string, string>[]; problems: Problem[] };
  try {
    doc = parseCheckIn(bytes, { limits: { maxBytes: ctx.config.maxPackageBytes, maxRowsPerTable: 10_000 } });
  } catch (e) {
    if (e instanceof ProblemError) return reject(ctx, ctx.db, r, bytes, e.problems);
    throw e;
  }
  const problems = [...doc.problems, ...validateRows('XML0', doc.rows)];
  const other = doc.rows.findIndex((row) => row.MA_CSKCB !== principal.macskcb);
  if (other >= 0) problems.push(problem(GW.GW_FACILITY_MISMATCH, `XML0[${other}].MA_CSKCB`, { found: String(doc.rows[other].MA_CSKCB ?? '').slice(0, 10), expected: principal.macskcb }));
  if (!doc.rows.length || errorsOf(problems).length) return reject(ctx, ctx.db, r, bytes, problems);
  try {
    const out = await ctx.db.transaction(async (tx): Promise<SubmitResult> => {
      const packageId = (await tx.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('package_archive', 'id'))::bigint AS id`)).rows[0].id;
      const checkins: { checkinId: number; maLk: string }[] = [];
      for (const row of doc.rows) {
        const id = (await tx.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('checkin', 'id'))::bigint AS id`)).rows[0].id;
        checkins.push({ checkinId: id, maLk: row.MA_LK ?? '' });
      }
      const acceptedAt = new Date();
      const receipt = signReceipt({ ...r, status: 'accepted', acceptedAt: acceptedAt.toISOString(), checkins, problems }, ctx.receiptKey);
      const ins = await tx.query(
        `INSERT INTO package_archive (id, sha256, macskcb, kind, bytes, size, received_at, status, certificate_id, signed_at, receipt, receipt_id)
         VALUES ($1, $2, $3, 'checkin', decode($4, 'base64'), $5, $6, 'accepted', $7, $8, $9, $10) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
        [packageId, sha, principal.macskcb, b64(bytes), bytes.byteLength, r.receivedAt, pre.certificateId ?? null, pre.signedAt ?? null, JSON.stringify(receipt), receipt.receiptId],
      );
      if (!ins.rowCount) throw new Replay();
      for (let i = 0; i < doc.rows.length; i++) {
        const row = doc.rows[i];
        const pid = (row.SO_CCCD ?? '').trim();
        await tx.query(
          `INSERT INTO checkin (id, package_id, macskcb, ma_lk, personal_id, bhyt_card, id_method, checkin_at, received_at, row) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [checkins[i].checkinId, packageId, principal.macskcb, row.MA_LK ?? '', PERSONAL_ID.test(pid) ? pid : null, (row.MA_THE_BHYT ?? '').split(';')[0].trim() || null, input.idMethod ?? null, row.NGAY_VAO ? tryParseDateTime(row.NGAY_VAO) : null, acceptedAt, JSON.stringify(row)],
        );
        await publish(tx, 'checkin.received', { checkinId: checkins[i].checkinId });
      }
      return { receipt, replay: false };
    });
    ctx.poke();
    return out;
  } catch (e) {
    if (e instanceof Replay || isUniqueViolation(e)) {
      const prev = await storedReceipt(ctx.db, sha);
      if (prev && prev.macskcb === principal.macskcb) return { receipt: prev.receipt, replay: true };
    }
    throw e;
  }
}

/** Receive a medical-assessment document CHI_TIEU_GIAM_DINH_YKHOA (XML12): archived with its receipt. */
export async function submitGdyk(ctx: GatewayContext, input: SubmitInput): Promise<SubmitResult> {
  const pre = await precheck(ctx, 'gdyk', input);
  if (pre.done) return pre.done;
  const { sha, r } = pre;
  const { bytes, principal } = input;
  let doc: { rows: Record<string, string>[]; problems: Problem[] };
  try {
    doc = parseGdyk(bytes, { limits: { maxBytes: ctx.config.maxPackageBytes, maxRowsPerTable: 10_000 } });
  } catch (e) {
    if (e instanceof ProblemError) return reject(ctx, ctx.db, r, bytes, e.problems);
    throw e;
  }
  const problems = [...doc.problems, ...validateRows('XML12', doc.rows)];
  if (!doc.rows.length || errorsOf(problems).length) return reject(ctx, ctx.db, r, bytes, problems);
  const receipt = signReceipt({ ...r, status: 'accepted', acceptedAt: new Date().toISOString(), problems }, ctx.receiptKey);
  const ins = await ctx.db.query(
    `INSERT INTO package_archive (sha256, macskcb, kind, bytes, size, received_at, status, certificate_id, signed_at, receipt, receipt_id)
     VALUES ($1, $2, 'gdyk', decode($3, 'base64'), $4, $5, 'accepted', $6, $7, $8, $9) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
    [sha, principal.macskcb, b64(bytes), bytes.byteLength, r.receivedAt, pre.certificateId ?? null, pre.signedAt ?? null, JSON.stringify(receipt), receipt.receiptId],
  );
  if (!ins.rowCount) {
    const prev = await storedReceipt(ctx.db, sha);
    if (prev) return { receipt: prev.receipt, replay: true };
  }
  return { receipt, replay: false };
}
