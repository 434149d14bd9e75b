// The book's entry kinds and how each table of the standard becomes entries. Data, read by the
// projection, the FHIR export and the pages: one line per table.
import type { Row } from '../standard/types.ts';

export const ENTRY_KINDS = [
  'admin', 'visit', 'diagnosis', 'medication', 'service', 'lab_result', 'imaging_result', 'clinical_note', 'hiv_care',
  'discharge', 'summary', 'birth_certificate', 'pregnancy_leave', 'sick_leave', 'medical_assessment', 'referral',
  'appointment', 'tb_treatment', 'death_notice', 'driving_check',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const KIND_LABELS: Record<EntryKind, { vi: string; en: string }> = {
  admin: { vi: 'Thông tin hành chính', en: 'Administrative data' },
  visit: { vi: 'Lượt khám, chữa bệnh', en: 'Visit or stay' },
  diagnosis: { vi: 'Chẩn đoán', en: 'Diagnosis' },
  medication: { vi: 'Thuốc', en: 'Medicine' },
  service: { vi: 'Dịch vụ kỹ thuật, vật tư', en: 'Service or supply' },
  lab_result: { vi: 'Kết quả xét nghiệm', en: 'Lab result' },
  imaging_result: { vi: 'Kết quả chẩn đoán hình ảnh, thăm dò', en: 'Imaging or other result' },
  clinical_note: { vi: 'Diễn biến lâm sàng', en: 'Clinical progress' },
  hiv_care: { vi: 'Chăm sóc, điều trị HIV/AIDS', en: 'HIV/AIDS care' },
  discharge: { vi: 'Giấy ra viện', en: 'Discharge paper' },
  summary: { vi: 'Tóm tắt hồ sơ bệnh án', en: 'Record summary' },
  birth_certificate: { vi: 'Giấy chứng sinh', en: 'Birth certificate' },
  pregnancy_leave: { vi: 'Giấy nghỉ dưỡng thai', en: 'Pregnancy-rest certificate' },
  sick_leave: { vi: 'Giấy chứng nhận nghỉ việc hưởng BHXH', en: 'Sick-leave certificate' },
  medical_assessment: { vi: 'Giám định y khoa', en: 'Medical assessment' },
  referral: { vi: 'Giấy chuyển tuyến', en: 'Referral' },
  appointment: { vi: 'Giấy hẹn khám lại', en: 'Re-examination appointment' },
  tb_treatment: { vi: 'Điều trị bệnh lao', en: 'TB treatment' },
  death_notice: { vi: 'Giấy báo tử', en: 'Death notice' },
  driving_check: { vi: 'Giấy khám sức khỏe lái xe', en: 'Driving-licence health check' },
};

/** MA_LOAI_KCB (QĐ 4750 list, short labels). */
export const VISIT_KINDS: Record<string, string> = {
  '01': 'Khám bệnh', '02': 'Điều trị ngoại trú', '03': 'Điều trị nội trú', '04': 'Điều trị nội trú ban ngày',
  '05': 'Điều trị ngoại trú bệnh mạn tính', '06': 'Điều trị lưu tại trạm y tế / PKĐKKV', '07': 'Nhận thuốc theo hẹn',
  '08': 'Điều trị ngoại trú bệnh mạn tính (có khám)', '09': 'Điều trị nội trú dưới 4 giờ',
};

const t = (s: string | undefined) => (s ?? '').trim();
const join = (...parts: (string | undefined)[]) => parts.map(t).filter(Boolean).join(' ');

export interface TableProjection {
  kind: (row: Row) => EntryKind;
  title: (row: Row) => string;
  /** Fields holding the entry's time, first non-empty wins (falls back to the visit's times). */
  when: string[];
}

/** Tables XML2..XML15 (XML1 is projected specially into admin, visit and diagnoses). */
export const TABLE_PROJECTIONS: Record<string, TableProjection> = {
  XML2: { kind: () => 'medication', title: (r) => join(r.TEN_THUOC, r.HAM_LUONG) || 'Thuốc', when: ['NGAY_TH_YL', 'NGAY_YL'] },
  XML3: { kind: () => 'service', title: (r) => t(r.TEN_DICH_VU) || t(r.TEN_VAT_TU) || t(r.MA_DICH_VU) || 'Dịch vụ', when: ['NGAY_TH_YL', 'NGAY_YL', 'NGAY_KQ'] },
  XML4: {
    kind: (r) => (t(r.GIA_TRI) ? 'lab_result' : 'imaging_result'),
    title: (r) => (t(r.GIA_TRI) ? `${t(r.TEN_CHI_SO)}: ${join(r.GIA_TRI, r.DON_VI_DO)}` : join(r.TEN_CHI_SO) + (t(r.KET_LUAN) ? `: ${t(r.KET_LUAN).slice(0, 200)}` : '')),
    when: ['NGAY_KQ'],
  },
  XML5: { kind: () => 'clinical_note', title: (r) => t(r.DIEN_BIEN_LS).slice(0, 200) || 'Diễn biến lâm sàng', when: ['THOI_DIEM_DBLS'] },
  XML6: { kind: () => 'hiv_care', title: () => KIND_LABELS.hiv_care.vi, when: ['NGAY_BAT_DAU_XU_TRI', 'BDDT_ARV', 'NGAYKD_HIV'] },
  XML7: { kind: () => 'discharge', title: (r) => join(KIND_LABELS.discharge.vi, t(r.CHAN_DOAN_RV) ? `— ${t(r.CHAN_DOAN_RV).slice(0, 200)}` : ''), when: ['NGAY_RA', 'NGAY_CT'] },
  XML8: { kind: () => 'summary', title: () => KIND_LABELS.summary.vi, when: ['NGAY_RA', 'NGAY_CT'] },
  XML9: { kind: () => 'birth_certificate', title: (r) => join(KIND_LABELS.birth_certificate.vi, t(r.SO) ? `số ${t(r.SO)}` : ''), when: ['NGAY_SINH_CON', 'NGAY_CT'] },
  XML10: { kind: () => 'pregnancy_leave', title: (r) => `${KIND_LABELS.pregnancy_leave.vi} (${t(r.SO_NGAY)} ngày)`, when: ['TU_NGAY', 'NGAY_CT'] },
  XML11: { kind: () => 'sick_leave', title: (r) => `${KIND_LABELS.sick_leave.vi} (${t(r.SO_NGAY_NGHI)} ngày)`, when: ['TU_NGAY', 'NGAY_CT'] },
  XML12: { kind: () => 'medical_assessment', title: () => KIND_LABELS.medical_assessment.vi, when: ['NGAY_CHUNG_TU', 'NGAY_KET_LUAN'] },
  XML13: { kind: () => 'referral', title: (r) => join(KIND_LABELS.referral.vi, `đến ${t(r.MA_CSKCB_DEN) || t(r.MA_NOI_DEN)}`), when: ['NGAY_RA', 'NGAY_VAO'] },
  XML14: { kind: () => 'appointment', title: (r) => `${KIND_LABELS.appointment.vi}: ${fmtVn(r.NGAY_HEN_KL)}`, when: ['NGAY_CT', 'NGAY_RA'] },
  XML15: { kind: () => 'tb_treatment', title: () => KIND_LABELS.tb_treatment.vi, when: ['NGAY_BD_DTRI_LAO', 'NGAYBD_DTRI_LAO', 'NGAY_KT_DTRI'] },
};

/** yyyyMMdd[HHmm] → dd/MM/yyyy[ HH:mm] for titles. */
export function fmtVn(s: string | undefined): string {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2}))?/.exec(t(s));
  if (!m) return t(s);
  return `${m[3]}/${m[2]}/${m[1]}${m[4] ? ` ${m[4]}:${m[5]}` : ''}`;
}

