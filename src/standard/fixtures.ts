// Fixtures produced by code from the catalogue, so they stay in step with it: a valid realistic
// dossier/package for every table, and invalid variants per rule. Exported through testing.ts.
import { TABLES, CODE_LISTS, fieldsOf, PACKAGE_TABLES } from './catalogue/index.ts';
import { formatDateTime } from './dates.ts';
import type { Dossier, Package, Row, TableCode } from './types.ts';
import type { CatalogueEntry } from './facility-catalogue.ts';

export interface DossierOptions {
  /** Deterministic variation (names, dates, amounts). */
  seed?: number;
  maLk?: string;
  macskcb?: string;
  /** 'outpatient' (MA_LOAI_KCB 01) or 'inpatient' (03). Default outpatient unless allTables. */
  kind?: 'outpatient' | 'inpatient';
  /** Number of drug rows (XML2) and service rows (XML3). Defaults 3 and 3. */
  drugs?: number;
  services?: number;
  /** Extra tables beyond XML1–XML4 (XML5 is added for inpatients). */
  tables?: TableCode[];
  /** Every table a package can carry (XML1..XML11, XML13..XML15): an inpatient transfer. */
  allTables?: boolean;
  /** Discharge by transfer (MA_LOAI_RV 2) with a referral XML13. */
  transfer?: boolean;
  /** Admission time (yyyyMMddHHmm); derived from the seed when absent. */
  admittedAt?: string;
  /** ICD-10 main diagnosis. */
  icd?: string;
  /** Personal ID (12 digits) and BHYT card. */
  personalId?: string;
  card?: string;
}

function rng(seed: number) {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Thanh', 'Ngọc', 'Đức', 'Thu'];
const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Hà', 'Hải', 'Hạnh', 'Hùng', 'Lan', 'Linh', 'Mai', 'Nam', 'Phúc', 'Quân', 'Thảo', 'Trang', 'Tuấn', 'Yến'];
const DIAG: [string, string][] = [
  ['J06.9', 'Nhiễm trùng đường hô hấp trên cấp'],
  ['I10', 'Tăng huyết áp vô căn (nguyên phát)'],
  ['E11.9', 'Đái tháo đường không phụ thuộc insulin, không có biến chứng'],
  ['K29.7', 'Viêm dạ dày, không đặc hiệu'],
  ['J18.9', 'Viêm phổi, không đặc hiệu'],
  ['A09', 'Tiêu chảy và viêm dạ dày ruột do nhiễm trùng'],
  ['M54.5', 'Đau vùng thắt lưng'],
  ['N39.0', 'Nhiễm khuẩn hệ tiết niệu, vị trí không xác định'],
];
const DRUGS: [string, string, string, string, number][] = [
  ['40.17', 'Paracetamol', '500mg', 'Viên', 500],
  ['40.57', 'Amoxicilin', '500mg', 'Viên', 1200],
  ['40.487', 'Omeprazol', '20mg', 'Viên', 900],
  ['40.510', 'Metformin', '850mg', 'Viên', 650],
  ['40.368', 'Amlodipin', '5mg', 'Viên', 400],
  ['40.25', 'Ibuprofen', '400mg', 'Viên', 700],
];
const SERVICES: [string, string, string, number][] = [
  ['02.1896', 'Khám Nội', '13', 38700],
  ['23.0166.1494', 'Định lượng Glucose [Máu]', '1', 21500],
  ['22.0120.1370', 'Tổng phân tích tế bào máu ngoại vi', '1', 46200],
  ['18.0001.0001', 'Siêu âm ổ bụng', '2', 43900],
  ['21.0014.1778', 'Điện tim thường', '3', 32800],
];

const fmt = (n: number): string => String(Math.round(n * 100) / 100);
const pad = (n: number, w: number) => String(n).padStart(w, '0');

function addMinutes(dt: string, minutes: number): string {
  const y = +dt.slice(0, 4), mo = +dt.slice(4, 6), d = +dt.slice(6, 8), h = +dt.slice(8, 10), mi = +dt.slice(10, 12);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi) + minutes * 60_000);
  return `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1, 2)}${pad(t.getUTCDate(), 2)}${pad(t.getUTCHours(), 2)}${pad(t.getUTCMinutes(), 2)}`;
}

