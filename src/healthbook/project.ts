// Projection: an accepted dossier becomes entries in its citizen's book, in the same transaction
// that acknowledges the outbox row (exactly-once effect). A replacement (a higher version of the
// same facility + MA_LK) marks the earlier version's entries not current and publishes the change;
// nothing is deleted. Every new, changed or retracted entry lands in the share feed with its
// acceptance → publication time.
import type { Queryable } from '../store/index.ts';
import { publish } from '../store/index.ts';
import type { Row } from '../standard/types.ts';
import { icd10Name } from '../standard/index.ts';
import { parseVnTime } from './dates.ts';
import { ADMIN_FIELDS, KIND_LABELS, TABLE_PROJECTIONS, VISIT_FIELDS, VISIT_KINDS, type EntryKind } from './kinds.ts';

export interface NewEntry {
  kind: EntryKind;
  sourceTable: string;
  seq: number;
  occurredAt: Date | null;
  title: string;
  data: Record<string, unknown>;
}

const PID = /^\d{12}$/;
const pick = (row: Row, fields: string[]) => Object.fromEntries(fields.filter((f) => row[f] !== undefined && row[f] !== '').map((f) => [f, row[f]]));

/** Split a `;`-list of ICD-10 codes. */
export function icdList(s: string | undefined): string[] {
  return (s ?? '').split(/[;,]/).map((x) => x.trim()).filter((x) => /^[A-Z][0-9]{2}(\.?[0-9A-Z]{0,4})?$/i.test(x)).slice(0, 20);
}

/** Pure: the entries of one dossier's tables. */
export function entriesOf(tables: Record<string, Row[]>, macskcb: string): NewEntry[] {
  const out: NewEntry[] = [];
  const x1: Row = tables.XML1?.[0] ?? {};
  const visitStart = parseVnTime(x1.NGAY_VAO);
  const visitEnd = parseVnTime(x1.NGAY_RA) ?? visitStart;
  const facility = (x1.MA_CSKCB || macskcb).trim();
  if (tables.XML1?.length) {
    out.push({ kind: 'admin', sourceTable: 'XML1', seq: 0, occurredAt: visitStart, title: KIND_LABELS.admin.vi, data: pick(x1, ADMIN_FIELDS) });
    const doctors = new Set<string>();
    for (const t of ['XML2', 'XML3']) for (const r of tables[t] ?? []) for (const d of (r.MA_BAC_SI ?? '').split(';')) if (d.trim()) doctors.add(d.trim());
    const kindLabel = VISIT_KINDS[x1.MA_LOAI_KCB?.trim()] ?? `Loại KCB ${x1.MA_LOAI_KCB ?? ''}`.trim();
    out.push({
      kind: 'visit', sourceTable: 'XML1', seq: 0, occurredAt: visitStart, title: `${kindLabel} tại ${facility}`,
      data: { ...pick(x1, VISIT_FIELDS), MA_CSKCB: facility, doctors: [...doctors].slice(0, 20) },
    });
    const main = (x1.MA_BENH_CHINH ?? '').trim();
    const extra = icdList(x1.MA_BENH_KT).filter((c) => c !== main);
    const texts = (x1.CHAN_DOAN_RV ?? '').split(';').map((s) => s.trim());
    const codes = main ? [main, ...extra] : extra;
    codes.forEach((code, i) => {
      const icdName = icd10Name(code);
      const name = (texts[i] && texts.length === codes.length ? texts[i] : i === 0 ? (x1.CHAN_DOAN_RV ?? '').trim() : '') || icdName;
      out.push({ kind: 'diagnosis', sourceTable: 'XML1', seq: i, occurredAt: visitEnd, title: name ? `${code} — ${name.slice(0, 200)}` : code, data: { code, name, icdName, main: i === 0 && !!main, system: 'ICD-10' } });
    });
  }
  for (const [table, rows] of Object.entries(tables)) {
    const p = TABLE_PROJECTIONS[table];
    if (!p || !Array.isArray(rows)) continue;
    rows.forEach((row, i) => {
      let when: Date | null = null;
      for (const f of p.when) if ((when = parseVnTime(row[f]))) break;
      out.push({ kind: p.kind(row), sourceTable: table, seq: i, occurredAt: when ?? visitEnd, title: p.title(row).slice(0, 500), data: { ...row, MA_CSKCB: row.MA_CSKCB || facility } });
    });
  }
  return out;
}

export interface ProjectResult {
  status: 'projected' | 'already' | 'unlinked';
  personalId?: string;
  entries: number;
  retracted: number;
}

