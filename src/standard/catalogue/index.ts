// The catalogue as the rest of the code reads it: TABLES (one definition per table), the code
// lists, and the few places where the spec is uncertain, kept as data (OVERRIDES, editions).
import type { Edition, TableCode } from '../types.ts';
import { TABLE_CODES } from '../types.ts';
import { TABLE_DATA, CODE_LIST_DATA } from './data.ts';
import type { CodeListDef, FieldDef, TableDefData } from './types.ts';

export type { FieldDef, FieldType, CodeListDef } from './types.ts';

export interface TableDef extends Omit<TableDefData, 'code'> {
  code: TableCode;
}

/**
 * Corrections to the checklist data where the spec says a requirement is conditional or a
 * format is disputed (spec/standard.md §3, §9). Data, not code: a new Ministry decision edits this.
 */
export const OVERRIDES: Partial<Record<TableCode, Record<string, Partial<FieldDef>>>> = {
  // Card validity dates are ';' lists parallel to MA_THE_BHYT (one per card).
  XML1: { GT_THE_TU: { formats: ['date'], list: true }, GT_THE_DEN: { formats: ['date'], list: true } },
  // TB table: drug-resistance class only when tested; ARV and CTX dates only for TB/HIV (+).
  XML15: {
    PHANLOAI_LAO_KT: { required: 'conditional' },
    BDDT_ARV: { required: 'conditional' },
    NGAY_BAT_DAU_DT_CTX: { required: 'conditional' },
    KET_QUA_DTRI_LAO: { required: 'conditional' },
    SO_CCCD: { type: 'string' },
  },
  // Re-exam date: 4750 says yyyyMMddHHmm; 3176-era practice sends yyyyMMdd. Accept both.
  XML14: { NGAY_HEN_KL: { type: 'string', formats: ['datetime', 'date'] } },
};

function applyOverrides(code: TableCode, fields: FieldDef[]): FieldDef[] {
  const o = OVERRIDES[code];
  if (!o) return fields;
  return fields.map((f) => (o[f.name] ? { ...f, ...o[f.name] } : f));
}

function build(): Record<TableCode, TableDef> {
  const out = {} as Record<TableCode, TableDef>;
  for (const code of TABLE_CODES) {
    const d = TABLE_DATA[code];
    if (!d) throw new Error(`catalogue: no data for ${code}`);
    out[code] = {
      ...d,
      code,
      fields: applyOverrides(code, d.fields),
      fields4750: d.fields4750 ? applyOverrides(code, d.fields4750) : undefined,
    };
  }
  return out;
}

/** One definition per table XML0..XML15 (XML13 in the QĐ 3176 order; fields4750 holds the 4750 order). */
export const TABLES: Readonly<Record<TableCode, TableDef>> = build();

/**
 * MA_DOITUONG_KCB (DMDC list; the spec marks it medium confidence and it changed with QĐ 3276/2025):
 * an open list, so a value outside it is a warning. Replace through ValidateOptions.codeLists.
 */
const MA_DOITUONG_KCB: CodeListDef = {
  open: true,
  note: 'DMDC list (QĐ 824 / QĐ 3276); fetch the current list before relying on it',
  codes: Object.fromEntries([
    ...Array.from({ length: 18 }, (_, i) => [`1.${i + 1}`, 'Đúng tuyến / đúng quy định (nhóm 1)']),
    ['2', 'Cấp cứu'],
    ...Array.from({ length: 10 }, (_, i) => [`3.${i + 1}`, 'Trái tuyến / không đúng quy định (nhóm 3)']),
    ['4', 'Thông tuyến'],
    ['5', 'Khác'],
    ['6', 'Khác'],
    ...Array.from({ length: 10 }, (_, i) => [`7.${i + 1}`, 'Nhóm 7']),
    ['8', 'Thu hồi đề nghị thanh toán'],
    ['9', 'Không khám chữa bệnh BHYT'],
    ['10', 'Nhận thuốc theo hẹn'],
  ]),
};

/** Every code list by name (FieldDef.codeList). */
export const CODE_LISTS: Readonly<Record<string, CodeListDef>> = {
  ...CODE_LIST_DATA,
  MA_DOITUONG_KCB,
  NHOM_MAU: { open: true, codes: { A: 'A', B: 'B', AB: 'AB', O: 'O', 'A+': 'A Rh+', 'A-': 'A Rh-', 'B+': 'B Rh+', 'B-': 'B Rh-', 'AB+': 'AB Rh+', 'AB-': 'AB Rh-', 'O+': 'O Rh+', 'O-': 'O Rh-' } },
};

// Fields with a code list the generated data does not name.
const EXTRA_CODE_LISTS: Record<string, string> = { MA_DOITUONG_KCB: 'MA_DOITUONG_KCB', NHOM_MAU: 'NHOM_MAU', MA_LOAI_KCB: 'MA_LOAI_KCB' };
for (const t of Object.values(TABLES)) {
  for (const list of [t.fields, t.fields4750 ?? []]) {
    for (let i = 0; i < list.length; i++) {
      const extra = EXTRA_CODE_LISTS[list[i].name];
      if (extra && !list[i].codeList) list[i] = { ...list[i], codeList: extra };
    }
  }
}

/** The LOAIHOSO values a GIAMDINHHS package may carry (XML0 and XML12 travel alone). */
export const PACKAGE_TABLES: readonly TableCode[] = ['XML1', 'XML2', 'XML3', 'XML4', 'XML5', 'XML6', 'XML7', 'XML8', 'XML9', 'XML10', 'XML11', 'XML13', 'XML14', 'XML15'];

export const DEFAULT_EDITION: Edition = '3176';

/** XML13 field names that exist in only one edition (used to recognise a table's layout). */
export const XML13_ONLY_4750 = ['MA_NOI_DI', 'MA_NOI_DEN', 'TEN_DICH_VU', 'TEN_THUOC', 'PP_DIEU_TRI'] as const;
export const XML13_ONLY_3176 = ['MA_CSKCB_DI', 'MA_CSKCB_DEN', 'TINH_TRANG_CT'] as const;

/** The ordered fields of a table in one edition. */
export function fieldsOf(code: TableCode, edition: Edition = DEFAULT_EDITION): readonly FieldDef[] {
  const t = TABLES[code];
  return edition === '4750' && t.fields4750 ? t.fields4750 : t.fields;
}

const fieldIndex = new Map<TableCode, Map<string, FieldDef>>();
for (const t of Object.values(TABLES)) {
  const m = new Map<string, FieldDef>();
  for (const f of [...t.fields, ...(t.fields4750 ?? [])]) if (!m.has(f.name)) m.set(f.name, f);
  fieldIndex.set(t.code, m);
}

/** A field of a table in any edition, or undefined. */
export function fieldDef(code: TableCode, name: string): FieldDef | undefined {
  return fieldIndex.get(code)?.get(name);
}

const byRoot = new Map<string, TableCode>(Object.values(TABLES).map((t) => [t.root, t.code]));
/** The table whose document root element is `root`. */
export function tableByRoot(root: string): TableCode | undefined {
  return byRoot.get(root);
}

/** Human name of a code in a list ('' when unknown). */
export function codeName(list: string, code: string): string {
  return CODE_LISTS[list]?.codes[code] ?? '';
}
