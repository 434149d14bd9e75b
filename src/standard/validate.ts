// Validation in four layers: (a) structure, (b) fields, (c) identities, (d) cross-field and
// cross-table rules; plus the facility catalogue checks when a catalogue is given. Every finding
// is a Problem with a stable code, a path hoso[i].XMLn[row].FIELD, a severity and vi+en text.
import { problem, ProblemError, type Problem, type Severity, type ErrorDef } from '../errors/index.ts';
import { STD } from './errors.ts';
import { TABLES, CODE_LISTS, fieldDef, XML13_ONLY_3176, XML13_ONLY_4750, type CodeListDef, type FieldDef } from './catalogue/index.ts';
import { readPackage, maLkOf, parseCheckIn, parseGdyk, type ParseOptions } from './package.ts';
import { isDateText, tryParseDateTime } from './dates.ts';
import { CONDITIONAL_RULES, IDENTITY_FIELDS, ID_PATTERNS, DATE_ORDER_RULES, TOTAL_RULES, TRANSFER_MA_LOAI_RV, SO_NGAY_DTRI_RULE, COPIES_OF_XML1, ZERO_FILL_DATE_FIELDS, type ConditionalRule, type Cond } from './rules.ts';
import { TABLE_CODES, type Dossier, type Package, type Row, type TableCode, type Edition } from './types.ts';

/** A check added from outside the pure rules (e.g. the facility catalogue): problems for one dossier. */
export type DossierCheck = (d: Dossier, base: string) => Problem[];

export interface ValidateOptions extends ParseOptions {
  /** The edition the sender declares (endpoint QD4750 / QD3176). Both XML13 orders are accepted; a row in the other order is a warning. */
  edition?: Edition;
  /** Per code: a different severity, or 'off' to drop the finding. */
  severity?: Record<string, Severity | 'off'>;
  /** Replace or add code lists (e.g. the current MA_DOITUONG_KCB list). */
  codeLists?: Record<string, CodeListDef>;
  /** Absolute tolerance (VND) for totals, plus 0.01 per detail row. Default 1. */
  moneyTolerance?: number;
  /** Extra per-dossier checks, e.g. catalogueCheck(catalogue). */
  checks?: DossierCheck[];
}

export interface DossierResult {
  index: number;
  maLk: string;
  valid: boolean;
  problems: Problem[];
}

export interface ValidationResult {
  valid: boolean;
  /** Package-level problems (envelope, unusable input); dossier problems are under `dossiers`. */
  problems: Problem[];
  dossiers: DossierResult[];
  /** The parsed package (validateBytes only; absent when the bytes were unusable). */
  package?: Package;
}

type Ctx = { opts: ValidateOptions; lists: Record<string, CodeListDef>; out: Problem[] };

function emit(ctx: Ctx, def: ErrorDef, path: string, vars?: Record<string, string | number>, severity?: Severity): void {
  const o = ctx.opts.severity?.[def.code];
  if (o === 'off') return;
  ctx.out.push(problem(def, path, vars, o ?? severity));
}

const NUM = /^-?\d+(\.\d+)?$/;
// Characters XML 1.0 cannot carry (a package holding them cannot be built).
const CONTROL = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/** (b) one field's value against its definition. */
function checkField(ctx: Ctx, f: FieldDef, v: string, path: string): void {
  if (v === '') {
    if (f.required === true) emit(ctx, STD.STD_FIELD_REQUIRED, path, { field: f.name });
    return;
  }
  if (CONTROL.test(v)) emit(ctx, STD.STD_FIELD_CONTROL_CHAR, path, { field: f.name });
  if (f.maxLength !== null && f.type !== 'number' && v.length > f.maxLength) {
    emit(ctx, STD.STD_FIELD_TOO_LONG, path, { field: f.name, length: v.length, max: f.maxLength });
  }
  if (f.type === 'number') {
    if (!NUM.test(v) || (f.maxLength !== null && v.replace(/^-/, '').split('.')[0].length > f.maxLength)) {
      emit(ctx, STD.STD_FIELD_NUMBER, path, { field: f.name, digits: f.maxLength ?? 'n' });
      return;
    }
  } else if (f.type === 'date' || f.type === 'datetime') {
    if (!isDateText(v, f.type, ZERO_FILL_DATE_FIELDS.has(f.name))) {
      emit(ctx, f.type === 'date' ? STD.STD_FIELD_DATE : STD.STD_FIELD_DATETIME, path, { field: f.name });
      return;
    }
  } else if (f.formats) {
    const values = f.list ? v.split(';') : [v];
    const ok = values.every((x) => f.formats!.some((k) => isDateText(x, k)));
    if (!ok) emit(ctx, STD.STD_FIELD_DATE_ANY, path, { field: f.name, formats: f.formats.map((k) => (k === 'date' ? 'yyyyMMdd' : 'yyyyMMddHHmm')).join(' | ') });
  }
  if (f.codeList) {
    const list = ctx.lists[f.codeList];
    if (list && !(v in list.codes)) {
      emit(ctx, STD.STD_FIELD_CODE, path, { field: f.name, value: v.slice(0, 20), list: f.codeList }, list.open ? 'warning' : undefined);
    }
  }
}

