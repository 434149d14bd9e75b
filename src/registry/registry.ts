// The registries as data: each kind (facility, pharmacy, practitioner) is a table with a key
// and typed fields; one generic validate / upsert / list / import serves all three. Facility
// codes (MACSKCB) can be issued here: province code (2 digits) + the lowest free serial 001–999.
import type { Db, Queryable } from '../store/index.ts';
import { problem, ProblemError, type Problem } from '../errors/index.ts';
import { REG } from './errors.ts';
import { parseCsv } from './csv.ts';

export type RegistryKind = 'facility' | 'pharmacy' | 'practitioner';

interface FieldDef {
  name: string;
  type: 'text' | 'bool';
  required?: boolean;
  pattern?: RegExp;
  rule?: string;
  values?: string[];
  max?: number;
}

interface KindDef {
  table: string;
  key: string;
  what: string;
  fields: FieldDef[];
  search: string[];
}

const PROVINCE: Partial<FieldDef> = { pattern: /^(\d{2})?$/, rule: '2 digits' };
const DISTRICT: Partial<FieldDef> = { pattern: /^(\d{3})?$/, rule: '3 digits' };
const COMMUNE: Partial<FieldDef> = { pattern: /^(\d{5})?$/, rule: '5 digits' };

export const KINDS: Record<RegistryKind, KindDef> = {
  facility: {
    table: 'reg_facility',
    key: 'macskcb',
    what: 'cơ sở KCB / facility',
    search: ['macskcb', 'name'],
    fields: [
      { name: 'macskcb', type: 'text', required: true, pattern: /^[0-9A-Z]{5}$/, rule: '5 characters 0-9 A-Z' },
      { name: 'name', type: 'text', required: true, max: 255 },
      { name: 'level', type: 'text', values: ['', 'central', 'province', 'district', 'commune', 'specialized', 'basic', 'primary', 'private', 'other'] },
      { name: 'province', type: 'text', ...PROVINCE },
      { name: 'district', type: 'text', ...DISTRICT },
      { name: 'commune', type: 'text', ...COMMUNE },
      { name: 'ownership', type: 'text', values: ['public', 'private', 'other'] },
      { name: 'bhyt_contract', type: 'bool' },
      { name: 'status', type: 'text', values: ['active', 'suspended', 'closed'] },
    ],
  },
  pharmacy: {
    table: 'reg_pharmacy',
    key: 'code',
    what: 'nhà thuốc / pharmacy',
    search: ['code', 'name', 'licence'],
    fields: [
      { name: 'code', type: 'text', required: true, pattern: /^[A-Za-z0-9._-]{3,20}$/, rule: '3–20 characters A-Z 0-9 . _ -' },
      { name: 'name', type: 'text', required: true, max: 255 },
      { name: 'licence', type: 'text', max: 100 },
      { name: 'province', type: 'text', ...PROVINCE },
      { name: 'district', type: 'text', ...DISTRICT },
      { name: 'commune', type: 'text', ...COMMUNE },
      { name: 'status', type: 'text', values: ['active', 'suspended', 'closed'] },
    ],
  },
  practitioner: {
    table: 'reg_practitioner',
    key: 'licence',
    what: 'người hành nghề / practitioner',
    search: ['licence', 'name'],
    fields: [
      { name: 'licence', type: 'text', required: true, pattern: /^[A-Za-z0-9/._-]{3,50}$/, rule: '3–50 characters A-Z 0-9 / . _ -' },
      { name: 'name', type: 'text', required: true, max: 255 },
      { name: 'profession', type: 'text', max: 100 },
      { name: 'macskcb', type: 'text', pattern: /^([0-9A-Z]{5})?$/, rule: '5 characters or empty' },
      { name: 'province', type: 'text', ...PROVINCE },
      { name: 'status', type: 'text', values: ['active', 'suspended', 'revoked'] },
    ],
  },
};

export function kindOf(s: string): RegistryKind | null {
  const k = s.replace(/ies$/, 'y').replace(/s$/, '');
  return k in KINDS ? (k as RegistryKind) : null;
}

