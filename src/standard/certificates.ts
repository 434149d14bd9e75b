// Death notices (giấy báo tử) and driving-licence health-check certificates (giấy khám sức khỏe
// lái xe) are not tables of QĐ 130/4750. They are modelled here in the standard's own style — a
// root element, ordered fields with a type, maximum length and a required mark, dates as
// yyyyMMdd / yyyyMMddHHmm, codes as text — after the paper forms (TT 24/2020/TT-BYT death notice;
// TT 36/2024/TT-BYT driver health check). Field names follow the standard's names where the
// meaning is the same (HO_TEN, SO_CCCD, NGAY_SINH, GIOI_TINH, MA_CSKCB, MA_TTDV, NGAY_CT, DU_PHONG).
// Like XML0 and XML12, each is a document sent on its own and signed in its own CHUKYDONVI:
//   <CHI_TIEU_DU_LIEU_GIAY_BAO_TU> <SO>…</SO> … <CHUKYDONVI>(XMLDSig)</CHUKYDONVI> </…>
// Pure: no I/O.
import { ProblemError, problem, type Problem } from '../errors/index.ts';
import { STD } from './errors.ts';
import { documentXml, fieldsXml, readFields } from './package.ts';
import { parseXml, rootPtr, namePtr } from './xml.ts';
import { isDateText } from './dates.ts';

export interface CertField {
  name: string;
  type: 'string' | 'number' | 'date' | 'datetime';
  maxLength: number;
  required: boolean;
  codeList?: string[];
  description: string;
}

export interface CertDefinition {
  kind: 'death_notice' | 'driving_check';
  root: string;
  title: string;
  numberField: string;
  whenField: string;
  fields: CertField[];
}

const f = (name: string, type: CertField['type'], maxLength: number, required: boolean, description: string, codeList?: string[]): CertField => ({ name, type, maxLength, required, description, codeList });