function holds(row: Row, c: Cond): boolean {
  const v = row[c.field] ?? '';
  if (c.empty === true && v !== '') return false;
  if (c.empty === false && v === '') return false;
  if (c.in && !c.in.includes(v)) return false;
  if (c.notIn && c.notIn.includes(v)) return false;
  return true;
}

const condByTable = new Map<TableCode, ConditionalRule[]>();
for (const r of CONDITIONAL_RULES) condByTable.set(r.table, [...(condByTable.get(r.table) ?? []), r]);

function checkIdentity(ctx: Ctx, code: TableCode, row: Row, base: string): void {
  for (const id of IDENTITY_FIELDS) {
    if (id.tables && !id.tables.includes(code)) continue;
    const v = row[id.field];
    if (!v) continue;
    const path = `${base}.${id.field}`;
    // A trailing ';' (an empty last item) is tolerated; an empty item in the middle is not.
    const values = id.list ? v.replace(/;\s*$/, '').split(';') : [v];
    const bad = values.find((x) => !ID_PATTERNS[id.kind].test(x.trim()));
    if (id.kind === 'icd10') {
      if (bad !== undefined) emit(ctx, STD.STD_ID_ICD10, path, { field: id.field, value: bad.slice(0, 12) });
      if (id.field === 'MA_BENH_KT' && values.length > 12) emit(ctx, STD.STD_ID_ICD10_COUNT, path, { count: values.length });
      continue;
    }
    if (bad === undefined) continue;
    const def = id.kind === 'personal' ? STD.STD_ID_PERSONAL : id.kind === 'bhyt' ? STD.STD_ID_BHYT : STD.STD_ID_FACILITY;
    emit(ctx, def, path, { field: id.field });
  }
}

/** Compare two date texts; date-only against datetime compares by day. Null when either is malformed. */
function cmpDates(a: string, b: string): number | null {
  if (a.length !== b.length) {
    a = a.slice(0, 8);
    b = b.slice(0, 8);
  }
  const da = tryParseDateTime(a), db = tryParseDateTime(b);
  if (!da || !db) return null;
  return da.getTime() - db.getTime();
}

/** Validate one table's rows: fields (b), conditional requirements, identities (c), in-row date order. */
function checkTable(ctx: Ctx, code: TableCode, rows: Row[], base: string): void {
  const conds = condByTable.get(code) ?? [];
  const dateRules = DATE_ORDER_RULES.filter((r) => r.table === code);
  const many = TABLES[code].many;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const rp = `${base}.${code}[${i}]`;
    for (const name in row) {
      const f = fieldDef(code, name);
      if (f) checkField(ctx, f, row[name], `${rp}.${name}`);
    }
    for (const c of conds) {
      if ((row[c.require] ?? '') === '' && c.when.every((w) => holds(row, w))) emit(ctx, STD.STD_FIELD_CONDITIONAL, `${rp}.${c.require}`, { field: c.require, when: c.text }, c.severity);
    }
    checkIdentity(ctx, code, row, rp);
    for (const r of dateRules) {
      const a = row[r.first], b = row[r.second];
      if (!a || !b) continue;
      const c = cmpDates(a, b);
      if (c !== null && c > 0) emit(ctx, STD.STD_DATE_ORDER, `${rp}.${r.second}`, { first: `${code}.${r.first}`, second: `${code}.${r.second}` }, r.severity);
    }
    if (many && 'STT' in row && row.STT !== '' && row.STT !== String(i + 1)) {
      emit(ctx, STD.STD_STT_SEQUENCE, `${rp}.STT`, { table: code, value: row.STT.slice(0, 10) });
    }
  }
}

const num = (s: string | undefined): number => (s && NUM.test(s) ? Number(s) : 0);
const fmt = (n: number): string => (Math.round(n * 100) / 100).toString();

