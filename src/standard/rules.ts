// Validation rules as data. A new decision of the Ministry changes these tables, not code paths.
import type { TableCode } from './types.ts';
import type { Severity } from '../errors/index.ts';

/** A condition on a row: every listed test must hold. */
export interface Cond {
  field: string;
  in?: string[];
  notIn?: string[];
  empty?: boolean;
}

/** `require` must be non-empty when every condition holds. */
export interface ConditionalRule {
  table: TableCode;
  require: string;
  when: Cond[];
  /** Human text of the condition, in the messages. */
  text: string;
  severity?: Severity;
}

const ne = (field: string): Cond => ({ field, empty: false });
const em = (field: string): Cond => ({ field, empty: true });

export const CONDITIONAL_RULES: ConditionalRule[] = [
  { table: 'XML0', require: 'LY_DO_VNT', when: [ne('NGAY_VAO_NOI_TRU')], text: 'NGAY_VAO_NOI_TRU có giá trị / is set' },
  { table: 'XML0', require: 'MA_DICH_VU', when: [em('MA_THUOC'), em('MA_VAT_TU')], text: 'MA_THUOC và MA_VAT_TU trống / are empty' },
  { table: 'XML0', require: 'TEN_DICH_VU', when: [ne('MA_DICH_VU')], text: 'MA_DICH_VU có giá trị / is set' },
  { table: 'XML0', require: 'TEN_THUOC', when: [ne('MA_THUOC')], text: 'MA_THUOC có giá trị / is set' },
  { table: 'XML0', require: 'TEN_VAT_TU', when: [ne('MA_VAT_TU')], text: 'MA_VAT_TU có giá trị / is set' },
  { table: 'XML2', require: 'TT_THAU', when: [{ field: 'MA_NHOM', notIn: ['7', '17'] }], text: 'MA_NHOM ∉ {7,17}', severity: 'warning' },
  { table: 'XML3', require: 'MA_DICH_VU', when: [em('MA_VAT_TU')], text: 'MA_VAT_TU trống / is empty' },
  { table: 'XML3', require: 'TEN_DICH_VU', when: [ne('MA_DICH_VU'), em('MA_VAT_TU')], text: 'MA_DICH_VU có giá trị / is set' },
  { table: 'XML3', require: 'TEN_VAT_TU', when: [ne('MA_VAT_TU')], text: 'MA_VAT_TU có giá trị / is set' },
  { table: 'XML3', require: 'MA_XANG_DAU', when: [{ field: 'MA_NHOM', in: ['12'] }], text: 'MA_NHOM = 12', severity: 'warning' },
  { table: 'XML3', require: 'TT_THAU', when: [{ field: 'MA_NHOM', in: ['10'] }], text: 'MA_NHOM = 10' },
  { table: 'XML3', require: 'NGUOI_THUC_HIEN', when: [{ field: 'MA_NHOM', in: ['1', '2', '3', '8', '18'] }], text: 'MA_NHOM ∈ {1,2,3,8,18}' },
  { table: 'XML3', require: 'NGAY_TH_YL', when: [{ field: 'MA_NHOM', in: ['1', '2', '3', '8', '18'] }], text: 'MA_NHOM ∈ {1,2,3,8,18}' },
  { table: 'XML4', require: 'NGAY_KQ', when: [ne('GIA_TRI')], text: 'GIA_TRI có giá trị / is set' },
  { table: 'XML6', require: 'PHACDO_DTRI_LAO', when: [ne('LOAI_DTRI_LAO'), { field: 'LOAI_DTRI_LAO', notIn: ['0'] }], text: 'LOAI_DTRI_LAO ≠ 0' },
  { table: 'XML6', require: 'NGAYBD_DTRI_LAO', when: [ne('LOAI_DTRI_LAO'), { field: 'LOAI_DTRI_LAO', notIn: ['0'] }], text: 'LOAI_DTRI_LAO ≠ 0' },
  { table: 'XML6', require: 'NGAYKT_DTRI_LAO', when: [ne('LOAI_DTRI_LAO'), { field: 'LOAI_DTRI_LAO', notIn: ['0'] }], text: 'LOAI_DTRI_LAO ≠ 0', severity: 'warning' },
  ...['LAN_XN_PCR', 'NGAY_XN_PCR', 'NGAY_KQ_XN_PCR', 'MA_KQ_XN_PCR'].map((f): ConditionalRule => ({ table: 'XML6', require: f, when: [{ field: 'MA_TINH_TRANG_DK', in: ['1'] }], text: 'MA_TINH_TRANG_DK = 1' })),
  ...['NGAY_BAT_DAU_XU_TRI', 'NGAY_KET_THUC_XU_TRI', 'SO_NGAY_CAP_THUOC_ARV'].map((f): ConditionalRule => ({ table: 'XML6', require: f, when: [{ field: 'MA_XU_TRI', in: ['1'] }], text: 'MA_XU_TRI = 1' })),
  { table: 'XML6', require: 'MA_BAC_PHAC_DO', when: [{ field: 'MA_PHAC_DO_DIEU_TRI', in: ['KHAC'] }], text: 'MA_PHAC_DO_DIEU_TRI = KHAC' },
  ...['NGUYENNHAN_DINHCHI', 'THOIGIAN_DINHCHI', 'TUOI_THAI'].map((f): ConditionalRule => ({ table: 'XML7', require: f, when: [{ field: 'MA_DINH_CHI_THAI', in: ['1'] }], text: 'MA_DINH_CHI_THAI = 1' })),
  ...['NGUYENNHAN_DINHCHI', 'TUOI_THAI'].map((f): ConditionalRule => ({ table: 'XML11', require: f, when: [{ field: 'MA_DINH_CHI_THAI', in: ['1'] }], text: 'MA_DINH_CHI_THAI = 1' })),
  // TB: resistance class only for drug-resistant treatment; ARV/CTX dates only for TB/HIV (+).
  { table: 'XML15', require: 'PHANLOAI_LAO_KT', when: [{ field: 'LOAI_DTRI_LAO', in: ['3'] }], text: 'LOAI_DTRI_LAO = 3', severity: 'warning' },
  { table: 'XML15', require: 'BDDT_ARV', when: [{ field: 'PHANLOAI_LAO_HIV', in: ['1'] }], text: 'PHANLOAI_LAO_HIV = 1', severity: 'warning' },
  { table: 'XML15', require: 'NGAY_BAT_DAU_DT_CTX', when: [{ field: 'PHANLOAI_LAO_HIV', in: ['1'] }], text: 'PHANLOAI_LAO_HIV = 1', severity: 'warning' },
  { table: 'XML15', require: 'KET_QUA_DTRI_LAO', when: [ne('NGAYKT_DTRI_LAO')], text: 'NGAYKT_DTRI_LAO có giá trị / is set' },
];