const TRUE = ['1', 'true', 'yes', 'có', 'co', 'x'];
const FALSE = ['0', 'false', 'no', 'không', 'khong', ''];

/** Validate one record; returns the clean values (only fields given) and problems with paths under `path`. */
export function validateRecord(kind: RegistryKind, input: Record<string, unknown>, path = 'body', opts: { keyOptional?: boolean } = {}): { value: Record<string, string | boolean>; problems: Problem[] } {
  const def = KINDS[kind];
  const value: Record<string, string | boolean> = {};
  const problems: Problem[] = [];
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { value, problems: [problem(REG.REG_FIELD_INVALID, path, { field: 'body', rule: 'object' })] };
  for (const f of def.fields) {
    const raw = input[f.name];
    const p = `${path}.${f.name}`;
    if (raw === undefined || raw === null || raw === '') {
      if (f.required && !(opts.keyOptional && f.name === def.key)) problems.push(problem(REG.REG_FIELD_REQUIRED, p, { field: f.name }));
      if (raw === '' && !f.required && f.type === 'text' && (!f.values || f.values.includes(''))) value[f.name] = '';
      continue;
    }
    if (f.type === 'bool') {
      const s = String(raw).trim().toLowerCase();
      if (typeof raw === 'boolean') value[f.name] = raw;
      else if (TRUE.includes(s)) value[f.name] = true;
      else if (FALSE.includes(s)) value[f.name] = false;
      else problems.push(problem(REG.REG_FIELD_INVALID, p, { field: f.name, rule: 'true/false, 1/0, có/không' }));
      continue;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      problems.push(problem(REG.REG_FIELD_INVALID, p, { field: f.name, rule: 'text' }));
      continue;
    }
    const s = String(raw).trim();
    if (s.length > (f.max ?? 1024) || /[\u0000-\u001f]/.test(s)) problems.push(problem(REG.REG_FIELD_INVALID, p, { field: f.name, rule: `≤ ${f.max ?? 1024} printable characters` }));
    else if (f.pattern && !f.pattern.test(s)) problems.push(problem(REG.REG_FIELD_INVALID, p, { field: f.name, rule: f.rule ?? String(f.pattern) }));
    else if (f.values && !f.values.includes(s)) problems.push(problem(REG.REG_FIELD_INVALID, p, { field: f.name, rule: f.values.filter(Boolean).join(' | ') }));
    else value[f.name] = s;
  }
  return { value, problems };
}

async function upsertOne(q: Queryable, kind: RegistryKind, v: Record<string, string | boolean>): Promise<{ row: Record<string, any>; created: boolean }> {
  const def = KINDS[kind];
  const cols = Object.keys(v);
  const sets = cols.filter((c) => c !== def.key).map((c) => `${c} = excluded.${c}`);
  const r = await q.query(
    `INSERT INTO ${def.table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (${def.key}) DO UPDATE SET ${[...sets, 'updated_at = now()'].join(', ')}
     RETURNING *, (xmax = 0) AS created`,
    cols.map((c) => v[c]),
  );
  const { created, ...row } = r.rows[0];
  return { row, created: !!created };
}

/** Create or update one record (validated). */
export async function upsert(db: Queryable, kind: RegistryKind, input: Record<string, unknown>): Promise<{ row: Record<string, any>; created: boolean }> {
  const { value, problems } = validateRecord(kind, input);
  if (problems.length) throw new ProblemError(problems);
  return upsertOne(db, kind, value);
}

export async function get(db: Queryable, kind: RegistryKind, key: string): Promise<Record<string, any>> {
  const def = KINDS[kind];
  const r = await db.query(`SELECT * FROM ${def.table} WHERE ${def.key} = $1`, [key]);
  if (!r.rows.length) throw ProblemError.of(REG.REG_NOT_FOUND, def.key, { what: def.what });
  return r.rows[0];
}

export interface ListFilter {
  province?: string;
  district?: string;
  macskcb?: string;
  status?: string;
  /** Text search in code / name. */
  q?: string;
  limit?: number;
  offset?: number;
}