/** A generic valid value for any field, from its catalogue definition (used for the less common tables). */
function genericValue(code: TableCode, name: string, i: number, ctx: Record<string, string>): string {
  if (name === 'STT') return String(i + 1);
  if (ctx[name]) return ctx[name];
  const f = fieldsOf(code).find((x) => x.name === name) ?? TABLES[code].fields4750?.find((x) => x.name === name);
  if (!f) return '';
  if (f.codeList) return Object.keys(CODE_LISTS[f.codeList].codes)[0];
  if (/^SO_CCCD/.test(name)) return ctx.SO_CCCD;
  if (/^MA_THE/.test(name)) return ctx.MA_THE_BHYT;
  if (/^(MA_CSKCB|NOI_LAY_MAU_XN|NOI_XN_KD|NOI_BDDT_ARV|MA_NOI_DI|MA_CSKCB_DI)$/.test(name)) return ctx.MA_CSKCB;
  if (/^(MA_NOI_DEN|MA_CSKCB_DEN)$/.test(name)) return ctx.MA_NOI_DEN;
  if (/^MA_BENH/.test(name) && name !== 'MA_BENH_YHCT') return ctx.MA_BENH_CHINH;
  if (f.type === 'date' || f.formats?.[0] === 'date') return ctx.NGAY_VAO.slice(0, 8);
  if (f.type === 'datetime' || f.formats?.[0] === 'datetime') return ctx.NGAY_VAO;
  if (f.type === 'number') return '1';
  const text = `${name.toLowerCase().replace(/_/g, ' ')} ${i + 1}`;
  return f.maxLength !== null ? text.slice(0, Math.min(f.maxLength, 40)) : text;
}

function genericRow(code: TableCode, i: number, ctx: Record<string, string>): Row {
  const row: Row = {};
  for (const f of fieldsOf(code)) row[f.name] = genericValue(code, f.name, i, ctx);
  return row;
}