/** The two certificate documents, by kind. */
export const CERTIFICATES: Record<'death_notice' | 'driving_check', CertDefinition> = {
  death_notice: {
    kind: 'death_notice', root: 'CHI_TIEU_DU_LIEU_GIAY_BAO_TU', title: 'Giấy báo tử', numberField: 'SO', whenField: 'NGAY_CHET',
    fields: [
      f('MA_LK', 'string', 100, false, 'Mã liên kết đợt KCB (nếu tử vong tại cơ sở)'),
      f('SO', 'string', 200, true, 'Số giấy báo tử'),
      f('QUYEN_SO', 'string', 200, false, 'Quyển số'),
      f('MA_CSKCB', 'string', 5, true, 'Mã cơ sở KBCB cấp giấy'),
      f('HO_TEN', 'string', 255, true, 'Họ tên người tử vong'),
      f('SO_CCCD', 'string', 15, true, 'Số định danh cá nhân (12 số)'),
      f('NGAY_SINH', 'datetime', 12, true, 'Ngày sinh yyyyMMddHHmm (phần chưa biết ghi 0)'),
      f('GIOI_TINH', 'number', 1, true, 'Giới tính 1 nam, 2 nữ, 3 chưa xác định', ['1', '2', '3']),
      f('MA_DANTOC', 'string', 2, false, 'Mã dân tộc'),
      f('MA_QUOCTICH', 'string', 3, false, 'Mã quốc tịch'),
      f('MA_THE_BHYT', 'string', 15, false, 'Số thẻ BHYT'),
      f('DIA_CHI', 'string', 1024, false, 'Nơi cư trú'),
      f('NGAY_VAO', 'datetime', 12, false, 'Thời điểm vào viện'),
      f('NGAY_CHET', 'datetime', 12, true, 'Thời điểm tử vong yyyyMMddHHmm'),
      f('NOI_CHET', 'string', 1024, true, 'Nơi tử vong'),
      f('NGUYEN_NHAN_CHET', 'string', 4000, true, 'Nguyên nhân tử vong'),
      f('MA_BENH_NGUYEN_NHAN', 'string', 100, false, 'Mã ICD-10 nguyên nhân tử vong (phân cách ;)'),
      f('HO_TEN_NGUOI_NHAN', 'string', 255, false, 'Họ tên thân nhân nhận giấy'),
      f('MA_TTDV', 'string', 10, true, 'Mã BHXH người đứng đầu cơ sở / người được ủy quyền'),
      f('MA_BS', 'string', 255, false, 'Số chứng chỉ hành nghề người xác nhận'),
      f('NGAY_CT', 'date', 8, true, 'Ngày cấp yyyyMMdd'),
      f('DU_PHONG', 'string', 4000, false, 'Trường dự phòng'),
    ],
  },
  driving_check: {
    kind: 'driving_check', root: 'CHI_TIEU_DU_LIEU_GIAY_KSK_LAI_XE', title: 'Giấy khám sức khỏe lái xe', numberField: 'SO', whenField: 'NGAY_KHAM',
    fields: [
      f('SO', 'string', 200, true, 'Số giấy khám sức khỏe'),
      f('MA_CSKCB', 'string', 5, true, 'Mã cơ sở KBCB khám'),
      f('HO_TEN', 'string', 255, true, 'Họ tên người được khám'),
      f('SO_CCCD', 'string', 15, true, 'Số định danh cá nhân (12 số)'),
      f('NGAY_SINH', 'datetime', 12, true, 'Ngày sinh yyyyMMddHHmm'),
      f('GIOI_TINH', 'number', 1, true, 'Giới tính', ['1', '2', '3']),
      f('DIA_CHI', 'string', 1024, false, 'Nơi cư trú'),
      f('HANG_GPLX', 'string', 10, true, 'Hạng giấy phép lái xe đề nghị', ['A1', 'A', 'B1', 'B', 'C1', 'C', 'D1', 'D2', 'D', 'BE', 'C1E', 'CE', 'D1E', 'D2E', 'DE']),
      f('TIEN_SU_BENH', 'string', 4000, false, 'Tiền sử bệnh tật'),
      f('KQ_TAM_THAN', 'string', 1024, false, 'Kết quả khám tâm thần'),
      f('KQ_THAN_KINH', 'string', 1024, false, 'Kết quả khám thần kinh'),
      f('KQ_MAT', 'string', 1024, false, 'Kết quả khám mắt'),
      f('KQ_TMH', 'string', 1024, false, 'Kết quả khám tai mũi họng'),
      f('KQ_TIM_MACH', 'string', 1024, false, 'Kết quả khám tim mạch'),
      f('KQ_HO_HAP', 'string', 1024, false, 'Kết quả khám hô hấp'),
      f('KQ_CO_XUONG_KHOP', 'string', 1024, false, 'Kết quả khám cơ xương khớp'),
      f('KQ_NOI_TIET', 'string', 1024, false, 'Kết quả khám nội tiết'),
      f('KQ_XET_NGHIEM', 'string', 4000, false, 'Kết quả xét nghiệm (ma túy, nồng độ cồn...)'),
      f('KET_LUAN', 'string', 4000, true, 'Kết luận'),
      f('DU_DIEU_KIEN', 'number', 1, true, '1 đủ điều kiện, 0 không đủ điều kiện', ['0', '1']),
      f('NGAY_KHAM', 'date', 8, true, 'Ngày khám yyyyMMdd'),
      f('NGAY_HET_HAN', 'date', 8, true, 'Giá trị đến ngày yyyyMMdd'),
      f('MA_BS', 'string', 255, true, 'Số chứng chỉ hành nghề bác sĩ kết luận'),
      f('TEN_BS', 'string', 255, true, 'Họ tên bác sĩ kết luận'),
      f('MA_TTDV', 'string', 10, true, 'Mã BHXH người đứng đầu cơ sở / người được ủy quyền'),
      f('NGAY_CT', 'date', 8, true, 'Ngày ký yyyyMMdd'),
      f('DU_PHONG', 'string', 4000, false, 'Trường dự phòng'),
    ],
  },
};

export type CertificateKind = keyof typeof CERTIFICATES;
export const CERTIFICATE_KINDS = Object.keys(CERTIFICATES) as CertificateKind[];

/** The kind of a certificate document by its root element, or null. */
export function certificateKindByRoot(root: string): CertificateKind | null {
  return CERTIFICATE_KINDS.find((k) => CERTIFICATES[k].root === root) ?? null;
}