export async function list(db: Queryable, kind: RegistryKind, f: ListFilter = {}): Promise<{ total: number; items: Record<string, any>[] }> {
  const def = KINDS[kind];
  const where: string[] = [];
  const params: unknown[] = [];
  const has = (c: string) => def.fields.some((x) => x.name === c);
  for (const c of ['province', 'district', 'macskcb', 'status'] as const) {
    const v = f[c];
    if (v === undefined || v === '' || !has(c)) continue;
    if (typeof v !== 'string' || v.length > 20) throw ProblemError.of(REG.REG_FIELD_INVALID, `query.${c}`, { field: c, rule: '≤ 20 characters' });
    params.push(v);
    where.push(`${c} = $${params.length}`);
  }
  if (f.q) {
    if (typeof f.q !== 'string' || f.q.length > 100) throw ProblemError.of(REG.REG_FIELD_INVALID, 'query.q', { field: 'q', rule: '≤ 100 characters' });
    params.push(`%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    where.push(`(${def.search.map((c) => `${c} ILIKE $${params.length}`).join(' OR ')})`);
  }
  const limit = Math.max(1, Math.min(1000, Number(f.limit) || 100));
  const offset = Math.max(0, Math.min(1e7, Number(f.offset) || 0));
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${def.table} ${w}`, params);
  const items = await db.query(`SELECT * FROM ${def.table} ${w} ORDER BY ${def.key} LIMIT ${limit} OFFSET ${offset}`, params);
  return { total: Number(total.rows[0].n), items: items.rows };
}

/** Issue a facility code: province (2 digits) + the lowest serial not used by a registry entry or an account. */
export async function issueFacilityCode(db: Db, input: Record<string, unknown>): Promise<Record<string, any>> {
  const { value, problems } = validateRecord('facility', input, 'body', { keyOptional: true });
  if (!value.province) problems.push(problem(REG.REG_FIELD_REQUIRED, 'body.province', { field: 'province' }));
  if (problems.length) throw new ProblemError(problems);
  const province = String(value.province);
  return db.transaction(async (tx) => {
    // serialise issuing within the province
    await tx.query(`SELECT pg_advisory_xact_lock(7130, $1::int)`, [Number(province)]);
    const used = await tx.query<{ code: string }>(
      `SELECT macskcb AS code FROM reg_facility WHERE macskcb LIKE $1 UNION SELECT macskcb FROM facility_account WHERE macskcb LIKE $1`,
      [`${province}___`],
    );
    const taken = new Set(used.rows.map((r) => r.code));
    let code = '';
    for (let n = 1; n <= 999; n++) {
      const c = `${province}${String(n).padStart(3, '0')}`;
      if (!taken.has(c)) {
        code = c;
        break;
      }
    }
    if (!code) throw ProblemError.of(REG.REG_CODE_EXHAUSTED, 'body.province', { province });
    const { row } = await upsertOne(tx, 'facility', { ...value, macskcb: code, code_issued: true } as any);
    return row;
  });
}

export interface ImportResult {
  kind: RegistryKind;
  rows: number;
  created: number;
  updated: number;
  /** Facility codes issued for rows without one. */
  issued: string[];
  problems: Problem[];
}

/**
 * Import CSV (header row with the field names). All or nothing: when any row is invalid nothing
 * is written and every problem is returned with its line (path `line[N].field`).
 */
export async function importCsv(db: Db, kind: RegistryKind, text: string): Promise<ImportResult> {
  const { header, rows } = parseCsv(text);
  const def = KINDS[kind];
  const known = new Set(def.fields.map((f) => f.name));
  const problems: Problem[] = [];
  for (const h of header) if (!known.has(h)) problems.push(problem(REG.REG_CSV_INVALID, `header.${h.slice(0, 40)}`, { detail: `unknown column (known: ${[...known].join(', ')})` }));
  const keyOptional = kind === 'facility';
  const clean: { line: number; value: Record<string, string | boolean> }[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    const { value, problems: p } = validateRecord(kind, r.values, `line[${r.line}]`, { keyOptional });
    if (keyOptional && !value[def.key] && !value.province) p.push(problem(REG.REG_FIELD_REQUIRED, `line[${r.line}].province`, { field: 'province' }));
    const key = value[def.key] as string | undefined;
    if (key && seen.has(key)) p.push(problem(REG.REG_FIELD_INVALID, `line[${r.line}].${def.key}`, { field: def.key, rule: `unique in the file (also line ${seen.get(key)})` }));
    if (key) seen.set(key, r.line);
    problems.push(...p);
    clean.push({ line: r.line, value });
  }
  const result: ImportResult = { kind, rows: rows.length, created: 0, updated: 0, issued: [], problems };
  if (problems.length) return result;
  await db.transaction(async (tx) => {
    const usedByProvince = new Map<string, Set<string>>();
    for (const { value } of clean) {
      let v = value;
      if (!v[def.key]) {
        const province = String(v.province);
        let used = usedByProvince.get(province);
        if (!used) {
          const u = await tx.query<{ code: string }>(`SELECT macskcb AS code FROM reg_facility WHERE macskcb LIKE $1 UNION SELECT macskcb FROM facility_account WHERE macskcb LIKE $1`, [`${province}___`]);
          used = new Set([...u.rows.map((x) => x.code), ...clean.map((c) => String(c.value.macskcb ?? ''))]);
          usedByProvince.set(province, used);
        }
        let code = '';
        for (let n = 1; n <= 999 && !code; n++) if (!used.has(`${province}${String(n).padStart(3, '0')}`)) code = `${province}${String(n).padStart(3, '0')}`;
        if (!code) throw ProblemError.of(REG.REG_CODE_EXHAUSTED, 'province', { province });
        used.add(code);
        v = { ...v, macskcb: code, code_issued: true };
        result.issued.push(code);
      }
      const { created } = await upsertOne(tx, kind, v);
      if (created) result.created++;
      else result.updated++;
    }
  });
  return result;
}

export type CertificateStatus = 'valid' | 'expired' | 'not_yet_valid' | 'revoked';

export interface CertificateView {
  id: number;
  fingerprint: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  registeredAt: Date;
  revokedAt: Date | null;
  status: CertificateStatus;
  /** Whole days until notAfter (negative when expired). */
  daysLeft: number;
}

/** A facility's registered certificates (table facility_certificate) with their validity at `at`. */
export async function facilityCertificates(db: Queryable, macskcb: string, at = new Date()): Promise<CertificateView[]> {
  const r = await db.query(
    `SELECT id, fingerprint, subject, issuer, serial, not_before, not_after, registered_at, revoked_at FROM facility_certificate WHERE macskcb = $1 ORDER BY not_after DESC, id DESC`,
    [macskcb],
  );
  return r.rows.map((c) => {
    const nb = new Date(c.not_before);
    const na = new Date(c.not_after);
    const status: CertificateStatus = c.revoked_at ? 'revoked' : na <= at ? 'expired' : nb > at ? 'not_yet_valid' : 'valid';
    return {
      id: Number(c.id),
      fingerprint: c.fingerprint,
      subject: c.subject,
      issuer: c.issuer,
      serial: c.serial,
      notBefore: nb,
      notAfter: na,
      registeredAt: new Date(c.registered_at),
      revokedAt: c.revoked_at ? new Date(c.revoked_at) : null,
      status,
      daysLeft: Math.floor((na.getTime() - at.getTime()) / 86_400_000),
    };
  });
}

/** CSV export of a registry (the same columns the import reads). */
export async function exportCsv(db: Queryable, kind: RegistryKind, f: ListFilter = {}): Promise<string> {
  const def = KINDS[kind];
  const { items } = await list(db, kind, { ...f, limit: 1000 });
  const cols = def.fields.map((x) => x.name);
  const cell = (v: unknown) => {
    const s = typeof v === 'boolean' ? (v ? '1' : '0') : v == null ? '' : String(v);
    const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [cols.join(','), ...items.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