/** Insert entries for one person and publish them to the feed (one statement). */
export async function insertEntries(
  tx: Queryable,
  head: { personalId: string; bhytCard: string | null; dossierId: number | null; certificateId: number | null; macskcb: string; maLk: string; version: number; acceptedAt: Date; current: boolean },
  entries: NewEntry[],
  change: 'new' | 'changed',
): Promise<number[]> {
  if (!entries.length) return [];
  const r = await tx.query<{ id: number }>(
    `WITH ins AS (
       INSERT INTO book_entry (personal_id, bhyt_card, dossier_id, certificate_id, macskcb, ma_lk, version, kind, source_table, seq, occurred_at, title, data, current, accepted_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, x.kind, x.source_table, x.seq, x.occurred_at, x.title, x.data, $8, $9
       FROM jsonb_to_recordset($10::jsonb) AS x(kind text, source_table text, seq int, occurred_at timestamptz, title text, data jsonb, n int)
       ORDER BY x.n
       RETURNING id, personal_id, accepted_at),
     feed AS (
       INSERT INTO book_feed (entry_id, personal_id, change, accepted_at, published_at, latency_ms)
       SELECT id, personal_id, $11, accepted_at, clock_timestamp(), GREATEST(0, LEAST(2147483647, (extract(epoch FROM clock_timestamp() - accepted_at) * 1000)::bigint))::int
       FROM ins WHERE $8 ORDER BY id)
     SELECT id FROM ins ORDER BY id`,
    [head.personalId, head.bhytCard, head.dossierId, head.certificateId, head.macskcb, head.maLk, head.version, head.current, head.acceptedAt,
      JSON.stringify(entries.map((e, n) => ({ n, kind: e.kind, source_table: e.sourceTable, seq: e.seq, occurred_at: e.occurredAt?.toISOString() ?? null, title: e.title, data: e.data }))), change],
  );
  return r.rows.map((x) => x.id);
}

