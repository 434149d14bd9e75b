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
export async function precheck(
  ctx: GatewayContext,
  kind: Kind,
  input: SubmitInput,
  more?: { maLks: string[]; ids: number },
): Promise<{ done?: SubmitResult; sha: string; r: UnsignedReceipt; certificateId?: number; signedAt?: Date; plan?: Plan }> {
  const { bytes, principal } = input;
  const sha = sha256(bytes);
  const r = base(kind, sha, principal.macskcb, input.receivedAt ?? new Date());
  if (!bytes.byteLength) throw ProblemError.of(GW.GW_BODY_EMPTY, 'body');
  if (bytes.byteLength > ctx.config.maxPackageBytes) throw ProblemError.of(COMMON.INPUT_TOO_LARGE, 'body', { limit: ctx.config.maxPackageBytes });
  // Replay lookup and the facility's certificates in one round trip (with `more`: also the held
  // versions of the package's MA_LKs and the ids its rows will take, see planQuery).
  const first = (
    await ctx.db.query<PlanRow & { prev: { macskcb: string; receipt: Receipt } | null; certs: { id: number; fingerprint: string; der: string; revoked_at: string | null }[] | null }>(
      `SELECT (SELECT json_build_object('macskcb', macskcb, 'receipt', receipt) FROM package_archive WHERE sha256 = $1) AS prev,
              (SELECT json_agg(json_build_object('id', id, 'fingerprint', fingerprint, 'der', encode(der, 'hex'), 'revoked_at', revoked_at) ORDER BY id)
                 FROM facility_certificate WHERE macskcb = $2) AS certs${more ? `, ${PLAN_COLUMNS('$2', '$3', '$4')}` : ''}`,
      more ? [sha, principal.macskcb, more.maLks, more.ids] : [sha, principal.macskcb],
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
  return { sha, r, certificateId: sig.certificateId, signedAt: sig.signedAt, plan: more ? planOf(first) : undefined };
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

/** What an acceptance needs from the database before it signs: held versions and fresh ids. */
export interface Plan {
  /** Latest held version of each MA_LK of the package (any process, committed). */
  held: Map<string, { id: number; version: number }>;
  packageId: number;
  dossierIds: number[];
}
interface PlanRow {
  held: { ma_lk: string; id: number; version: number }[] | null;
  pid: number | string;
  dids: (number | string)[];
}
/** Held versions of MA_LKs ($ml text[]) of a facility ($mac) and $n dossier ids + one package id. */
const PLAN_COLUMNS = (mac: string, ml: string, n: string) =>
  `(SELECT json_agg(json_build_object('ma_lk', ma_lk, 'id', id, 'version', version)) FROM (
      SELECT DISTINCT ON (ma_lk) ma_lk, id, version FROM dossier WHERE macskcb = ${mac} AND ma_lk = ANY(${ml}::text[]) ORDER BY ma_lk, version DESC) h) AS held,
   nextval(pg_get_serial_sequence('package_archive', 'id'))::bigint AS pid,
   ARRAY(SELECT nextval(pg_get_serial_sequence('dossier', 'id'))::bigint FROM generate_series(1, ${n}::int)) AS dids`;
function planOf(row: PlanRow): Plan {
  return {
    held: new Map((row.held ?? []).map((h) => [h.ma_lk, { id: Number(h.id), version: Number(h.version) }])),
    packageId: Number(row.pid),
    dossierIds: row.dids.map(Number),
  };
}

/**
 * Everything of an acceptance in ONE statement (atomic on its own; no BEGIN/COMMIT, no lock
 * round trips): the archive row (ON CONFLICT (sha256) DO NOTHING: same bytes meanwhile → no
 * row), the old versions' `current` cleared, the dossier rows, one outbox row per consumer of
 * `dossier.accepted` per dossier — all joined to the archive insert, so nothing is written
 * unless the archive row is. A version taken meanwhile by another sender fails the statement on
 * UNIQUE (macskcb, ma_lk, version) and the caller plans again.
 */
const ACCEPT_SQL = `
WITH a AS (
  INSERT INTO package_archive (id, sha256, macskcb, kind, bytes, size, received_at, status, certificate_id, signed_at, receipt, receipt_id, edition)
  VALUES ($1, $2, $3, 'dossier', decode($4, 'base64'), $5, $6, $7, $8, $9, $10, $11, $12)
  ON CONFLICT (sha256) DO NOTHING RETURNING id),
r AS (
  INSERT INTO dossier (id, package_id, macskcb, ma_lk, version, replaces_id, current, personal_id, bhyt_card, ma_loai_kcb, visit_start, visit_end, accepted_at, tables)
  SELECT x.id, a.id, $3, x.ma_lk, x.version, x.replaces_id, true, x.personal_id, x.bhyt_card, x.ma_loai_kcb, x.visit_start::timestamptz, x.visit_end::timestamptz, $13, x.tables::jsonb
    FROM a, unnest($14::bigint[], $15::text[], $16::int[], $17::bigint[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[])
         AS x (id, ma_lk, version, replaces_id, personal_id, bhyt_card, ma_loai_kcb, visit_start, visit_end, tables)
  RETURNING id),
u AS (UPDATE dossier SET current = false FROM a WHERE dossier.id = ANY($17::bigint[]) RETURNING dossier.id),
o AS (
  INSERT INTO outbox (consumer, topic, payload)
  SELECT c.name, c.topic, p::jsonb FROM a, outbox_consumer c, unnest($24::text[]) AS p WHERE c.topic = 'dossier.accepted'
  RETURNING id)
SELECT (SELECT count(*) FROM a)::int AS archived, (SELECT count(*) FROM r)::int AS dossiers`;

/** Receive a GIAMDINHHS package. */
export async function submitPackage(ctx: GatewayContext, input: SubmitInput): Promise<SubmitResult> {
  const { bytes, principal } = input;
  // Parse and validate first (pure CPU; limits enforced by validateBytes), so the replay lookup,
  // the certificates, the held versions and the ids are one round trip. The outcome is decided in
  // the same order as before: size, replay, signature, facility, content.
  const sized = bytes.byteLength > 0 && bytes.byteLength <= ctx.config.maxPackageBytes;
  const v = sized ? validateBytes(bytes, { edition: input.edition, limits: { maxBytes: ctx.config.maxPackageBytes, maxDossiers: ctx.config.maxDossiers } }) : null;
  const pkg = v?.package;
  const maLks = pkg ? pkg.dossiers.map((d) => maLkOf(d)) : [];
  const candidates = pkg ? pkg.dossiers.filter((_, i) => v!.dossiers[i]?.valid && maLks[i]).length : 0;
  const keys = [...new Set(maLks.filter(Boolean))].sort();
  const pre = await precheck(ctx, 'dossier', input, pkg ? { maLks: keys, ids: candidates } : undefined);
  if (pre.done) return pre.done;
  const { sha, r } = pre;
  if (!v || !pkg) return reject(ctx, ctx.db, r, bytes, v?.problems ?? []);
  if (pkg.macskcb !== principal.macskcb) {
    return reject(ctx, ctx.db, r, bytes, [problem(GW.GW_FACILITY_MISMATCH, 'GIAMDINHHS.THONGTINDONVI.MACSKCB', { found: pkg.macskcb.slice(0, 10), expected: principal.macskcb })]);
  }
  if (pkg.dossiers.length > ctx.config.maxDossiers) return reject(ctx, ctx.db, r, bytes, [problem(GW.GW_TOO_MANY_DOSSIERS, 'GIAMDINHHS.THONGTINHOSO', { limit: ctx.config.maxDossiers })]);
  const pkgErrors = errorsOf(v.problems);
  if (pkgErrors.length) return reject(ctx, ctx.db, r, bytes, v.problems);
  if (typeof input.replaces === 'string' && !maLks.includes(input.replaces)) {
    return reject(ctx, ctx.db, r, bytes, [problem(GW.GW_REPLACE_MISMATCH, 'X-Replaces', { maLk: input.replaces.slice(0, 100) })]);
  }

  const attempt = async (plan: Plan): Promise<SubmitResult> => {
    const results: DossierResult[] = [];
    const inserts: { d: Dossier; result: DossierResult; replacesId: number | null }[] = [];
    for (let i = 0; i < pkg.dossiers.length; i++) {
      const d = pkg.dossiers[i];
      const dv = v.dossiers[i];
      const maLk = maLks[i];
      const res: DossierResult = { maLk, status: 'rejected', problems: [...dv.problems] };
      results.push(res);
      if (!dv.valid || !maLk) continue;
      const held = plan.held.get(maLk);
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
    if (!accepted) return reject(ctx, ctx.db, { ...r, dossiers: results }, bytes, []);
    if (accepted > plan.dossierIds.length) throw new Error('pipeline: fewer dossier ids than accepted dossiers');
    // The ids were taken with the plan, so the signed receipt names them and is stored with the rows.
    inserts.forEach((x, i) => (x.result.dossierId = plan.dossierIds[i]));
    const packageId = plan.packageId;
    const acceptedAt = new Date();
    const receipt = signReceipt(
      { ...r, status: accepted === pkg.dossiers.length ? 'accepted' : 'partial', acceptedAt: acceptedAt.toISOString(), dossiers: results, problems: v.problems },
      ctx.receiptKey,
    );
    // Rows in MA_LK order: every sender takes the unique-index entries in one order (no deadlock).
    const rows = [...inserts].sort((a, b) => (a.result.maLk < b.result.maLk ? -1 : a.result.maLk > b.result.maLk ? 1 : 0));
    const cols = rows.map(({ d }) => dossierColumns(d));
    const out = await ctx.db.query<{ archived: number; dossiers: number }>(ACCEPT_SQL, [
      packageId, sha, principal.macskcb, b64(bytes), bytes.byteLength, r.receivedAt, receipt.status, pre.certificateId ?? null, pre.signedAt ?? null, JSON.stringify(receipt), receipt.receiptId, input.edition ?? '4750',
      acceptedAt,
      rows.map((x) => x.result.dossierId),
      rows.map((x) => x.result.maLk),
      rows.map((x) => x.result.version),
      rows.map((x) => x.replacesId),
      cols.map((c) => c.personalId),
      cols.map((c) => c.bhytCard),
      cols.map((c) => c.maLoaiKcb),
      cols.map((c) => (c.visitStart ? c.visitStart.toISOString() : null)),
      cols.map((c) => (c.visitEnd ? c.visitEnd.toISOString() : null)),
      rows.map((x) => JSON.stringify(x.d.tables)),
      rows.map(({ result, replacesId }) => JSON.stringify({ dossierId: result.dossierId, packageId, macskcb: principal.macskcb, maLk: result.maLk, version: result.version, replacesId })),
    ]);
    const row = out.rows[0];
    if (!row.archived) throw new Replay();
    if (row.dossiers !== accepted) throw new Error(`pipeline: ${row.dossiers}/${accepted} dossier rows written`);
    return { receipt, replay: false };
  };

  let plan = pre.plan!;
  for (let tries = 1; ; tries++) {
    try {
      const out = await attempt(plan);
      if (out.receipt.status !== 'rejected') ctx.poke();
      return out;
    } catch (e) {
      if (!(e instanceof Replay || isUniqueViolation(e) || isDeadlock(e))) throw e;
      const prev = await storedReceipt(ctx.db, sha);
      if (prev && prev.macskcb === principal.macskcb) return { receipt: prev.receipt, replay: true };
      // Not these bytes: another sender took a version of one of our MA_LKs meanwhile. Plan
      // again (it is now held: refused, or the next version when declared a replacement).
      if (prev || tries >= 10) throw e;
      plan = planOf((await ctx.db.query<PlanRow>(`SELECT ${PLAN_COLUMNS('$1', '$2', '$3')}`, [principal.macskcb, keys, candidates])).rows[0]);
    }
  }
}

function isDeadlock(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { code?: string }).code === '40P01';
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