export type IdKind = 'personal' | 'bhyt' | 'facility' | 'icd10';

/** Identity shape checks: which fields hold which kind of identifier (';' lists where `list`). */
export const IDENTITY_FIELDS: { field: string; kind: IdKind; list?: boolean; tables?: TableCode[] }[] = [
  { field: 'SO_CCCD', kind: 'personal' },
  { field: 'SO_CCCD_NND', kind: 'personal' },
  { field: 'MA_THE_BHYT', kind: 'bhyt', list: true },
  { field: 'MA_THE_NND', kind: 'bhyt' },
  { field: 'MA_CSKCB', kind: 'facility' },
  { field: 'MA_DKBD', kind: 'facility', list: true },
  { field: 'MA_NOI_DI', kind: 'facility' },
  { field: 'MA_NOI_DEN', kind: 'facility' },
  { field: 'MA_CSKCB_DI', kind: 'facility', list: true },
  { field: 'MA_CSKCB_DEN', kind: 'facility' },
  { field: 'MA_BENH_CHINH', kind: 'icd10' },
  { field: 'MA_BENH_KT', kind: 'icd10', list: true },
  { field: 'MA_BENH', kind: 'icd10', list: true, tables: ['XML3'] },
];

export const ID_PATTERNS: Record<IdKind, RegExp> = {
  personal: /^(\d{12}|\d{9})$/,
  bhyt: /^[A-Z]{2}\d{13}$/,
  facility: /^[0-9A-Z]{5}$/,
  icd10: /^[A-Z]\d{2}(\.?[0-9A-Z]{1,2})?[*+†]?$/,
};

