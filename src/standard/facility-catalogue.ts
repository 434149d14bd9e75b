// The facility's approved catalogues (medicines, technical services, medical supplies) as issued by
// the insurance agency, and the check of a dossier's codes, units and unit prices against them at
// the dossier's date. Pure: files are read by the caller (CLI, connector); this module gets rows.
import { problem, type Problem } from '../errors/index.ts';
import { STD } from './errors.ts';
import type { DossierCheck } from './validate.ts';
import type { Dossier } from './types.ts';
import { parseXml, rootPtr, firstElementPtr, nextElementPtr, namePtr, textPtr } from './xml.ts';

export type CatalogueKind = 'drug' | 'service' | 'supply';

export interface CatalogueEntry {
  kind: CatalogueKind;
  code: string;
  name: string;
  unit: string;
  /** Approved unit price (VND); null when the file has none. */
  price: number | null;
  /** In force from / to (yyyyMMdd, inclusive); '' = open. */
  validFrom: string;
  validTo: string;
}

export interface FacilityCatalogue {
  entries: CatalogueEntry[];
}

/** Header names accepted for each column (compared after removing accents, case and punctuation). */
export const CATALOGUE_HEADERS = {
  drugCode: ['MA_THUOC', 'MA_THUOC_BV', 'MA_THUOC_BHYT'],
  serviceCode: ['MA_DICH_VU', 'MA_DVKT', 'MA_TUONG_DUONG', 'MA_DV'],
  supplyCode: ['MA_VAT_TU', 'MA_VTYT', 'MA_VT'],
  code: ['MA', 'CODE', 'MA_DANH_MUC'],
  kind: ['LOAI', 'KIND', 'LOAI_DANH_MUC', 'NHOM'],
  name: ['TEN_THUOC', 'TEN_DICH_VU', 'TEN_VAT_TU', 'TEN_DVKT', 'TEN', 'NAME', 'TEN_HOAT_CHAT'],
  unit: ['DON_VI_TINH', 'DVT', 'DON_VI', 'UNIT'],
  price: ['DON_GIA', 'DON_GIA_BH', 'GIA', 'GIA_BHYT', 'GIA_THANH_TOAN', 'DON_GIA_BHYT', 'PRICE'],
  from: ['TU_NGAY', 'NGAY_HIEU_LUC', 'HIEU_LUC_TU', 'NGAY_BD', 'TUNGAY', 'VALID_FROM'],
  to: ['DEN_NGAY', 'HIEU_LUC_DEN', 'NGAY_KT', 'DENNGAY', 'VALID_TO'],
} as const;

/** Normalise a header: strip accents, upper-case, non-alphanumerics to '_'. */
export function normalizeHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Parse a price written as 1234.5, 1.234,5 (Vietnamese) or 1,234.5; null when empty or unreadable. */
export function parsePrice(s: string): number | null {
  const t = s.replace(/[\s₫đ]|VND|VNĐ/gi, '');
  if (!t) return null;
  let n: string;
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(t)) n = t.replace(/\./g, '').replace(',', '.');
  else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) n = t.replace(/,/g, '');
  else if (/^\d+,\d+$/.test(t)) n = t.replace(',', '.');
  else n = t;
  return /^\d+(\.\d+)?$/.test(n) ? Number(n) : null;
}

/** Normalise a date (yyyyMMdd, yyyyMMddHHmm, dd/MM/yyyy, yyyy-MM-dd, Excel Date) to yyyyMMdd; '' when empty, null when unreadable. */
export function parseCatalogueDate(v: string | Date): string | null {
  if (v instanceof Date) return isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10).replace(/-/g, '');
  const s = v.trim();
  if (!s) return '';
  let m: RegExpExecArray | null;
  if ((m = /^(\d{8})(\d{4})?$/.exec(s))) return m[1];
  if ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s))) return `${m[3]}${m[2].padStart(2, '0')}${m[1].padStart(2, '0')}`;
  if ((m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s))) return `${m[1]}${m[2]}${m[3]}`;
  return null;
}

function kindOf(v: string): CatalogueKind | null {
  const k = normalizeHeader(v);
  if (/^(THUOC|DRUG|MEDICINE|XML2|4)$/.test(k)) return 'drug';
  if (/^(DVKT|DICH_VU|DICH_VU_KY_THUAT|SERVICE|XML3_DV)$/.test(k)) return 'service';
  if (/^(VTYT|VAT_TU|VAT_TU_Y_TE|SUPPLY|XML3_VT)$/.test(k)) return 'supply';
  return null;
}

/**
 * Build catalogue entries from a table of cells (first non-empty row = headers). Tolerant: headers
 * in any case/accents/order; the kind comes from the code column's name, a LOAI column, or `defaultKind`.
 * Returns the entries and one problem per unusable row (row numbers are 1-based, as in a spreadsheet).
 */