async function feedInsert(tx: Queryable, ids: number[], change: 'new' | 'changed' | 'retracted'): Promise<void> {
  if (!ids.length) return;
  await tx.query(
    `INSERT INTO book_feed (entry_id, personal_id, change, accepted_at, published_at, latency_ms)
     SELECT id, personal_id, $2, accepted_at, clock_timestamp(), GREATEST(0, LEAST(2147483647, (extract(epoch FROM clock_timestamp() - accepted_at) * 1000)::bigint))::int
     FROM book_entry WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids, change],
  );
}

/** Retract the current entries of an earlier version (replacement); returns how many. */
export async function supersede(tx: Queryable, where: { macskcb: string; maLk: string; belowVersion: number; certificate?: boolean }, byId: number): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `UPDATE book_entry SET current = false, superseded_by = $4
     WHERE macskcb = $1 AND ma_lk = $2 AND current AND version < $3 AND (certificate_id IS NOT NULL) = $5 RETURNING id`,
    [where.macskcb, where.maLk, where.belowVersion, byId, !!where.certificate],
  );
  const ids = r.rows.map((x) => x.id);
  await feedInsert(tx, ids, 'retracted');
  return ids.length;
}

/** Remember the identifiers and the header of a person (one statement). */
export async function linkPerson(tx: Queryable, personalId: string, cards: string[], header: { name?: string; birth?: string; sex?: string }): Promise<void> {
  const values = [...new Set(cards.map((c) => c.trim().toUpperCase()).filter((c) => /^[A-Z]{2}\d{13}$/.test(c)))];
  await tx.query(
    `WITH ids AS (
       INSERT INTO book_identity (id_kind, value, personal_id)
       SELECT k, v, $1 FROM unnest($2::text[], $3::text[]) AS t(k, v)
       ON CONFLICT (id_kind, value, personal_id) DO UPDATE SET last_seen = now())
     INSERT INTO book_person (personal_id, full_name, birth, sex) SELECT $1, $4, $5, $6 WHERE $7
     ON CONFLICT (personal_id) DO UPDATE SET full_name = EXCLUDED.full_name, birth = EXCLUDED.birth, sex = EXCLUDED.sex, updated_at = now()`,
    [personalId, ['cccd', ...values.map(() => 'bhyt')], [personalId, ...values], (header.name ?? '').trim(), (header.birth ?? '').trim(), (header.sex ?? '').trim(), !!(header.name || header.birth)],
  );
}

/** Tell the push side that entries were published (only when a webhook is registered). */
async function announce(tx: Queryable, personalIds: string[], hooks?: boolean): Promise<void> {
  if (hooks === undefined) hooks = (await tx.query(`SELECT 1 FROM book_webhook WHERE active LIMIT 1`)).rows.length > 0;
  if (hooks) await publish(tx, 'book.published', { personalIds: [...new Set(personalIds)] });
}

/**
 * Serialize projections of the same facility + MA_LK across workers (several gateway processes on
 * one PostgreSQL): a transaction-scoped advisory lock per key, taken in a stable order.
 */
async function lockKeys(tx: Queryable, dossierIds: number[]): Promise<void> {
  await tx.query(
    `SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT hashtext('book:' || macskcb || '|' || ma_lk) AS k FROM dossier WHERE id = ANY($1::bigint[]) ORDER BY 1) x`,
    [dossierIds],
  );
}

/** Project one accepted dossier (idempotent). */
export async function projectDossier(tx: Queryable, dossierId: number): Promise<ProjectResult> {
  await lockKeys(tx, [dossierId]);
  const d = (await tx.query(
    `SELECT d.id, d.macskcb, d.ma_lk, d.version, d.personal_id, d.bhyt_card, d.accepted_at, d.tables,
       EXISTS (SELECT 1 FROM book_entry e WHERE e.dossier_id = d.id) OR EXISTS (SELECT 1 FROM book_unlinked u WHERE u.dossier_id = d.id) AS done,
       EXISTS (SELECT 1 FROM book_entry e WHERE e.macskcb = d.macskcb AND e.ma_lk = d.ma_lk AND e.version > d.version AND e.certificate_id IS NULL) AS newer,
       ARRAY(SELECT DISTINCT e.personal_id FROM book_entry e WHERE e.macskcb = d.macskcb AND e.ma_lk = d.ma_lk AND e.current AND e.version < d.version AND e.certificate_id IS NULL) AS old_owners,
       EXISTS (SELECT 1 FROM book_webhook w WHERE w.active) AS hooks
     FROM dossier d WHERE d.id = $1`,
    [dossierId],
  )).rows[0];
  if (!d) throw new Error(`dossier ${dossierId} not found`);
  if (d.done) return { status: 'already', entries: 0, retracted: 0 };
  const tables = (d.tables ?? {}) as Record<string, Row[]>;
  const x1: Row = tables.XML1?.[0] ?? {};
  const personalId = [d.personal_id, x1.SO_CCCD].map((v) => (v ?? '').trim()).find((v) => PID.test(v));
  if (!personalId) {
    await tx.query(`INSERT INTO book_unlinked (dossier_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [dossierId, 'no 12-digit personal ID (SO_CCCD)']);
    return { status: 'unlinked', entries: 0, retracted: 0 };
  }
  // A later version already projected (out-of-order delivery): keep this one as history only.
  const current = !d.newer;
  const oldOwners: string[] = current ? (d.old_owners ?? []) : [];
  const retracted = current && oldOwners.length ? await supersede(tx, { macskcb: d.macskcb, maLk: d.ma_lk, belowVersion: d.version }, dossierId) : 0;
  const cards = (x1.MA_THE_BHYT ?? d.bhyt_card ?? '').split(';');
  const entries = entriesOf(tables, d.macskcb);
  await insertEntries(
    tx,
    { personalId, bhytCard: (d.bhyt_card ?? cards[0] ?? '').trim() || null, dossierId, certificateId: null, macskcb: d.macskcb, maLk: d.ma_lk, version: d.version, acceptedAt: d.accepted_at, current },
    entries,
    retracted ? 'changed' : 'new',
  );
  await linkPerson(tx, personalId, cards, { name: x1.HO_TEN, birth: x1.NGAY_SINH, sex: x1.GIOI_TINH });
  if (current) await announce(tx, [personalId, ...oldOwners], d.hooks);
  return { status: 'projected', personalId, entries: entries.length, retracted };
}

/**
 * Project many accepted dossiers in a few statements (the worker's catch-up path under load).
 * Dossiers that replace or are replaced by another (same facility + MA_LK in the book or in this
 * batch) go through projectDossier one by one, in version order.
 */