/** A valid, realistic dossier (one visit) built from typed data. */
export function validDossier(opts: DossierOptions = {}): Dossier {
  const seed = opts.seed ?? 1;
  const r = rng(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  const all = opts.allTables ?? false;
  const transfer = opts.transfer ?? all;
  const inpatient = (opts.kind ?? (all ? 'inpatient' : 'outpatient')) === 'inpatient';
  const macskcb = opts.macskcb ?? '01001';
  const maLk = opts.maLk ?? `${macskcb}-${pad(seed, 8)}`;
  const admitted = opts.admittedAt ?? `2025${pad(1 + Math.floor(r() * 12), 2)}${pad(1 + Math.floor(r() * 27), 2)}${pad(7 + Math.floor(r() * 4), 2)}${pad(Math.floor(r() * 60), 2)}`;
  const discharged = inpatient ? addMinutes(admitted, 3 * 24 * 60 + 120) : addMinutes(admitted, 150);
  const gender = r() < 0.5 ? '1' : '2';
  const name = `${pick(FAMILY)} ${gender === '2' ? 'Thị' : pick(MIDDLE)} ${pick(GIVEN)}`;
  const birthYear = 1940 + Math.floor(r() * 80);
  const birth = `${birthYear}${pad(1 + Math.floor(r() * 12), 2)}${pad(1 + Math.floor(r() * 28), 2)}0000`;
  const personalId = opts.personalId ?? `0${pad(1 + Math.floor(r() * 96), 2)}${gender === '1' ? (birthYear < 2000 ? 0 : 2) : birthYear < 2000 ? 1 : 3}${String(birthYear).slice(2)}${pad(Math.floor(r() * 1e6), 6)}`;
  const card = opts.card ?? `DN4${pad(1 + Math.floor(r() * 96), 2)}${pad(Math.floor(r() * 1e10), 10)}`;
  const [icd, icdName] = opts.icd ? [opts.icd, ''] : pick(DIAG);
  const nDrugs = opts.drugs ?? 3;
  const nServices = opts.services ?? 3;
  const ratio = 0.8;

  const drugRows: Row[] = [];
  for (let i = 0; i < nDrugs; i++) {
    const [ma, ten, hl, dvt, gia] = DRUGS[(seed + i) % DRUGS.length];
    const sl = 2 + Math.floor(r() * 20);
    const tt = sl * gia;
    const yl = addMinutes(admitted, 30 + i);
    drugRows.push({
      MA_LK: maLk, STT: String(i + 1), MA_THUOC: ma, MA_PP_CHEBIEN: '', MA_CSKCB_THUOC: '', MA_NHOM: '4', TEN_THUOC: ten, DON_VI_TINH: dvt, HAM_LUONG: hl,
      DUONG_DUNG: '1.01', DANG_BAO_CHE: 'Viên nén', LIEU_DUNG: '1 viên/lần, 2 lần/ngày', CACH_DUNG: 'Uống sau ăn', SO_DANG_KY: `VD-${10000 + i}-19`, TT_THAU: `G1;N1;2024;01`,
      PHAM_VI: '1', TYLE_TT_BH: '100', SO_LUONG: String(sl), DON_GIA: String(gia), THANH_TIEN_BV: fmt(tt), THANH_TIEN_BH: fmt(tt),
      T_NGUONKHAC_NSNN: '0', T_NGUONKHAC_VTNN: '0', T_NGUONKHAC_VTTN: '0', T_NGUONKHAC_CL: '0', T_NGUONKHAC: '0', MUC_HUONG: '80',
      T_BNTT: '0', T_BNCCT: fmt(tt * (1 - ratio)), T_BHTT: fmt(tt * ratio), MA_KHOA: 'K01', MA_BAC_SI: '000123/HNO-CCHN', MA_DICH_VU: '',
      NGAY_YL: yl, NGAY_TH_YL: addMinutes(yl, 10), MA_PTTT: '1', NGUON_CTRA: '1', VET_THUONG_TP: '', DU_PHONG: '',
    });
  }
  const svcRows: Row[] = [];
  for (let i = 0; i < nServices; i++) {
    const [ma, ten, nhom, gia] = SERVICES[i % SERVICES.length];
    const tt = gia;
    const yl = addMinutes(admitted, 5 + i);
    svcRows.push({
      MA_LK: maLk, STT: String(i + 1), MA_DICH_VU: ma, MA_PTTT_QT: '', MA_VAT_TU: '', MA_NHOM: nhom, GOI_VTYT: '', TEN_VAT_TU: '', TEN_DICH_VU: ten, MA_XANG_DAU: '',
      DON_VI_TINH: 'Lần', PHAM_VI: '1', SO_LUONG: '1', DON_GIA_BV: String(gia), DON_GIA_BH: String(gia), TT_THAU: '', TYLE_TT_DV: '100', TYLE_TT_BH: '100',
      THANH_TIEN_BV: fmt(tt), THANH_TIEN_BH: fmt(tt), T_TRANTT: '', MUC_HUONG: '80', T_NGUONKHAC_NSNN: '0', T_NGUONKHAC_VTNN: '0', T_NGUONKHAC_VTTN: '0', T_NGUONKHAC_CL: '0', T_NGUONKHAC: '0',
      T_BNTT: '0', T_BNCCT: fmt(tt * (1 - ratio)), T_BHTT: fmt(tt * ratio), MA_KHOA: 'K01', MA_GIUONG: '', MA_BAC_SI: '000123/HNO-CCHN', NGUOI_THUC_HIEN: '000456/HNO-CCHN', MA_BENH: icd, MA_BENH_YHCT: '',
      NGAY_YL: yl, NGAY_TH_YL: addMinutes(yl, 10), NGAY_KQ: addMinutes(yl, 60), MA_PTTT: '1', VET_THUONG_TP: '', PP_VO_CAM: '', VI_TRI_TH_DVKT: '', MA_MAY: '', MA_HIEU_SP: '', TAI_SU_DUNG: '', DU_PHONG: '',
    });
  }
  const sum = (rows: Row[], f: string) => rows.reduce((s, x) => s + Number(x[f] || 0), 0);
  const all23 = [...drugRows, ...svcRows];
  const tong = sum(all23, 'THANH_TIEN_BV');
  const days = inpatient ? 4 : 0;
  const x1: Row = {
    MA_LK: maLk, STT: '1', MA_BN: `BN${pad(seed, 8)}`, HO_TEN: name, SO_CCCD: personalId, NGAY_SINH: birth, GIOI_TINH: gender, NHOM_MAU: '', MA_QUOCTICH: '000', MA_DANTOC: '01',
    MA_NGHE_NGHIEP: '00000', DIA_CHI: `Số ${1 + Math.floor(r() * 200)} phố Huế, phường Phạm Đình Hổ, quận Hai Bà Trưng, Hà Nội`, MATINH_CU_TRU: '01', MAHUYEN_CU_TRU: '007', MAXA_CU_TRU: '00256',
    DIEN_THOAI: `09${pad(Math.floor(r() * 1e8), 8)}`, MA_THE_BHYT: card, MA_DKBD: macskcb, GT_THE_TU: '20250101', GT_THE_DEN: '20261231', NGAY_MIEN_CCT: '', LY_DO_VV: 'Khám bệnh',
    LY_DO_VNT: inpatient ? 'Điều trị nội trú' : '', MA_LY_DO_VNT: '', CHAN_DOAN_VAO: icdName || icd, CHAN_DOAN_RV: icdName || icd, MA_BENH_CHINH: icd, MA_BENH_KT: '', MA_BENH_YHCT: '', MA_PTTT_QT: '',
    MA_DOITUONG_KCB: '1.1', MA_NOI_DI: '', MA_NOI_DEN: transfer ? '01002' : '', MA_TAI_NAN: '', NGAY_VAO: admitted, NGAY_VAO_NOI_TRU: inpatient ? addMinutes(admitted, 60) : '', NGAY_RA: discharged,
    GIAY_CHUYEN_TUYEN: '', SO_NGAY_DTRI: String(days), PP_DIEU_TRI: 'Điều trị nội khoa', KET_QUA_DTRI: transfer ? '3' : '1', MA_LOAI_RV: transfer ? '2' : '1', GHI_CHU: 'Tái khám sau 1 tuần', NGAY_TTOAN: discharged,
    T_THUOC: fmt(sum(drugRows, 'THANH_TIEN_BV')), T_VTYT: '0', T_TONGCHI_BV: fmt(tong), T_TONGCHI_BH: fmt(sum(all23, 'THANH_TIEN_BH')), T_BNTT: fmt(sum(all23, 'T_BNTT')), T_BNCCT: fmt(sum(all23, 'T_BNCCT')),
    T_BHTT: fmt(sum(all23, 'T_BHTT')), T_NGUONKHAC: fmt(sum(all23, 'T_NGUONKHAC')), T_BHTT_GDV: '0', NAM_QT: admitted.slice(0, 4), THANG_QT: String(+admitted.slice(4, 6)), MA_LOAI_KCB: inpatient ? '03' : '01',
    MA_KHOA: 'K01', MA_CSKCB: macskcb, MA_KHUVUC: '', CAN_NANG: String(45 + Math.floor(r() * 40)), CAN_NANG_CON: '', NAM_NAM_LIEN_TUC: '', NGAY_TAI_KHAM: '', MA_HSBA: `HS${pad(seed, 8)}`, MA_TTDV: '0123456789', DU_PHONG: '',
  };
  const d: Dossier = { tables: { XML1: [x1] } };
  if (drugRows.length) d.tables.XML2 = drugRows;
  if (svcRows.length) d.tables.XML3 = svcRows;
  const labs = svcRows.filter((s) => s.MA_NHOM === '1');
  if (labs.length) {
    d.tables.XML4 = labs.map((s, i) => ({
      MA_LK: maLk, STT: String(i + 1), MA_DICH_VU: s.MA_DICH_VU, MA_CHI_SO: s.MA_DICH_VU.includes('1494') ? 'GLU' : 'WBC', TEN_CHI_SO: s.TEN_DICH_VU, GIA_TRI: s.MA_DICH_VU.includes('1494') ? '5.6' : '7.2',
      DON_VI_DO: s.MA_DICH_VU.includes('1494') ? 'mmol/L' : 'G/L', MO_TA: '', KET_LUAN: 'Trong giới hạn bình thường', NGAY_KQ: s.NGAY_KQ, MA_BS_DOC_KQ: '000789/HNO-CCHN', DU_PHONG: '',
    }));
  }
  const ctx: Record<string, string> = { ...x1, MA_NOI_DEN: '01002', MA_CSKCB: macskcb };
  const extra = new Set<TableCode>(opts.tables ?? []);
  if (inpatient) extra.add('XML5');
  if (transfer) extra.add('XML13');
  if (all) for (const t of PACKAGE_TABLES) extra.add(t);
  for (const code of PACKAGE_TABLES) {
    if (!extra.has(code) || d.tables[code]) continue;
    const rows = TABLES[code].many ? [genericRow(code, 0, ctx), genericRow(code, 1, ctx)] : [genericRow(code, 0, ctx)];
    for (const row of rows) if ('MA_LK' in row) row.MA_LK = maLk;
    if (code === 'XML8') rows[0].MA_LOAI_KCB = x1.MA_LOAI_KCB;
    if (code === 'XML7' || code === 'XML8' || code === 'XML10' || code === 'XML11' || code === 'XML14') {
      for (const f of ['NGAY_CT', 'TU_NGAY']) if (f in rows[0]) rows[0][f] = discharged.slice(0, 8);
      for (const f of ['DEN_NGAY']) if (f in rows[0]) rows[0][f] = addMinutes(discharged, 7 * 24 * 60).slice(0, 8);
    }
    if (code === 'XML14') rows[0].NGAY_HEN_KL = addMinutes(discharged, 7 * 24 * 60);
    if (code === 'XML13') {
      rows[0].MA_LOAI_RV = x1.MA_LOAI_RV;
      rows[0].MA_CSKCB_DI = macskcb;
    }
    if (code === 'XML5') rows.forEach((row, i) => (row.THOI_DIEM_DBLS = addMinutes(admitted, 60 * (i + 1))));
    d.tables[code] = rows;
  }
  return d;
}

export interface PackageOptions extends DossierOptions {
  /** Number of dossiers (default 1); dossier i uses seed + i. */
  count?: number;
  ngayLap?: string;
}

/** A valid package of `count` dossiers. */
export function validPackage(opts: PackageOptions = {}): Package {
  const macskcb = opts.macskcb ?? '01001';
  const n = opts.count ?? 1;
  const seed = opts.seed ?? 1;
  const dossiers = Array.from({ length: n }, (_, i) => validDossier({ ...opts, macskcb, seed: seed + i, maLk: n === 1 ? opts.maLk : opts.maLk ? `${opts.maLk}-${i}` : undefined }));
  return { macskcb, ngayLap: opts.ngayLap ?? formatDateTime(new Date(Date.UTC(2025, 11, 31)), 'date'), dossiers };
}

/** A valid check-in row set (XML0) for a dossier. */
export function validCheckInRows(d: Dossier = validDossier()): Row[] {
  const x1 = d.tables.XML1![0];
  const s = d.tables.XML3?.[0];
  const row: Row = {};
  for (const f of fieldsOf('XML0')) row[f.name] = '';
  Object.assign(row, {
    MA_LK: x1.MA_LK, STT: '1', MA_BN: x1.MA_BN, HO_TEN: x1.HO_TEN, SO_CCCD: x1.SO_CCCD, NGAY_SINH: x1.NGAY_SINH, GIOI_TINH: x1.GIOI_TINH, MA_THE_BHYT: x1.MA_THE_BHYT.split(';')[0],
    MA_DKBD: x1.MA_DKBD.split(';')[0], GT_THE_TU: x1.GT_THE_TU.split(';')[0], GT_THE_DEN: x1.GT_THE_DEN.split(';')[0], MA_DOITUONG_KCB: x1.MA_DOITUONG_KCB, NGAY_VAO: x1.NGAY_VAO,
    NGAY_VAO_NOI_TRU: x1.NGAY_VAO_NOI_TRU, LY_DO_VNT: x1.LY_DO_VNT, MA_LOAI_KCB: x1.MA_LOAI_KCB, MA_CSKCB: x1.MA_CSKCB, MA_DICH_VU: s?.MA_DICH_VU ?? '02.1896', TEN_DICH_VU: s?.TEN_DICH_VU ?? 'Khám Nội', NGAY_YL: s?.NGAY_YL ?? x1.NGAY_VAO,
  });
  return [row];
}

/** A valid medical-assessment row set (XML12). */
export function validGdykRows(seed = 1): Row[] {
  const ctx: Record<string, string> = { SO_CCCD: `0010850${pad(seed, 5)}`, MA_THE_BHYT: 'DN4010000000001', MA_CSKCB: '01001', MA_NOI_DEN: '01002', MA_BENH_CHINH: 'I10', NGAY_VAO: '202503100800' };
  return [genericRow('XML12', 0, ctx)];
}

/**
 * A synthetic approved catalogue of the facility: every drug and service the fixtures use (so
 * valid fixtures pass the catalogue check), plus `extra` generated drugs, services and supplies.
 */
export function syntheticCatalogue(extra = 0): CatalogueEntry[] {
  const out: CatalogueEntry[] = [];
  for (const [code, name, hl, unit, price] of DRUGS) out.push({ kind: 'drug', code, name: `${name} ${hl}`, unit, price, validFrom: '20240101', validTo: '' });
  for (const [code, name, , price] of SERVICES) out.push({ kind: 'service', code, name, unit: 'Lần', price, validFrom: '20240101', validTo: '' });
  for (let i = 0; i < extra; i++) {
    const kind = (['drug', 'service', 'supply'] as const)[i % 3];
    const code = kind === 'drug' ? `40.${1000 + i}` : kind === 'service' ? `${pad(1 + (i % 28), 2)}.${pad(i, 4)}.${pad(i % 9999, 4)}` : `N${pad(i % 9, 2)}.${pad(i % 99, 2)}.${pad(i, 3)}.${pad(i % 9999, 4)}`;
    out.push({ kind, code, name: `Mục ${i}`, unit: kind === 'drug' ? 'Viên' : kind === 'supply' ? 'Cái' : 'Lần', price: 1000 + ((i * 137) % 500) * 100, validFrom: '20240101', validTo: i % 10 === 0 ? '20241231' : '' });
  }
  return out;
}