export function catalogueFromRows(rows: (string | number | Date | null | undefined)[][], defaultKind?: CatalogueKind, source = 'catalogue'): { entries: CatalogueEntry[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v : String(v).trim());
  const h = rows.findIndex((r) => r.some((x) => cell(x) !== ''));
  if (h < 0) return { entries: [], problems: [problem(STD.STD_CAT_FILE, source, { detail: 'empty / trống' })] };
  const headers = rows[h].map((x) => normalizeHeader(String(cell(x))));
  const col = (names: readonly string[]) => headers.findIndex((x) => names.includes(x));
  const cols = Object.fromEntries(Object.entries(CATALOGUE_HEADERS).map(([k, names]) => [k, col(names)])) as Record<keyof typeof CATALOGUE_HEADERS, number>;
  const codeCols: [number, CatalogueKind | null][] = [
    [cols.drugCode, 'drug'],
    [cols.serviceCode, 'service'],
    [cols.supplyCode, 'supply'],
    [cols.code, null],
  ];
  if (!codeCols.some(([i]) => i >= 0)) return { entries: [], problems: [problem(STD.STD_CAT_FILE, source, { detail: `no code column (MA_THUOC / MA_DICH_VU / MA_VAT_TU / MA); headers: ${headers.join(',').slice(0, 200)}` })] };
  const entries: CatalogueEntry[] = [];
  for (let r = h + 1; r < rows.length; r++) {
    const row = rows[r];
    const get = (i: number) => (i >= 0 ? cell(row[i]) : '');
    const str = (i: number) => {
      const v = get(i);
      return v instanceof Date ? v.toISOString() : v;
    };
    if (row.every((x) => cell(x) === '')) continue;
    let code = '';
    let kind: CatalogueKind | null = null;
    for (const [i, k] of codeCols) {
      if (i >= 0 && str(i)) {
        code = str(i);
        kind = k;
        break;
      }
    }
    if (cols.kind >= 0 && str(cols.kind)) kind = kindOf(str(cols.kind)) ?? kind;
    kind = kind ?? defaultKind ?? null;
    const where = `${source}[${r + 1}]`;
    if (!code) {
      problems.push(problem(STD.STD_CAT_FILE, where, { detail: 'no code / thiếu mã' }));
      continue;
    }
    if (!kind) {
      problems.push(problem(STD.STD_CAT_FILE, where, { detail: 'kind unknown (drug/service/supply) / không rõ loại' }));
      continue;
    }
    const priceCell = get(cols.price);
    const price = typeof priceCell === 'string' ? parsePrice(priceCell) : null;
    if (priceCell !== '' && price === null) {
      problems.push(problem(STD.STD_CAT_FILE, where, { detail: `price unreadable / giá không đọc được` }));
      continue;
    }
    const from = parseCatalogueDate(get(cols.from));
    const to = parseCatalogueDate(get(cols.to));
    if (from === null || to === null) {
      problems.push(problem(STD.STD_CAT_FILE, where, { detail: 'date unreadable / ngày không đọc được' }));
      continue;
    }
    entries.push({ kind, code, name: str(cols.name), unit: str(cols.unit), price, validFrom: from, validTo: to });
  }
  return { entries, problems };
}

