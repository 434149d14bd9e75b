// Parse and build GIAMDINHHS packages and the two stand-alone documents (check-in XML0,
// medical assessment XML12). Every table is read and written from the catalogue: no code per table.
// Pure: no I/O.
import { problem, ProblemError, type Problem } from '../errors/index.ts';
import { parseXml, nameReader, rootPtr, firstElementPtr, nextElementPtr, namePtr, textPtr, hasElementChildPtr, type XmlDocument } from './xml.ts';
import { STD } from './errors.ts';
import { TABLES, PACKAGE_TABLES, DEFAULT_EDITION, XML13_ONLY_4750, XML13_ONLY_3176, fieldsOf } from './catalogue/index.ts';
import { TABLE_CODES, type Dossier, type Edition, type Package, type Row, type TableCode } from './types.ts';

export interface ParseLimits {
  /** Bytes of the whole package, checked before anything is parsed. */
  maxBytes: number;
  /** Bytes of one decoded table document. */
  maxTableBytes: number;
  maxDossiers: number;
  maxRowsPerTable: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxBytes: 64 * 1024 * 1024, maxTableBytes: 32 * 1024 * 1024, maxDossiers: 10_000, maxRowsPerTable: 100_000 };

export interface ParseOptions {
  limits?: Partial<ParseLimits>;
}

export interface BuildOptions {
  /** Field order of XML13 when the rows do not show it (default 3176). */
  edition?: Edition;
}

/** What reading a package found: the typed package plus structural problems (package-level and per dossier). */
export interface ReadResult {
  pkg: Package;
  /** Package-level problems (envelope). */
  problems: Problem[];
  /** Problems per dossier, same index as pkg.dossiers. */
  dossierProblems: Problem[][];
  /** Declared SOLUONGHOSO text. */
  declaredCount: string;
}

const ENVELOPE = 'GIAMDINHHS';

/** Child elements of an element, by pointer. */
function elements(el: number): number[] {
  const out: number[] = [];
  for (let c = firstElementPtr(el); c; c = nextElementPtr(c)) out.push(c);
  return out;
}