/**
 * Build a certificate document with the same writer as the stand-alone tables (XML0, XML12):
 * UTF-8, fields in the definition's order, empty fields left out, an empty CHUKYDONVI to sign.
 */
export function buildCertificateDoc(kind: CertificateKind, row: Record<string, string>): Buffer {
  const def = CERTIFICATES[kind];
  if (!def) throw ProblemError.of(STD.STD_ROOT, '', { expected: CERTIFICATE_KINDS.map((k) => CERTIFICATES[k].root).join(' | '), found: String(kind) });
  const body = fieldsXml(def.fields.map((f) => f.name), row, kind, '  ', true);
  return Buffer.from(documentXml(def.root, body, true), 'utf8');
}

/** Elements a certificate document may hold (its fields are far fewer; CHUKYDONVI not counted). */
const MAX_ELEMENTS = 200;

/**
 * Parse a certificate document (signed or not; the signature is checked elsewhere) with the same
 * field reader as the table rows. Structure problems (unknown, repeated or nested elements) are
 * reported with their path; a wrong root or malformed XML throws. Use validateCertificateRow for
 * the field rules.
 */
export function parseCertificateDoc(bytes: Uint8Array, opts: { maxBytes?: number } = {}): { kind: CertificateKind; row: Record<string, string>; problems: Problem[] } {
  const doc = parseXml(bytes, { maxBytes: opts.maxBytes ?? 1024 * 1024 }, 'certificate');
  try {
    const root = rootPtr(doc);
    const rootName = namePtr(root);
    const kind = certificateKindByRoot(rootName);
    if (!kind) throw ProblemError.of(STD.STD_ROOT, '', { expected: CERTIFICATE_KINDS.map((k) => CERTIFICATES[k].root).join(' | '), found: rootName.slice(0, 100) });
    const known = new Set(CERTIFICATES[kind].fields.map((f) => f.name));
    const problems: Problem[] = [];
    const { names, values } = readFields(root, known, kind, problems, namePtr, { skip: 'CHUKYDONVI', max: MAX_ELEMENTS });
    const row: Record<string, string> = {};
    // A nested field is reported and left out of the row.
    const nested = new Set(problems.filter((p) => p.code === STD.STD_FIELD_NESTED.code).map((p) => p.path));
    for (let i = 0; i < names.length; i++) if (!nested.has(`${kind}.${names[i]}`)) row[names[i]] = values[i];
    return { kind, row, problems };
  } finally {
    doc.dispose();
  }
}

/** The field rules of a certificate: required, length, type, code list, a 12-digit personal ID. */
export function validateCertificateRow(kind: CertificateKind, row: Record<string, string>): Problem[] {
  const def = CERTIFICATES[kind];
  const out: Problem[] = [];
  for (const fd of def.fields) {
    const v = row[fd.name];
    const path = `${kind}.${fd.name}`;
    if (v === undefined || v === '') {
      if (fd.required) out.push(problem(STD.STD_FIELD_REQUIRED, path, { field: fd.name }));
      continue;
    }
    if (v.length > fd.maxLength) out.push(problem(STD.STD_FIELD_TOO_LONG, path, { field: fd.name, length: v.length, max: fd.maxLength }));
    else if (fd.type === 'number' && !/^-?\d+(\.\d+)?$/.test(v)) out.push(problem(STD.STD_FIELD_NUMBER, path, { field: fd.name, digits: fd.maxLength }));
    else if (fd.type === 'date' && !isDateText(v, 'date')) out.push(problem(STD.STD_FIELD_DATE, path, { field: fd.name }));
    else if (fd.type === 'datetime' && !/^\d{12}$/.test(v)) out.push(problem(STD.STD_FIELD_DATETIME, path, { field: fd.name }));
    else if (fd.codeList && !fd.codeList.includes(v)) out.push(problem(STD.STD_FIELD_CODE, path, { field: fd.name, value: v.slice(0, 50), list: fd.codeList.join(', ') }));
  }
  if (row.SO_CCCD && !/^\d{12}$/.test(row.SO_CCCD)) out.push(problem(STD.STD_FIELD_CODE, `${kind}.SO_CCCD`, { field: 'SO_CCCD', value: row.SO_CCCD.slice(0, 20), list: '12-digit personal ID' }));
  return out;
}