/** (d) cross-field and cross-table rules of one dossier. */
function checkDossier(ctx: Ctx, d: Dossier, base: string, pkgMacskcb: string | null): void {
  const x1rows = d.tables.XML1;
  if (!x1rows) {
    emit(ctx, STD.STD_XML1_MISSING, `${base}.XML1`);
  } else if (x1rows.length !== 1) {
    emit(ctx, STD.STD_XML1_ONE_ROW, `${base}.XML1`);
  }
  for (const code of TABLE_CODES) {
    const rows = d.tables[code];
    if (!rows) continue;
    if (rows.length === 0) emit(ctx, STD.STD_EMPTY_TABLE, `${base}.${code}`, { table: code });
    checkTable(ctx, code, rows, base);
  }
  const x1 = x1rows?.[0];
  if (!x1) return;
  const maLk = x1.MA_LK;
  for (const code of TABLE_CODES) {
    if (code === 'XML1') continue;
    const rows = d.tables[code];
    if (!rows) continue;
    rows.forEach((r, i) => {
      if ('MA_LK' in r && r.MA_LK !== '' && r.MA_LK !== maLk) emit(ctx, STD.STD_MALK_MISMATCH, `${base}.${code}[${i}].MA_LK`, { table: code });
    });
  }
  if (pkgMacskcb !== null && x1.MA_CSKCB && pkgMacskcb && x1.MA_CSKCB !== pkgMacskcb) emit(ctx, STD.STD_MACSKCB_MISMATCH, `${base}.XML1[0].MA_CSKCB`);
  // XML13 layout against the configured edition (both are accepted; a mismatch is a warning).
  if (ctx.opts.edition) {
    (d.tables.XML13 ?? []).forEach((r, i) => {
      const found = XML13_ONLY_4750.some((k) => k in r) && !XML13_ONLY_3176.some((k) => k in r) ? '4750' : '3176';
      if (found !== ctx.opts.edition) emit(ctx, STD.STD_EDITION_LAYOUT, `${base}.XML13[${i}]`, { edition: ctx.opts.edition!, found });
    });
  }
  // Totals against the detail tables (only when a detail table is present).
  if (d.tables.XML2 || d.tables.XML3) {
    const tol = ctx.opts.moneyTolerance ?? 1;
    for (const rule of TOTAL_RULES) {
      const declared = x1[rule.total];
      if (declared === undefined || declared === '' || !NUM.test(declared)) continue;
      let sum = 0;
      let n = 0;
      for (const p of rule.parts) {
        for (const r of d.tables[p.table] ?? []) {
          if (p.groups && !p.groups.includes(r.MA_NHOM)) continue;
          sum += num(r[p.field]);
          n++;
        }
      }
      if (Math.abs(sum - Number(declared)) > tol + 0.01 * n) {
        emit(ctx, STD.STD_TOTAL_MISMATCH, `${base}.XML1[0].${rule.total}`, { total: rule.total, declared, computed: fmt(sum), detail: rule.parts.map((p) => `${p.table}.${p.field}`).join(' + '), tolerance: tol });
      }
    }
    // Row amounts: XML2 SO_LUONG × DON_GIA; XML3 SO_LUONG × DON_GIA_BV × TYLE_TT_DV/100.
    const rowTol = 1;
    (d.tables.XML2 ?? []).forEach((r, i) => {
      if (!NUM.test(r.SO_LUONG ?? '') || !NUM.test(r.DON_GIA ?? '') || !NUM.test(r.THANH_TIEN_BV ?? '')) return;
      const c = Number(r.SO_LUONG) * Number(r.DON_GIA);
      if (Math.abs(c - Number(r.THANH_TIEN_BV)) > rowTol) emit(ctx, STD.STD_ROW_AMOUNT, `${base}.XML2[${i}].THANH_TIEN_BV`, { declared: r.THANH_TIEN_BV, computed: fmt(c), tolerance: rowTol });
    });
    (d.tables.XML3 ?? []).forEach((r, i) => {
      if (!NUM.test(r.SO_LUONG ?? '') || !NUM.test(r.DON_GIA_BV ?? '') || !NUM.test(r.THANH_TIEN_BV ?? '')) return;
      const ratio = NUM.test(r.TYLE_TT_DV ?? '') ? Number(r.TYLE_TT_DV) / 100 : 1;
      const c = Number(r.SO_LUONG) * Number(r.DON_GIA_BV) * ratio;
      if (Math.abs(c - Number(r.THANH_TIEN_BV)) > rowTol) emit(ctx, STD.STD_ROW_AMOUNT, `${base}.XML3[${i}].THANH_TIEN_BV`, { declared: r.THANH_TIEN_BV, computed: fmt(c), tolerance: rowTol });
    });
  }
  // XML4 results belong to XML3 services.
  if (d.tables.XML4) {
    const services = new Set((d.tables.XML3 ?? []).map((r) => r.MA_DICH_VU).filter(Boolean));
    d.tables.XML4.forEach((r, i) => {
      if (r.MA_DICH_VU && !services.has(r.MA_DICH_VU)) emit(ctx, STD.STD_XML4_SERVICE, `${base}.XML4[${i}].MA_DICH_VU`, { value: r.MA_DICH_VU.slice(0, 50) });
    });
  }
  // A transfer comes with a referral; a referral only with a transfer.
  const rv = x1.MA_LOAI_RV ?? '';
  if (TRANSFER_MA_LOAI_RV.includes(rv) && !d.tables.XML13) emit(ctx, STD.STD_REFERRAL_MISSING, `${base}.XML1[0].MA_LOAI_RV`, { value: rv });
  if (d.tables.XML13 && rv !== '' && !TRANSFER_MA_LOAI_RV.includes(rv)) emit(ctx, STD.STD_REFERRAL_UNEXPECTED, `${base}.XML13`, { value: rv });
  // Treatment days.
  const rule = SO_NGAY_DTRI_RULE[x1.MA_LOAI_KCB ?? ''];
  if (rule && NUM.test(x1.SO_NGAY_DTRI ?? '')) {
    let expected: number | null = null;
    if (rule === 'zero') expected = 0;
    else {
      const a = tryParseDateTime((x1.NGAY_VAO ?? '').slice(0, 8)), b = tryParseDateTime((x1.NGAY_RA ?? '').slice(0, 8));
      if (a && b) expected = Math.round((b.getTime() - a.getTime()) / 86_400_000) + 1;
    }
    if (expected !== null && Number(x1.SO_NGAY_DTRI) !== expected) emit(ctx, STD.STD_SO_NGAY_DTRI, `${base}.XML1[0].SO_NGAY_DTRI`, { declared: x1.SO_NGAY_DTRI, expected });
  }
  // Card lists run in parallel.
  const cards = ['MA_THE_BHYT', 'MA_DKBD', 'GT_THE_TU', 'GT_THE_DEN'].map((f) => x1[f] ?? '').filter((v) => v !== '');
  if (cards.length > 1 && new Set(cards.map((v) => v.split(';').length)).size > 1) emit(ctx, STD.STD_CARD_LIST, `${base}.XML1[0].MA_THE_BHYT`);
  const gtTu = (x1.GT_THE_TU ?? '').split(';'), gtDen = (x1.GT_THE_DEN ?? '').split(';');
  gtTu.forEach((t, i) => {
    const c = t && gtDen[i] ? cmpDates(t, gtDen[i]) : null;
    if (c !== null && c > 0) emit(ctx, STD.STD_DATE_ORDER, `${base}.XML1[0].GT_THE_DEN`, { first: 'XML1.GT_THE_TU', second: 'XML1.GT_THE_DEN' });
  });
  // Copies of XML1 in other tables.
  for (const c of COPIES_OF_XML1) {
    const rows = d.tables[c.table];
    if (!rows) continue;
    rows.forEach((r, i) => {
      for (const f of c.fields) if (r[f] && x1[f] && r[f] !== x1[f]) emit(ctx, STD.STD_FIELD_MISMATCH, `${base}.${c.table}[${i}].${f}`, { table: c.table, field: f });
    });
  }
}