function limitsOf(opts?: ParseOptions): ParseLimits {
  return { ...DEFAULT_LIMITS, ...(opts?.limits ?? {}) };
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 decode: standard alphabet, whitespace allowed, complete padding. Null + reason when bad. */
export function decodeBase64(text: string): { bytes: Buffer } | { error: string } {
  const s = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  if (!s.length) return { error: 'empty' };
  if (s.length % 4 !== 0) return { error: `length ${s.length} is not a multiple of 4 (truncated?)` };
  const bytes = Buffer.from(s, 'base64');
  // Fast path: canonical base64 round-trips exactly (native encode + compare beat the regex over
  // a long string); anything else (non-canonical padding bits, foreign characters) takes the regex.
  if (bytes.toString('base64') !== s && !B64.test(s)) return { error: 'characters outside the base64 alphabet' };
  return { bytes };
}

/** The layout (edition) of an XML13 row from the names it carries. */
function xml13Layout(names: Iterable<string>, fallback: Edition): Edition {
  let has4750 = false;
  let has3176 = false;
  for (const n of names) {
    if ((XML13_ONLY_4750 as readonly string[]).includes(n)) has4750 = true;
    if ((XML13_ONLY_3176 as readonly string[]).includes(n)) has3176 = true;
  }
  if (has3176) return '3176';
  if (has4750) return '4750';
  return fallback;
}

const templates = new Map<string, Row>();
/** An object with every field of the layout set to '' (one shape per table: fast copies). */
function template(code: TableCode, layout: Edition): Row {
  const key = `${code}/${layout}`;
  let t = templates.get(key);
  if (!t) {
    t = {};
    for (const f of fieldsOf(code, layout)) t[f.name] = '';
    templates.set(key, t);
  }
  return t;
}

/**
 * Read the field elements of one element (by pointer): unknown, repeated and nested ones are
 * reported at `${path}.NAME`; `skip` (e.g. CHUKYDONVI) is passed over; after `max` elements a
 * STD_LIMIT problem ends the reading. Shared by table rows and the certificate documents.
 */
export function readFields(
  el: number,
  known: { has(name: string): boolean },
  path: string,
  problems: Problem[],
  nameOf: (ptr: number) => string = namePtr,
  opts?: { skip?: string; max?: number },
): { names: string[]; values: string[] } {
  const names: string[] = [];
  const values: string[] = [];
  const seen = new Set<string>();
  let n = 0;
  for (let child = firstElementPtr(el); child; child = nextElementPtr(child)) {
    const name = nameOf(child);
    if (opts?.skip === name) continue;
    if (opts?.max !== undefined && ++n > opts.max) {
      problems.push(problem(STD.STD_LIMIT, path, { what: 'elements', limit: opts.max }));
      break;
    }
    if (!known.has(name)) {
      problems.push(problem(STD.STD_ELEMENT_UNKNOWN, `${path}.${name}`, { element: name }));
      continue;
    }
    if (seen.has(name)) {
      problems.push(problem(STD.STD_ELEMENT_REPEATED, `${path}.${name}`, { element: name }));
      continue;
    }
    seen.add(name);
    names.push(name);
    if (hasElementChildPtr(child)) {
      problems.push(problem(STD.STD_FIELD_NESTED, `${path}.${name}`, { field: name }));
      values.push('');
      continue;
    }
    values.push(textPtr(child));
  }
  return { names, values };
}

const knownNames = new Map<TableCode, ReadonlySet<string>>();
/** The names of a table's fields in any edition (what fieldDef knows), one set per table. */
function knownOf(code: TableCode): ReadonlySet<string> {
  let set = knownNames.get(code);
  if (!set) {
    const t = TABLES[code];
    knownNames.set(code, (set = new Set([...t.fields, ...(t.fields4750 ?? [])].map((f) => f.name))));
  }
  return set;
}

/** Read one row element (by pointer) into a Row holding every field of the table's layout ('' when absent). */
function readRow(el: number, code: TableCode, path: string, problems: Problem[], nameOf: (ptr: number) => string): Row {
  const { names, values } = readFields(el, knownOf(code), path, problems, nameOf);
  const layout = code === 'XML13' ? xml13Layout(names, DEFAULT_EDITION) : DEFAULT_EDITION;
  const row: Row = { ...template(code, layout) };
  for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
  return row;
}

/** Read the rows of a parsed table document (root element by pointer). */
function readTableDoc(root: number, code: TableCode, path: string, problems: Problem[], limits: ParseLimits): Row[] | null {
  const t = TABLES[code];
  const nameOf = nameReader();
  const rootName = namePtr(root);
  if (rootName !== t.root) {
    problems.push(problem(STD.STD_TABLE_ROOT, path, { table: code, expected: t.root, found: rootName }));
    return null;
  }
  if (!t.list || !t.row) return [readRow(root, code, `${path}[0]`, problems, nameOf)];
  const rows: Row[] = [];
  let lists = 0;
  for (let child = firstElementPtr(root); child; child = nextElementPtr(child)) {
    const name = namePtr(child);
    if (name === 'CHUKYDONVI') continue;
    if (name !== t.list) {
      problems.push(problem(STD.STD_ELEMENT_UNKNOWN, `${path}.${name}`, { element: name }));
      continue;
    }
    if (++lists > 1) problems.push(problem(STD.STD_ELEMENT_REPEATED, `${path}.${t.list}`, { element: t.list }));
    for (let r = firstElementPtr(child); r; r = nextElementPtr(r)) {
      const rn = nameOf(r);
      if (rn !== t.row) {
        problems.push(problem(STD.STD_ELEMENT_UNKNOWN, `${path}.${t.list}.${rn}`, { element: rn }));
        continue;
      }
      if (rows.length >= limits.maxRowsPerTable) {
        problems.push(problem(STD.STD_LIMIT, path, { what: `rows of ${code}`, limit: limits.maxRowsPerTable }));
        return rows;
      }
      rows.push(readRow(r, code, `${path}[${rows.length}]`, problems, nameOf));
    }
  }
  if (lists === 0) problems.push(problem(STD.STD_ELEMENT_MISSING, `${path}.${t.list}`, { element: t.list }));
  return rows;
}

/** Parse one table document's bytes (a decoded NOIDUNGFILE, or a stand-alone document). */
export function parseTable(code: TableCode, bytes: Uint8Array, path: string, problems: Problem[], limits: ParseLimits = DEFAULT_LIMITS): Row[] | null {
  let doc: XmlDocument;
  try {
    doc = parseXml(bytes, { maxBytes: limits.maxTableBytes }, path);
  } catch (e) {
    if (e instanceof ProblemError) {
      problems.push(...e.problems);
      return null;
    }
    throw e;
  }
  try {
    return readTableDoc(rootPtr(doc), code, path, problems, limits);
  } finally {
    doc.dispose();
  }
}

function single(el: number, name: string, path: string, problems: Problem[]): number {
  let found = 0;
  for (const c of elements(el)) {
    if (namePtr(c) !== name) continue;
    if (found) problems.push(problem(STD.STD_ELEMENT_REPEATED, `${path}.${name}`, { element: name }));
    else found = c;
  }
  if (!found) problems.push(problem(STD.STD_ELEMENT_MISSING, `${path}.${name}`, { element: name }));
  return found;
}

function checkKnown(el: number, allowed: string[], path: string, problems: Problem[]): void {
  for (const c of elements(el)) {
    const n = namePtr(c);
    if (!allowed.includes(n)) problems.push(problem(STD.STD_ELEMENT_UNKNOWN, `${path}.${n}`, { element: n }));
  }
}

/**
 * Read a package, collecting structural problems instead of throwing for them. Throws
 * ProblemError only when the input is unusable as a whole (too large, not XML, DTD, bad UTF-8,
 * wrong root, over the dossier limit).
 */
export function readPackage(bytes: Uint8Array, opts?: ParseOptions): ReadResult {
  const limits = limitsOf(opts);
  const doc = parseXml(bytes, { maxBytes: limits.maxBytes }, ENVELOPE);
  try {
    const root = rootPtr(doc);
    const rootName = namePtr(root);
    if (rootName !== ENVELOPE) throw ProblemError.of(STD.STD_ROOT, '', { expected: ENVELOPE, found: rootName });
    const problems: Problem[] = [];
    checkKnown(root, ['THONGTINDONVI', 'THONGTINHOSO', 'CHUKYDONVI'], ENVELOPE, problems);
    const donvi = single(root, 'THONGTINDONVI', ENVELOPE, problems);
    const macEl = donvi ? single(donvi, 'MACSKCB', `${ENVELOPE}.THONGTINDONVI`, problems) : null;
    if (donvi) checkKnown(donvi, ['MACSKCB'], `${ENVELOPE}.THONGTINDONVI`, problems);
    const hs = single(root, 'THONGTINHOSO', ENVELOPE, problems);
    let sigs = 0;
    for (const c of elements(root)) if (namePtr(c) === 'CHUKYDONVI' && ++sigs === 2) problems.push(problem(STD.STD_ELEMENT_REPEATED, `${ENVELOPE}.CHUKYDONVI`, { element: 'CHUKYDONVI' }));
    const pkg: Package = { macskcb: macEl ? textPtr(macEl).trim() : '', ngayLap: '', dossiers: [] };
    const dossierProblems: Problem[][] = [];
    let declaredCount = '';
    if (hs) {
      const p = `${ENVELOPE}.THONGTINHOSO`;
      checkKnown(hs, ['NGAYLAP', 'SOLUONGHOSO', 'DANHSACHHOSO'], p, problems);
      const ngayLapEl = single(hs, 'NGAYLAP', p, problems);
      pkg.ngayLap = ngayLapEl ? textPtr(ngayLapEl).trim() : '';
      const countEl = single(hs, 'SOLUONGHOSO', p, problems);
      declaredCount = countEl ? textPtr(countEl).trim() : '';
      const list = single(hs, 'DANHSACHHOSO', p, problems);
      if (list) {
        for (const hoso of elements(list)) {
          const hn = namePtr(hoso);
          if (hn !== 'HOSO') {
            problems.push(problem(STD.STD_ELEMENT_UNKNOWN, `${p}.DANHSACHHOSO.${hn}`, { element: hn }));
            continue;
          }
          const i = pkg.dossiers.length;
          if (i >= limits.maxDossiers) throw ProblemError.of(STD.STD_LIMIT, `hoso[${i}]`, { what: 'HOSO count', limit: limits.maxDossiers });
          const dp: Problem[] = [];
          pkg.dossiers.push(readHoso(hoso, i, dp, limits));
          dossierProblems.push(dp);
        }
      }
    }
    if (declaredCount !== '' && declaredCount !== String(pkg.dossiers.length)) {
      problems.push(problem(STD.STD_COUNT_MISMATCH, `${ENVELOPE}.THONGTINHOSO.SOLUONGHOSO`, { declared: declaredCount.slice(0, 20), actual: pkg.dossiers.length }));
    }
    if (hs && pkg.dossiers.length === 0) problems.push(problem(STD.STD_NO_DOSSIER, `${ENVELOPE}.THONGTINHOSO.DANHSACHHOSO`));
    return { pkg, problems, dossierProblems, declaredCount };
  } finally {
    doc.dispose();
  }
}

const LOAI = new Set<string>(TABLE_CODES);

function readHoso(hoso: number, i: number, dp: Problem[], limits: ParseLimits): Dossier {
  const d: Dossier = { tables: {} };
  const base = `hoso[${i}]`;
  let f = 0;
  for (const file of elements(hoso)) {
    const fp = `${base}.FILEHOSO[${f++}]`;
    const fn = namePtr(file);
    if (fn !== 'FILEHOSO') {
      dp.push(problem(STD.STD_ELEMENT_UNKNOWN, `${base}.${fn}`, { element: fn }));
      continue;
    }
    if (f > 32) {
      dp.push(problem(STD.STD_LIMIT, base, { what: 'FILEHOSO count', limit: 32 }));
      break;
    }
    checkKnown(file, ['LOAIHOSO', 'NOIDUNGFILE'], fp, dp);
    const loaiEl = single(file, 'LOAIHOSO', fp, dp);
    const contentEl = single(file, 'NOIDUNGFILE', fp, dp);
    if (!loaiEl || !contentEl) continue;
    const loai = textPtr(loaiEl).trim();
    if (!LOAI.has(loai)) {
      dp.push(problem(STD.STD_LOAIHOSO_UNKNOWN, `${fp}.LOAIHOSO`, { value: loai.slice(0, 20), allowed: PACKAGE_TABLES.join(',') }));
      continue;
    }
    const code = loai as TableCode;
    if (!PACKAGE_TABLES.includes(code)) {
      dp.push(problem(STD.STD_TABLE_NOT_IN_PACKAGE, `${fp}.LOAIHOSO`, { table: code }));
      continue;
    }
    if (d.tables[code]) {
      dp.push(problem(STD.STD_TABLE_REPEATED, `${base}.${code}`, { table: code }));
      continue;
    }
    const text = textPtr(contentEl);
    if (text.length > Math.ceil((limits.maxTableBytes * 4) / 3) + 1024) {
      dp.push(problem(STD.STD_LIMIT, `${base}.${code}`, { what: 'table bytes', limit: limits.maxTableBytes }));
      continue;
    }
    const dec = decodeBase64(text);
    if ('error' in dec) {
      dp.push(problem(STD.STD_BASE64, `${base}.${code}`, { detail: dec.error }));
      continue;
    }
    const rows = parseTable(code, dec.bytes, `${base}.${code}`, dp, limits);
    if (rows) d.tables[code] = rows;
  }
  return d;
}

/** Parse a GIAMDINHHS package. Throws ProblemError when the input is unusable or breaks the structure. */
export function parsePackage(bytes: Uint8Array, opts?: ParseOptions): Package {
  const r = readPackage(bytes, opts);
  const errors = [...r.problems, ...r.dossierProblems.flat()].filter((p) => p.severity === 'error');
  if (errors.length) throw new ProblemError(errors);
  return r.pkg;
}

// ---------------------------------------------------------------------------------------------
// Building

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
export function escapeXml(s: string): string {
  return /[&<>\r]/.test(s) ? s.replace(/[&<>\r]/g, (c) => ESC[c]) : s;
}

/** Fields of a row in output order: the layout's fields, then other known fields the row carries. */
function orderedNames(code: TableCode, row: Row, edition: Edition): string[] {
  const layout = code === 'XML13' ? xml13Layout(Object.keys(row), edition) : edition;
  const names = fieldsOf(code, layout).map((f) => f.name);
  const set = new Set(names);
  for (const k of Object.keys(row)) if (!set.has(k) && row[k] !== '') names.push(k);
  return names;
}

const NOT_XML = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/**
 * The field elements of one row, in `names` order, each on its own line after `indent`; an empty
 * field is `<NAME/>`, or left out with `omitEmpty`. Control characters are refused at `${path}.NAME`.
 */
export function fieldsXml(names: readonly string[], row: Readonly<Record<string, string>>, path: string, indent: string, omitEmpty = false): string {
  let s = '';
  for (const name of names) {
    const v = row[name] ?? '';
    if (v === '' && omitEmpty) continue;
    if (NOT_XML.test(v)) throw ProblemError.of(STD.STD_FIELD_CONTROL_CHAR, `${path}.${name}`, { field: name });
    s += v === '' ? `${indent}<${name}/>\n` : `${indent}<${name}>${escapeXml(v)}</${name}>\n`;
  }
  return s;
}

function rowXml(code: TableCode, row: Row, edition: Edition, indent: string): string {
  return fieldsXml(orderedNames(code, row, edition), row, code, indent);
}

/** A stand-alone document: declaration, root, the body, then (signatureSlot) an empty CHUKYDONVI to sign. */
export function documentXml(root: string, body: string, signatureSlot: boolean): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root}>\n${body}${signatureSlot ? '  <CHUKYDONVI/>\n' : ''}</${root}>\n`;
}

/** The XML text of one table document (UTF-8, with declaration). `signed` adds an empty CHUKYDONVI. */
export function buildTableXml(code: TableCode, rows: readonly Row[], opts?: BuildOptions & { signatureSlot?: boolean }): string {
  const t = TABLES[code];
  const edition = opts?.edition ?? DEFAULT_EDITION;
  let s = '';
  if (!t.list || !t.row) {
    if (rows.length !== 1) throw ProblemError.of(STD.STD_XML1_ONE_ROW, code);
    s += rowXml(code, rows[0], edition, '  ');
  } else {
    s += `  <${t.list}>\n`;
    for (const r of rows) s += `    <${t.row}>\n${rowXml(code, r, edition, '      ')}    </${t.row}>\n`;
    s += `  </${t.list}>\n`;
  }
  return documentXml(t.root, s, opts?.signatureSlot === true);
}

/** Build a GIAMDINHHS package: UTF-8, deterministic, unsigned (ends with an empty CHUKYDONVI). */
export function buildPackage(pkg: Package, opts?: BuildOptions): Buffer {
  const parts: string[] = [
    `<?xml version="1.0" encoding="utf-8"?>\n<GIAMDINHHS>\n  <THONGTINDONVI>\n    <MACSKCB>${escapeXml(pkg.macskcb)}</MACSKCB>\n  </THONGTINDONVI>\n`,
    `  <THONGTINHOSO>\n    <NGAYLAP>${escapeXml(pkg.ngayLap)}</NGAYLAP>\n    <SOLUONGHOSO>${pkg.dossiers.length}</SOLUONGHOSO>\n    <DANHSACHHOSO>\n`,
  ];
  for (const d of pkg.dossiers) {
    parts.push('      <HOSO>\n');
    for (const code of TABLE_CODES) {
      const rows = d.tables[code];
      if (!rows) continue;
      const b64 = Buffer.from(buildTableXml(code, rows, opts), 'utf8').toString('base64');
      parts.push(`        <FILEHOSO>\n          <LOAIHOSO>${code}</LOAIHOSO>\n          <NOIDUNGFILE>${b64}</NOIDUNGFILE>\n        </FILEHOSO>\n`);
    }
    parts.push('      </HOSO>\n');
  }
  parts.push('    </DANHSACHHOSO>\n  </THONGTINHOSO>\n  <CHUKYDONVI/>\n</GIAMDINHHS>\n');
  return Buffer.from(parts.join(''), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Stand-alone documents: check-in (XML0) and medical assessment (XML12)

export interface StandaloneDoc {
  rows: Row[];
  /** Structural problems found while reading (unknown elements, ...). */
  problems: Problem[];
}

function readStandalone(code: TableCode, bytes: Uint8Array, opts?: ParseOptions): StandaloneDoc {
  const limits = limitsOf(opts);
  const problems: Problem[] = [];
  const doc = parseXml(bytes, { maxBytes: limits.maxBytes }, code);
  try {
    const rootName = namePtr(rootPtr(doc));
    if (rootName !== TABLES[code].root) throw ProblemError.of(STD.STD_ROOT, '', { expected: TABLES[code].root, found: rootName });
    const rows = readTableDoc(rootPtr(doc), code, code, problems, limits) ?? [];
    return { rows, problems };
  } finally {
    doc.dispose();
  }
}

/** Parse a check-in document CHI_TIEU_TRANG_THAI_KCB (XML0). macskcb = MA_CSKCB of the first row. */
export function parseCheckIn(bytes: Uint8Array, opts?: ParseOptions): { macskcb: string; rows: Row[]; problems: Problem[] } {
  const r = readStandalone('XML0', bytes, opts);
  return { macskcb: r.rows[0]?.MA_CSKCB ?? '', rows: r.rows, problems: r.problems };
}

/** Build a check-in document (unsigned, with an empty CHUKYDONVI). Rows without MA_CSKCB get `macskcb`. */
export function buildCheckIn(macskcb: string, rows: readonly Row[]): Buffer {
  const filled = rows.map((r) => (r.MA_CSKCB ? r : { ...r, MA_CSKCB: macskcb }));
  return Buffer.from(buildTableXml('XML0', filled, { signatureSlot: true }), 'utf8');
}

/** Parse a medical-assessment document CHI_TIEU_GIAM_DINH_YKHOA (XML12). */
export function parseGdyk(bytes: Uint8Array, opts?: ParseOptions): { rows: Row[]; problems: Problem[] } {
  return readStandalone('XML12', bytes, opts);
}

/** Build a medical-assessment document (unsigned, with an empty CHUKYDONVI). */
export function buildGdyk(rows: readonly Row[]): Buffer {
  return Buffer.from(buildTableXml('XML12', rows, { signatureSlot: true }), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** MA_LK of a dossier: XML1's, else the first row's of any table, else ''. */
export function maLkOf(d: Dossier): string {
  const x1 = d.tables.XML1?.[0]?.MA_LK;
  if (x1) return x1;
  for (const code of TABLE_CODES) {
    const v = d.tables[code]?.[0]?.MA_LK;
    if (v) return v;
  }
  return '';
}