export const ADMIN_FIELDS = ['MA_BN', 'HO_TEN', 'SO_CCCD', 'NGAY_SINH', 'GIOI_TINH', 'NHOM_MAU', 'MA_QUOCTICH', 'MA_DANTOC', 'MA_NGHE_NGHIEP', 'DIA_CHI', 'MATINH_CU_TRU', 'MAHUYEN_CU_TRU', 'MAXA_CU_TRU', 'DIEN_THOAI', 'MA_THE_BHYT', 'MA_DKBD', 'GT_THE_TU', 'GT_THE_DEN', 'MA_KHUVUC'];
export const VISIT_FIELDS = ['MA_LK', 'MA_CSKCB', 'MA_LOAI_KCB', 'MA_KHOA', 'NGAY_VAO', 'NGAY_VAO_NOI_TRU', 'NGAY_RA', 'LY_DO_VV', 'LY_DO_VNT', 'CHAN_DOAN_VAO', 'CHAN_DOAN_RV', 'MA_BENH_CHINH', 'MA_BENH_KT', 'MA_BENH_YHCT', 'MA_PTTT_QT', 'MA_DOITUONG_KCB', 'MA_NOI_DI', 'MA_NOI_DEN', 'SO_NGAY_DTRI', 'PP_DIEU_TRI', 'KET_QUA_DTRI', 'MA_LOAI_RV', 'GHI_CHU', 'NGAY_TAI_KHAM', 'CAN_NANG', 'NHOM_MAU', 'MA_HSBA', 'T_TONGCHI_BV', 'T_BHTT', 'T_BNCCT', 'T_BNTT'];