/** Split CSV text into rows (RFC 4180 quotes; delimiter ',', ';' or tab detected from the header line; BOM removed). */
export function parseCsv(text: string): string[][] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = s.slice(0, s.indexOf('\n') >= 0 ? s.indexOf('\n') : s.length);
  const delim = [',', ';', '\t'].map((d) => [d, first.split(d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else q = false;
      } else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === delim) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Write entries as CSV in the documented format (the importer reads it back). */
export function catalogueToCsv(entries: CatalogueEntry[]): string {
  const esc = (v: string) => (/[",;\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['LOAI,MA,TEN,DON_VI_TINH,DON_GIA,TU_NGAY,DEN_NGAY'];
  const kind = { drug: 'THUOC', service: 'DVKT', supply: 'VTYT' };
  for (const e of entries) lines.push([kind[e.kind], e.code, e.name, e.unit, e.price === null ? '' : String(e.price), e.validFrom, e.validTo].map(esc).join(','));
  return lines.join('\n') + '\n';
}

/** Index for lookups by kind and code. */
function index(cat: FacilityCatalogue): Map<string, CatalogueEntry[]> {
  const m = new Map<string, CatalogueEntry[]>();
  for (const e of cat.entries) {
    const k = `${e.kind}:${e.code}`;
    const list = m.get(k);
    if (list) list.push(e);
    else m.set(k, [e]);
  }
  return m;
}

const inForce = (e: CatalogueEntry, day: string) => (!e.validFrom || e.validFrom <= day) && (!e.validTo || day <= e.validTo);

export interface CatalogueCheckOptions {
  /** Absolute price tolerance in VND (default 0.5). */
  priceTolerance?: number;
  /** Codes never checked (e.g. transport VC.*, out-of-list placeholders). */
  skip?: RegExp;
}

/** A DossierCheck (ValidateOptions.checks) for MA_THUOC / MA_DICH_VU / MA_VAT_TU, units and prices. */
export function catalogueCheck(cat: FacilityCatalogue, opts: CatalogueCheckOptions = {}): DossierCheck {
  const idx = index(cat);
  const tol = opts.priceTolerance ?? 0.5;
  const skip = opts.skip ?? /^VC\./;
  return (d: Dossier, base: string): Problem[] => {
    const out: Problem[] = [];
    const visitDay = (d.tables.XML1?.[0]?.NGAY_VAO ?? '').slice(0, 8);
    const check = (kind: CatalogueKind, code: string, unit: string, price: string, orderedAt: string, path: string, codeField: string, priceField: string) => {
      if (!code || skip.test(code)) return;
      const day = (orderedAt || visitDay).slice(0, 8);
      const list = idx.get(`${kind}:${code}`);
      if (!list) {
        out.push(problem(STD.STD_CAT_UNKNOWN, `${path}.${codeField}`, { field: codeField, value: code.slice(0, 60) }));
        return;
      }
      const e = day ? list.find((x) => inForce(x, day)) : list[0];
      if (!e) {
        out.push(problem(STD.STD_CAT_NOT_IN_FORCE, `${path}.${codeField}`, { value: code.slice(0, 60), date: day }));
        return;
      }
      if (e.price !== null && price !== '' && /^\d+(\.\d+)?$/.test(price) && Math.abs(Number(price) - e.price) > tol) {
        out.push(problem(STD.STD_CAT_PRICE, `${path}.${priceField}`, { value: code.slice(0, 60), declared: price, approved: String(e.price) }));
      }
      if (e.unit && unit && e.unit.trim().toLowerCase() !== unit.trim().toLowerCase()) {
        out.push(problem(STD.STD_CAT_UNIT, `${path}.DON_VI_TINH`, { value: code.slice(0, 60), declared: unit.slice(0, 50), approved: e.unit.slice(0, 50) }));
      }
    };
    (d.tables.XML2 ?? []).forEach((r, i) => check('drug', r.MA_THUOC, r.DON_VI_TINH, r.DON_GIA, r.NGAY_YL, `${base}.XML2[${i}]`, 'MA_THUOC', 'DON_GIA'));
    (d.tables.XML3 ?? []).forEach((r, i) => {
      if (r.MA_VAT_TU) check('supply', r.MA_VAT_TU, r.DON_VI_TINH, r.DON_GIA_BH, r.NGAY_YL, `${base}.XML3[${i}]`, 'MA_VAT_TU', 'DON_GIA_BH');
      else check('service', r.MA_DICH_VU, '', r.DON_GIA_BH, r.NGAY_YL, `${base}.XML3[${i}]`, 'MA_DICH_VU', 'DON_GIA_BH');
    });
    return out;
  };
}

/**
 * Catalogue rows from an XML export: every element whose children are all leaf elements is one record
 * (e.g. <DANH_MUC><THUOC><MA_THUOC>…</MA_THUOC><DON_GIA>…</DON_GIA></THUOC>…</DANH_MUC>); the header is
 * the union of the leaf names in order of first appearance. Parsed through the XML door (no DTD, limits).
 */
export function catalogueRowsFromXml(bytes: Uint8Array, maxRecords = 500_000): string[][] {
  const doc = parseXml(bytes, { maxBytes: 256 * 1024 * 1024 }, 'catalogue');
  try {
    const headers: string[] = [];
    const col = new Map<string, number>();
    const records: Map<string, string>[] = [];
    const walk = (ptr: number, depth: number): void => {
      if (depth > 64 || records.length >= maxRecords) return;
      const first = firstElementPtr(ptr);
      if (!first) return;
      let allLeaves = true;
      for (let c = first; c; c = nextElementPtr(c)) if (firstElementPtr(c)) allLeaves = false;
      if (allLeaves && depth > 0) {
        const rec = new Map<string, string>();
        for (let c = first; c; c = nextElementPtr(c)) {
          const name = namePtr(c);
          if (!col.has(name)) {
            col.set(name, headers.length);
            headers.push(name);
          }
          rec.set(name, textPtr(c).trim());
        }
        records.push(rec);
        return;
      }
      for (let c = first; c; c = nextElementPtr(c)) walk(c, depth + 1);
    };
    walk(rootPtr(doc), 0);
    return [headers, ...records.map((r) => headers.map((h) => r.get(h) ?? ''))];
  } finally {
    doc.dispose();
  }
}
