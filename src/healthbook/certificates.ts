// Death notices (giấy báo tử) and driving-licence health-check certificates (giấy khám sức khỏe
// lái xe) are not tables of QĐ 130/4750. They are modelled here in the standard's own style — a
// root element, ordered fields with a type, maximum length and a required mark, dates as
// yyyyMMdd / yyyyMMddHHmm, codes as text — after the paper forms (TT 24/2020/TT-BYT death notice;
// TT 36/2024/TT-BYT driver health check). Field names follow the standard's names where the
// meaning is the same (HO_TEN, SO_CCCD, NGAY_SINH, GIOI_TINH, MA_CSKCB, MA_TTDV, NGAY_CT, DU_PHONG).
import { ProblemError, problem, type Problem } from '../errors/index.ts';
import type { Db } from '../store/index.ts';
import type { Actor } from '../access/index.ts';
import { ACC } from '../access/index.ts';
import { BOOK } from './errors.ts';
import { parseVnTime } from './dates.ts';
import { announce, insertEntries, linkPerson, supersede, type NewEntry } from './project.ts';
import { KIND_LABELS } from './kinds.ts';

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

/** Validate a certificate row against its definition; every problem names its field. */
export function validateCertificate(kind: string, row: unknown): Problem[] {
  const def = CERTIFICATES[kind as keyof typeof CERTIFICATES];
  const bad = (field: string, detail: string) => problem(BOOK.BOOK_CERT_INVALID, `${kind}.${field}`, { field, detail, rule: detail });
  if (!def) return [bad('kind', 'death_notice | driving_check')];
  if (!row || typeof row !== 'object' || Array.isArray(row)) return [bad('row', 'an object of field → text')];
  const r = row as Record<string, unknown>;
  const out: Problem[] = [];
  const known = new Set(def.fields.map((x) => x.name));
  for (const k of Object.keys(r)) if (!known.has(k)) out.push(bad(k, 'unknown field'));
  if (Object.keys(r).length > 100) return [bad('row', 'too many fields')];
  for (const fd of def.fields) {
    const v = r[fd.name];
    if (v === undefined || v === null || v === '') {
      if (fd.required) out.push(bad(fd.name, 'required'));
      continue;
    }
    if (typeof v !== 'string') { out.push(bad(fd.name, 'text')); continue; }
    if (v.length > fd.maxLength) out.push(bad(fd.name, `at most ${fd.maxLength} characters`));
    else if (fd.type === 'number' && !/^-?\d+(\.\d+)?$/.test(v)) out.push(bad(fd.name, 'a number'));
    else if (fd.type === 'date' && (!/^\d{8}$/.test(v) || !parseVnTime(v))) out.push(bad(fd.name, 'yyyyMMdd'));
    else if (fd.type === 'datetime' && !/^\d{12}$/.test(v)) out.push(bad(fd.name, 'yyyyMMddHHmm'));
    else if (fd.codeList && !fd.codeList.includes(v)) out.push(bad(fd.name, `one of ${fd.codeList.join(', ')}`));
  }
  if (typeof r.SO_CCCD === 'string' && r.SO_CCCD && !/^\d{12}$/.test(r.SO_CCCD)) out.push(bad('SO_CCCD', '12-digit personal ID'));
  return out;
}

/**
 * Intake of a certificate by a facility (API token or staff session) or a doctor of that facility.
 * `replace` sends a corrected version of an existing number: the book keeps the history.
 */
export async function receiveCertificate(db: Db, actor: Actor, kind: string, row: Record<string, string>, opts: { replace?: boolean } = {}): Promise<{ certificateId: number; version: number; entryId: number; personalId: string }> {
  if (actor.role !== 'facility' && actor.role !== 'doctor') throw ProblemError.of(ACC.ACC_FORBIDDEN_ROLE, 'principal.role', { roles: 'facility, doctor' });
  const problems = validateCertificate(kind, row);
  if (problems.length) throw new ProblemError(problems);
  const def = CERTIFICATES[kind as keyof typeof CERTIFICATES];
  const macskcb = row.MA_CSKCB.toUpperCase();
  if ((actor.macskcb ?? '').toUpperCase() !== macskcb) throw ProblemError.of(BOOK.BOOK_CERT_FACILITY, `${kind}.MA_CSKCB`);
  const number = row[def.numberField];
  const personalId = row.SO_CCCD;
  return db.transaction(async (tx) => {
    const prev = (await tx.query(`SELECT max(version) AS v FROM book_certificate WHERE kind = $1 AND macskcb = $2 AND number = $3`, [kind, macskcb, number])).rows[0].v as number | null;
    if (prev && !opts.replace) throw ProblemError.of(BOOK.BOOK_CERT_DUPLICATE, `${kind}.${def.numberField}`);
    const version = (prev ?? 0) + 1;
    await tx.query(`UPDATE book_certificate SET current = false WHERE kind = $1 AND macskcb = $2 AND number = $3`, [kind, macskcb, number]);
    const c = await tx.query<{ id: number; received_at: Date }>(
      `INSERT INTO book_certificate (kind, macskcb, number, version, personal_id, row) VALUES ($1,$2,$3,$4,$5,$6::jsonb) RETURNING id, received_at`,
      [kind, macskcb, number, version, personalId, JSON.stringify(row)],
    );
    const maLk = `${kind === 'death_notice' ? 'BAOTU' : 'KSKLX'}:${number}`;
    const retracted = await supersede(tx, { macskcb, maLk, belowVersion: version, certificate: true }, c.rows[0].id);
    const entry: NewEntry = {
      kind: def.kind, sourceTable: def.root, seq: 0, occurredAt: parseVnTime(row[def.whenField]) ?? parseVnTime(row.NGAY_CT),
      title: kind === 'driving_check' ? `${KIND_LABELS.driving_check.vi} hạng ${row.HANG_GPLX}: ${row.DU_DIEU_KIEN === '1' ? 'đủ điều kiện' : 'không đủ điều kiện'}` : `${KIND_LABELS.death_notice.vi} số ${number}`,
      data: row,
    };
    const [entryId] = await insertEntries(tx, { personalId, bhytCard: row.MA_THE_BHYT || null, dossierId: null, certificateId: c.rows[0].id, macskcb, maLk, version, acceptedAt: c.rows[0].received_at, current: true }, [entry], retracted ? 'changed' : 'new');
    await linkPerson(tx, personalId, row.MA_THE_BHYT ? [row.MA_THE_BHYT] : [], { name: row.HO_TEN, birth: row.NGAY_SINH, sex: row.GIOI_TINH });
    await announce(tx, [personalId]);
    return { certificateId: c.rows[0].id, version, entryId, personalId };
  });
}