function makeCtx(opts: ValidateOptions = {}): Ctx {
  return { opts, lists: opts.codeLists ? { ...CODE_LISTS, ...opts.codeLists } : (CODE_LISTS as Record<string, CodeListDef>), out: [] };
}

function hasError(ps: Problem[]): boolean {
  return ps.some((p) => p.severity === 'error');
}

function applySeverity(ps: Problem[], opts: ValidateOptions): Problem[] {
  if (!opts.severity) return ps;
  const out: Problem[] = [];
  for (const p of ps) {
    const o = opts.severity[p.code];
    if (o === 'off') continue;
    out.push(o ? { ...p, severity: o } : p);
  }
  return out;
}

function validateInner(pkg: Package, opts: ValidateOptions, pkgProblems: Problem[], structural: Problem[][] | null): ValidationResult {
  const problems = applySeverity(pkgProblems, opts);
  const seen = new Map<string, number>();
  const dossiers: DossierResult[] = pkg.dossiers.map((d, i) => {
    const base = `hoso[${i}]`;
    const ctx = makeCtx(opts);
    ctx.out.push(...applySeverity(structural?.[i] ?? [], opts));
    checkDossier(ctx, d, base, pkg.macskcb || null);
    for (const check of opts.checks ?? []) ctx.out.push(...applySeverity(check(d, base), opts));
    const maLk = maLkOf(d);
    if (maLk) {
      if (seen.has(maLk)) emit(ctx, STD.STD_MALK_DUPLICATE, `${base}.XML1[0].MA_LK`);
      else seen.set(maLk, i);
    }
    return { index: i, maLk, valid: !hasError(ctx.out), problems: ctx.out };
  });
  // Envelope fields.
  const ctx = makeCtx(opts);
  if (pkg.macskcb && !ID_PATTERNS.facility.test(pkg.macskcb)) emit(ctx, STD.STD_ID_FACILITY, 'GIAMDINHHS.THONGTINDONVI.MACSKCB', { field: 'MACSKCB' });
  if (!pkg.macskcb && !problems.some((p) => p.path.endsWith('MACSKCB'))) emit(ctx, STD.STD_FIELD_REQUIRED, 'GIAMDINHHS.THONGTINDONVI.MACSKCB', { field: 'MACSKCB' });
  if (pkg.ngayLap && !isDateText(pkg.ngayLap, 'date')) emit(ctx, STD.STD_FIELD_DATE, 'GIAMDINHHS.THONGTINHOSO.NGAYLAP', { field: 'NGAYLAP' });
  problems.push(...ctx.out);
  return { valid: !hasError(problems) && dossiers.every((d) => d.valid), problems, dossiers };
}