export async function projectMany(tx: Queryable, dossierIds: number[]): Promise<number> {
  if (!dossierIds.length) return 0;
  await lockKeys(tx, dossierIds);
  const rows = (await tx.query(
    `SELECT d.id, d.macskcb, d.ma_lk, d.version, d.personal_id, d.bhyt_card, d.accepted_at, d.tables,
       EXISTS (SELECT 1 FROM book_entry e WHERE e.dossier_id = d.id) OR EXISTS (SELECT 1 FROM book_unlinked u WHERE u.dossier_id = d.id) AS done,
       EXISTS (SELECT 1 FROM book_entry e WHERE e.macskcb = d.macskcb AND e.ma_lk = d.ma_lk AND e.certificate_id IS NULL) AS seen,
       EXISTS (SELECT 1 FROM book_webhook w WHERE w.active) AS hooks
     FROM dossier d WHERE d.id = ANY($1::bigint[]) ORDER BY d.id`,
    [dossierIds],
  )).rows;
  const perKey = new Map<string, number>();
  for (const d of rows) perKey.set(`${d.macskcb}|${d.ma_lk}`, (perKey.get(`${d.macskcb}|${d.ma_lk}`) ?? 0) + 1);
  const slow: { id: number; version: number }[] = [];
  const unlinked: number[] = [];
  const flat: Record<string, unknown>[] = [];
  const ids: string[][] = [[], [], []];
  const people = new Map<string, [string, string, string]>();
  let hooks = false;
  let n = 0;
  for (const d of rows) {
    if (d.done) continue;
    hooks ||= d.hooks;
    if (d.seen || perKey.get(`${d.macskcb}|${d.ma_lk}`)! > 1) {
      slow.push({ id: d.id, version: d.version });
      continue;
    }
    const tables = (d.tables ?? {}) as Record<string, Row[]>;
    const x1: Row = tables.XML1?.[0] ?? {};
    const personalId = [d.personal_id, x1.SO_CCCD].map((v) => (v ?? '').trim()).find((v) => PID.test(v));
    if (!personalId) {
      unlinked.push(d.id);
      continue;
    }
    const cards = (x1.MA_THE_BHYT ?? d.bhyt_card ?? '').split(';').map((c: string) => c.trim().toUpperCase()).filter((c: string) => /^[A-Z]{2}\d{13}$/.test(c));
    const bhyt = (d.bhyt_card ?? cards[0] ?? '').trim() || null;
    for (const e of entriesOf(tables, d.macskcb)) {
      flat.push({ n: n++, personal_id: personalId, bhyt_card: bhyt, dossier_id: d.id, macskcb: d.macskcb, ma_lk: d.ma_lk, version: d.version, accepted_at: d.accepted_at, kind: e.kind, source_table: e.sourceTable, seq: e.seq, occurred_at: e.occurredAt?.toISOString() ?? null, title: e.title, data: e.data });
    }
    for (const [k, v] of [['cccd', personalId], ...cards.map((c: string) => ['bhyt', c])]) {
      ids[0].push(k);
      ids[1].push(v);
      ids[2].push(personalId);
    }
    if (x1.HO_TEN || x1.NGAY_SINH) people.set(personalId, [(x1.HO_TEN ?? '').trim(), (x1.NGAY_SINH ?? '').trim(), (x1.GIOI_TINH ?? '').trim()]);
  }
  if (unlinked.length) await tx.query(`INSERT INTO book_unlinked (dossier_id, reason) SELECT unnest($1::bigint[]), 'no 12-digit personal ID (SO_CCCD)' ON CONFLICT DO NOTHING`, [unlinked]);
  if (flat.length) {
    await tx.query(
      `WITH ins AS (
         INSERT INTO book_entry (personal_id, bhyt_card, dossier_id, macskcb, ma_lk, version, kind, source_table, seq, occurred_at, title, data, current, accepted_at)
         SELECT x.personal_id, x.bhyt_card, x.dossier_id, x.macskcb, x.ma_lk, x.version, x.kind, x.source_table, x.seq, x.occurred_at, x.title, x.data, true, x.accepted_at
         FROM jsonb_to_recordset($1::jsonb) AS x(n int, personal_id text, bhyt_card text, dossier_id bigint, macskcb text, ma_lk text, version int, accepted_at timestamptz, kind text, source_table text, seq int, occurred_at timestamptz, title text, data jsonb)
         ORDER BY x.n
         RETURNING id, personal_id, accepted_at)
       INSERT INTO book_feed (entry_id, personal_id, change, accepted_at, published_at, latency_ms)
       SELECT id, personal_id, 'new', accepted_at, clock_timestamp(), GREATEST(0, LEAST(2147483647, (extract(epoch FROM clock_timestamp() - accepted_at) * 1000)::bigint))::int
       FROM ins ORDER BY id`,
      [JSON.stringify(flat)],
    );
    const pp = [...people];
    await tx.query(
      `WITH ids AS (
         INSERT INTO book_identity (id_kind, value, personal_id)
         SELECT DISTINCT k, v, p FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, v, p)
         ON CONFLICT (id_kind, value, personal_id) DO UPDATE SET last_seen = now())
       INSERT INTO book_person (personal_id, full_name, birth, sex)
       SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT (personal_id) DO UPDATE SET full_name = EXCLUDED.full_name, birth = EXCLUDED.birth, sex = EXCLUDED.sex, updated_at = now()`,
      [ids[0], ids[1], ids[2], pp.map((x) => x[0]), pp.map((x) => x[1][0]), pp.map((x) => x[1][1]), pp.map((x) => x[1][2])],
    );
    if (hooks) await announce(tx, [...new Set(flat.map((f) => f.personal_id as string))], true);
  }
  slow.sort((a, b) => a.version - b.version || a.id - b.id);
  for (const x of slow) await projectDossier(tx, x.id);
  return rows.length;
}

export { announce };