/** Date order rules within one row: first ≤ second when both are set. */
export const DATE_ORDER_RULES: { table: TableCode; first: string; second: string; severity?: Severity }[] = [
  { table: 'XML1', first: 'NGAY_VAO', second: 'NGAY_RA' },
  { table: 'XML1', first: 'NGAY_VAO', second: 'NGAY_VAO_NOI_TRU' },
  { table: 'XML1', first: 'NGAY_VAO_NOI_TRU', second: 'NGAY_RA' },
  { table: 'XML1', first: 'NGAY_SINH', second: 'NGAY_VAO' },
  { table: 'XML0', first: 'NGAY_SINH', second: 'NGAY_VAO' },
  { table: 'XML0', first: 'NGAY_VAO', second: 'NGAY_VAO_NOI_TRU' },
  { table: 'XML3', first: 'NGAY_YL', second: 'NGAY_KQ', severity: 'warning' },
  { table: 'XML7', first: 'NGAY_VAO', second: 'NGAY_RA' },
  { table: 'XML8', first: 'NGAY_VAO', second: 'NGAY_RA' },
  { table: 'XML10', first: 'TU_NGAY', second: 'DEN_NGAY' },
  { table: 'XML11', first: 'TU_NGAY', second: 'DEN_NGAY' },
  { table: 'XML13', first: 'NGAY_VAO', second: 'NGAY_RA' },
  { table: 'XML14', first: 'NGAY_VAO', second: 'NGAY_RA' },
  { table: 'XML14', first: 'NGAY_RA', second: 'NGAY_HEN_KL', severity: 'warning' },
  { table: 'XML15', first: 'NGAYBD_DTRI_LAO', second: 'NGAYKT_DTRI_LAO' },
];

/** XML1 totals that must equal the sum of detail rows (within rounding). `groups` limits rows by MA_NHOM. */
export const TOTAL_RULES: { total: string; parts: { table: TableCode; field: string; groups?: string[] }[] }[] = [
  { total: 'T_THUOC', parts: [{ table: 'XML2', field: 'THANH_TIEN_BV' }] },
  { total: 'T_VTYT', parts: [{ table: 'XML3', field: 'THANH_TIEN_BV', groups: ['10', '11'] }] },
  { total: 'T_TONGCHI_BV', parts: [{ table: 'XML2', field: 'THANH_TIEN_BV' }, { table: 'XML3', field: 'THANH_TIEN_BV' }] },
  { total: 'T_TONGCHI_BH', parts: [{ table: 'XML2', field: 'THANH_TIEN_BH' }, { table: 'XML3', field: 'THANH_TIEN_BH' }] },
  { total: 'T_BNTT', parts: [{ table: 'XML2', field: 'T_BNTT' }, { table: 'XML3', field: 'T_BNTT' }] },
  { total: 'T_BNCCT', parts: [{ table: 'XML2', field: 'T_BNCCT' }, { table: 'XML3', field: 'T_BNCCT' }] },
  { total: 'T_BHTT', parts: [{ table: 'XML2', field: 'T_BHTT' }, { table: 'XML3', field: 'T_BHTT' }] },
  { total: 'T_NGUONKHAC', parts: [{ table: 'XML2', field: 'T_NGUONKHAC' }, { table: 'XML3', field: 'T_NGUONKHAC' }] },
];

/** Discharge types that are transfers and need a referral (XML13). */
export const TRANSFER_MA_LOAI_RV = ['2', '5'];

/** SO_NGAY_DTRI by MA_LOAI_KCB: 'zero' → 0; 'span' → NGAY_RA − NGAY_VAO + 1 (by date); others not checked. */
export const SO_NGAY_DTRI_RULE: Record<string, 'zero' | 'span'> = {
  '01': 'zero', '07': 'zero', '09': 'zero',
  '02': 'span', '03': 'span', '04': 'span', '06': 'span',
};

/** Fields of other tables that copy XML1 (a difference is a warning). */
export const COPIES_OF_XML1: { table: TableCode; fields: string[] }[] = [
  { table: 'XML7', fields: ['NGAY_VAO', 'NGAY_RA'] },
  { table: 'XML8', fields: ['MA_LOAI_KCB', 'NGAY_VAO', 'NGAY_RA'] },
  { table: 'XML13', fields: ['MA_THE_BHYT', 'NGAY_VAO', 'NGAY_RA', 'MA_BENH_CHINH', 'MA_LOAI_RV'] },
  { table: 'XML14', fields: ['MA_THE_BHYT', 'NGAY_VAO', 'NGAY_RA', 'MA_BENH_CHINH'] },
];

/** Fields holding a birth date: zero-filled unknown parts are allowed. */
export const ZERO_FILL_DATE_FIELDS = new Set(['NGAY_SINH', 'NGAYSINH_NND']);