/** Validate a parsed package (layers b–d, plus extra checks). */
export function validatePackage(pkg: Package, opts: ValidateOptions = {}): ValidationResult {
  return validateInner(pkg, opts, [], null);
}

/** Parse and validate bytes. Never throws for bad data: unusable input gives a result with problems and no dossiers. */
export function validateBytes(bytes: Uint8Array, opts: ValidateOptions = {}): ValidationResult {
  let read;
  try {
    read = readPackage(bytes, opts);
  } catch (e) {
    if (e instanceof ProblemError) return { valid: false, problems: e.problems, dossiers: [] };
    throw e;
  }
  const r = validateInner(read.pkg, opts, read.problems, read.dossierProblems);
  r.package = read.pkg;
  return r;
}

/** Validate the rows of a stand-alone table (check-in XML0 or assessment XML12). */
export function validateRows(code: TableCode, rows: Row[], opts: ValidateOptions = {}, base = code as string): Problem[] {
  const ctx = makeCtx(opts);
  checkTable(ctx, code, rows, base.startsWith('XML') ? '' : base);
  return ctx.out.map((p) => (p.path.startsWith('.') ? { ...p, path: p.path.slice(1) } : p));
}

export type DocumentKind = 'package' | 'checkin' | 'gdyk' | 'unknown';

/** The kind of document from its root element name (reads at most the first 4 KiB). */
export function sniffKind(bytes: Uint8Array): DocumentKind {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  const m = /<([A-Za-z_][\w.-]*)[\s>/]/.exec(head.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, ''));
  const root = m?.[1];
  if (root === 'GIAMDINHHS') return 'package';
  if (root === TABLES.XML0.root) return 'checkin';
  if (root === TABLES.XML12.root) return 'gdyk';
  return 'unknown';
}

/**
 * Validate any document of the standard: a GIAMDINHHS package, a check-in (XML0) or an
 * assessment (XML12) document. Never throws for bad data. `unusable` = the input could not be read
 * as a document at all (exit code 2 in the CLI).
 */
export function validateDocument(bytes: Uint8Array, opts: ValidateOptions = {}): ValidationResult & { kind: DocumentKind; unusable: boolean } {
  const kind = sniffKind(bytes);
  if (kind === 'package' || kind === 'unknown') {
    const r = validateBytes(bytes, opts);
    return { ...r, kind, unusable: !r.package };
  }
  const code: TableCode = kind === 'checkin' ? 'XML0' : 'XML12';
  try {
    const parsed = readStandaloneForValidation(code, bytes, opts);
    const problems = [...applySeverity(parsed.problems, opts), ...validateRows(code, parsed.rows, opts)];
    const maLk = parsed.rows[0]?.MA_LK ?? '';
    const valid = !hasError(problems);
    return { kind, unusable: false, valid, problems: [], dossiers: [{ index: 0, maLk, valid, problems }] };
  } catch (e) {
    if (e instanceof ProblemError) return { kind, unusable: true, valid: false, problems: e.problems, dossiers: [] };
    throw e;
  }
}

function readStandaloneForValidation(code: TableCode, bytes: Uint8Array, opts: ParseOptions) {
  return code === 'XML0' ? parseCheckIn(bytes, opts) : parseGdyk(bytes, opts);
}
