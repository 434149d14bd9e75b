// Test and bench aid: realistic dossiers (every table of the standard, rows as field → text) and
// a stand-in for the gateway's acceptance transaction (archive row + dossier row + outbox
// `dossier.accepted`), so the book can be tested before and without the gateway.
import { createHash, randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../store/index.ts';
import { publish, publishMany } from '../store/index.ts';
import type { Row } from '../standard/types.ts';

export interface PersonFixture {
  personalId: string;
  name: string;
  birth: string;
  sex: '1' | '2';
  card: string;
}

export function person(n = 1): PersonFixture {
  const id = String(79_200_000_000 + n).padStart(12, '0');
  return { personalId: id, name: `NGUYỄN VĂN ${String.fromCharCode(65 + (n % 26))}`, birth: '198503150000', sex: n % 2 ? '1' : '2', card: `DN479${String(1_000_000_000 + n).slice(-10)}` };
}

/** A full inpatient dossier: XML1..XML11, XML13..XML15 (XML12 goes alone and is tested separately). */
export function fullDossier(p: PersonFixture, opts: { maLk?: string; macskcb?: string; start?: string; end?: string; diagnosis?: string; labValue?: string } = {}): Record<string, Row[]> {
  const maLk = opts.maLk ?? `LK${randomBytes(5).toString('hex').toUpperCase()}`;
  const cs = opts.macskcb ?? '79001';
  const vao = opts.start ?? '202611010830';
  const ra = opts.end ?? '202611051000';
  const base = { MA_LK: maLk };
  return {
    XML1: [{
      ...base, STT: '1', MA_BN: 'BN0001', HO_TEN: p.name, SO_CCCD: p.personalId, NGAY_SINH: p.birth, GIOI_TINH: p.sex, NHOM_MAU: 'O+', MA_QUOCTICH: '000', MA_DANTOC: '01',
      MA_NGHE_NGHIEP: '00000', DIA_CHI: '12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh', MATINH_CU_TRU: '79', MAHUYEN_CU_TRU: '760', MAXA_CU_TRU: '26734', DIEN_THOAI: '0901234567',
      MA_THE_BHYT: p.card, MA_DKBD: '79001', GT_THE_TU: '20260101', GT_THE_DEN: '20261231', NGAY_MIEN_CCT: '', LY_DO_VV: 'Sốt, ho kéo dài', LY_DO_VNT: 'Viêm phổi', MA_LY_DO_VNT: '',
      CHAN_DOAN_VAO: 'Viêm phổi', CHAN_DOAN_RV: opts.diagnosis ?? 'Viêm phổi do vi khuẩn;Tăng huyết áp vô căn', MA_BENH_CHINH: 'J15.9', MA_BENH_KT: 'I10', MA_BENH_YHCT: '', MA_PTTT_QT: '',
      MA_DOITUONG_KCB: '1.1', MA_NOI_DI: '', MA_NOI_DEN: '79002', MA_TAI_NAN: '', NGAY_VAO: vao, NGAY_VAO_NOI_TRU: vao, NGAY_RA: ra, GIAY_CHUYEN_TUYEN: '', SO_NGAY_DTRI: '4',
      PP_DIEU_TRI: 'Kháng sinh đường tĩnh mạch', KET_QUA_DTRI: '2', MA_LOAI_RV: '2', GHI_CHU: 'Tái khám sau 2 tuần', NGAY_TTOAN: '', T_THUOC: '850000', T_VTYT: '120000', T_TONGCHI_BV: '3250000',
      T_TONGCHI_BH: '3250000', T_BNTT: '0', T_BNCCT: '650000', T_BHTT: '2600000', T_NGUONKHAC: '0', T_BHTT_GDV: '2600000', NAM_QT: '2026', THANG_QT: '11', MA_LOAI_KCB: '03', MA_KHOA: 'K26',
      MA_CSKCB: cs, MA_KHUVUC: '', CAN_NANG: '62.50', CAN_NANG_CON: '', NAM_NAM_LIEN_TUC: '', NGAY_TAI_KHAM: '20261119', MA_HSBA: 'HSBA-2026-0001', MA_TTDV: '7901000001', DU_PHONG: '',
    }],
    XML2: [
      { ...base, STT: '1', MA_THUOC: '40.17', TEN_THUOC: 'Ceftriaxone', HAM_LUONG: '1g', DON_VI_TINH: 'Lọ', DUONG_DUNG: '2.10', LIEU_DUNG: '2 lọ/ngày', CACH_DUNG: 'Tiêm tĩnh mạch', SO_LUONG: '8', DON_GIA: '45000', MA_KHOA: 'K26', MA_BAC_SI: '000123/HCM-CCHN', NGAY_YL: '202611010900', NGAY_TH_YL: '202611010915', MA_NHOM: '4', PHAM_VI: '1' },
      { ...base, STT: '2', MA_THUOC: '05C.60', TEN_THUOC: 'Amlodipin', HAM_LUONG: '5mg', DON_VI_TINH: 'Viên', DUONG_DUNG: '1.01', LIEU_DUNG: '1 viên/ngày', CACH_DUNG: 'Uống sáng', SO_LUONG: '5', DON_GIA: '800', MA_KHOA: 'K26', MA_BAC_SI: '000123/HCM-CCHN', NGAY_YL: '202611010900', NGAY_TH_YL: '', MA_NHOM: '4', PHAM_VI: '1' },
    ],
    XML3: [
      { ...base, STT: '1', MA_DICH_VU: '01.0001.1778', TEN_DICH_VU: 'Khám Nội', MA_NHOM: '13', DON_VI_TINH: 'Lần', SO_LUONG: '1', DON_GIA_BV: '38700', MA_KHOA: 'K01', MA_BAC_SI: '000123/HCM-CCHN', MA_BENH: 'J15.9', NGAY_YL: '202611010830', NGAY_KQ: '' },
      { ...base, STT: '2', MA_DICH_VU: '23.0166.1494', TEN_DICH_VU: 'Tổng phân tích tế bào máu ngoại vi', MA_NHOM: '1', DON_VI_TINH: 'Lần', SO_LUONG: '1', DON_GIA_BV: '46200', MA_KHOA: 'K26', MA_BAC_SI: '000123/HCM-CCHN', MA_BENH: 'J15.9', NGAY_YL: '202611010845', NGAY_KQ: '202611011000' },
      { ...base, STT: '3', MA_DICH_VU: '18.0119.0028', TEN_DICH_VU: 'Chụp X-quang ngực thẳng', MA_NHOM: '2', DON_VI_TINH: 'Lần', SO_LUONG: '1', DON_GIA_BV: '65400', MA_KHOA: 'K26', MA_BAC_SI: '000123/HCM-CCHN', MA_BENH: 'J15.9', NGAY_YL: '202611010845', NGAY_KQ: '202611010930' },
    ],
    XML4: [
      { ...base, STT: '1', MA_DICH_VU: '23.0166.1494', MA_CHI_SO: 'WBC', TEN_CHI_SO: 'Số lượng bạch cầu', GIA_TRI: opts.labValue ?? '14.2', DON_VI_DO: 'G/L', MO_TA: '', KET_LUAN: 'Tăng', NGAY_KQ: '202611011000', MA_BS_DOC_KQ: '000456/HCM-CCHN', DU_PHONG: '' },
      { ...base, STT: '2', MA_DICH_VU: '18.0119.0028', MA_CHI_SO: '', TEN_CHI_SO: 'X-quang ngực thẳng', GIA_TRI: '', DON_VI_DO: '', MO_TA: 'Đám mờ thùy dưới phổi phải', KET_LUAN: 'Hình ảnh viêm phổi thùy dưới phải', NGAY_KQ: '202611010930', MA_BS_DOC_KQ: '000789/HCM-CCHN', DU_PHONG: '' },
    ],
    XML5: [{ ...base, STT: '1', DIEN_BIEN_LS: 'Bệnh tỉnh, sốt 38.5 độ. CSST<M90_T38.5_HA130/80_NT22>', GIAI_DOAN_BENH: 'Khởi phát', HOI_CHAN: '', PHAU_THUAT: '', THOI_DIEM_DBLS: '202611011400', NGUOI_THUC_HIEN: '000123/HCM-CCHN', DU_PHONG: '' }],
    XML6: [{ ...base, MA_THE_BHYT: p.card, SO_CCCD: p.personalId, NGAY_SINH: p.birth, GIOI_TINH: p.sex, NGAYKD_HIV: '20200101', NOI_LAY_MAU_XN: cs, NOI_XN_KD: cs, NOI_BDDT_ARV: cs, BDDT_ARV: '20200201', MA_PHAC_DO_DIEU_TRI: '1a', MA_CSKCB: cs }],
    XML7: [{ ...base, SO_LUU_TRU: 'LT-001', MA_YTE: 'YT-001', MA_KHOA_RV: 'K26', NGAY_VAO: vao, NGAY_RA: ra, CHAN_DOAN_RV: 'Viêm phổi do vi khuẩn', PP_DIEUTRI: 'Kháng sinh', GHI_CHU: 'Tái khám', MA_TTDV: '7901000001', MA_BS: '000123/HCM-CCHN', TEN_BS: 'Trần Thị Bình', NGAY_CT: ra.slice(0, 8) }],
    XML8: [{ ...base, MA_LOAI_KCB: '03', NGAY_VAO: vao, NGAY_RA: ra, CHAN_DOAN_VAO: 'Viêm phổi', CHAN_DOAN_RV: 'Viêm phổi do vi khuẩn', QT_BENHLY: 'Sốt 3 ngày, ho đờm', TOMTAT_KQ: 'WBC 14.2 G/L; X-quang: viêm phổi thùy dưới phải', PP_DIEUTRI: 'Ceftriaxone 2g/ngày', KET_QUA_DTRI: '2', MA_TTDV: '7901000001', NGAY_CT: ra.slice(0, 8) }],
    XML9: [{ ...base, HO_TEN_NND: p.name, NGAYSINH_NND: '19850315', SO_CCCD_NND: p.personalId, HO_TEN_CON: 'Con của ' + p.name, GIOI_TINH_CON: '2', SO_CON: '1', LAN_SINH: '1', SO_CON_SONG: '1', CAN_NANG_CON: '3200', NGAY_SINH_CON: '202611030715', NOI_SINH_CON: 'Khoa Sản', TINH_TRANG_CON: 'Khỏe', NGAY_CT: '20261103', SO: '125', QUYEN_SO: '01', MA_TTDV: '7901000001' }],
    XML10: [{ ...base, SO_SERI: 'S01', SO_CT: 'CT01', SO_NGAY: '10', DON_VI: 'Công ty A', CHAN_DOAN_RV: 'Dọa sảy thai', TU_NGAY: '20261105', DEN_NGAY: '20261114', MA_TTDV: '7901000001', TEN_BS: 'Trần Thị Bình', MA_BS: '000123/HCM-CCHN', NGAY_CT: '20261105' }],
    XML11: [{ ...base, SO_CT: 'CT02', SO_SERI: 'S02', SO_KCB: 'KCB02', DON_VI: 'Công ty A', MA_BHXH: '7912345678', MA_THE_BHYT: p.card, CHAN_DOAN_RV: 'Viêm phổi', PP_DIEUTRI: 'Kháng sinh', SO_NGAY_NGHI: '5', TU_NGAY: '20261105', DEN_NGAY: '20261109', MA_TTDV: '7901000001', MA_BS: '000123/HCM-CCHN', NGAY_CT: '20261105', MAU_SO: 'CT07' }],
    XML13: [{ ...base, SO_HOSO: 'HS01', SO_CHUYENTUYEN: 'CT-2026-0099', GIAY_CHUYEN_TUYEN: 'GCT-0099', MA_CSKCB: cs, MA_CSKCB_DI: cs, MA_CSKCB_DEN: '79002', HO_TEN: p.name, NGAY_SINH: p.birth, GIOI_TINH: p.sex, MA_THE_BHYT: p.card, GT_THE_DEN: '20261231', NGAY_VAO: vao, NGAY_RA: ra, DAU_HIEU_LS: 'Sốt, ran nổ đáy phổi phải', CHAN_DOAN_RV: 'Viêm phổi do vi khuẩn', QT_BENHLY: 'Sốt 3 ngày', TOMTAT_KQ: 'WBC tăng', PP_DIEUTRI: 'Kháng sinh', MA_BENH_CHINH: 'J15.9', MA_BENH_KT: 'I10', TINH_TRANG_CT: 'Ổn định', MA_LOAI_RV: '2', MA_LYDO_CT: '1', HUONG_DIEU_TRI: 'Tiếp tục kháng sinh', PHUONGTIEN_VC: 'Xe cứu thương', MA_BAC_SI: '000123/HCM-CCHN', MA_TTDV: '7901000001' }],
    XML14: [{ ...base, SO_GIAYHEN_KL: 'HK-2026-0042', MA_CSKCB: cs, HO_TEN: p.name, NGAY_SINH: p.birth, GIOI_TINH: p.sex, DIA_CHI: '12 Lê Lợi, Quận 1', MA_THE_BHYT: p.card, GT_THE_DEN: '20261231', NGAY_VAO: vao, NGAY_RA: ra, NGAY_HEN_KL: '202611190800', CHAN_DOAN_RV: 'Viêm phổi do vi khuẩn', MA_BENH_CHINH: 'J15.9', MA_BENH_KT: 'I10', MA_DOITUONG_KCB: '1.1', MA_BAC_SI: '000123/HCM-CCHN', MA_TTDV: '7901000001', NGAY_CT: ra.slice(0, 8) }],
    XML15: [{ ...base, STT: '1', MA_BN: 'BN0001', HO_TEN: p.name, SO_CCCD: p.personalId, PHANLOAI_LAO_VITRI: '1', PHANLOAI_LAO_TS: '1', PHANLOAI_LAO_HIV: '2', PHANLOAI_LAO_VK: '1', PHANLOAI_LAO_KT: '1', LOAI_DTRI_LAO: '1', NGAYBD_DTRI_LAO: '20261102', PHACDO_DTRI_LAO: '1', NGAYKT_DTRI_LAO: '', KET_QUA_DTRI_LAO: '', MA_CSKCB: cs }],
  };
}

let seq = 0;

/** What the gateway does on acceptance: archive + dossier row + outbox `dossier.accepted`, in one transaction. */
export async function acceptDossier(db: Db | Queryable, tables: Record<string, Row[]>, opts: { macskcb?: string; version?: number; replacesId?: number | null } = {}): Promise<{ dossierId: number; packageId: number }> {
  const macskcb = opts.macskcb ?? tables.XML1?.[0]?.MA_CSKCB ?? '79001';
  const x1 = tables.XML1?.[0] ?? {};
  const run = async (tx: Queryable) => {
    const bytes = Buffer.from(`package ${++seq} ${randomBytes(8).toString('hex')}`);
    const pkg = await tx.query<{ id: number }>(
      `INSERT INTO package_archive (sha256, macskcb, bytes, size, status, receipt) VALUES ($1, $2, $3, $4, 'accepted', '{}'::jsonb) RETURNING id`,
      [createHash('sha256').update(bytes).digest('hex'), macskcb, bytes, bytes.length],
    );
    const v = opts.version ?? 1;
    if (opts.replacesId) await tx.query(`UPDATE dossier SET current = false WHERE id = $1`, [opts.replacesId]);
    const d = await tx.query<{ id: number }>(
      `INSERT INTO dossier (package_id, macskcb, ma_lk, version, replaces_id, personal_id, bhyt_card, ma_loai_kcb, tables)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9::jsonb) RETURNING id`,
      [pkg.rows[0].id, macskcb, x1.MA_LK, v, opts.replacesId ?? null, /^\d{12}$/.test(x1.SO_CCCD ?? '') ? x1.SO_CCCD : null, (x1.MA_THE_BHYT ?? '').split(';')[0] || null, x1.MA_LOAI_KCB ?? null, JSON.stringify(tables)],
    );
    await publish(tx, 'dossier.accepted', { dossierId: d.rows[0].id, packageId: pkg.rows[0].id, macskcb, maLk: x1.MA_LK, version: v, replacesId: opts.replacesId ?? null });
    return { dossierId: d.rows[0].id, packageId: pkg.rows[0].id };
  };
  return 'transaction' in db ? db.transaction(run) : run(db);
}

/**
 * Many acceptances in one transaction, as a gateway committing the packages that arrived together
 * (group commit): one package row, one dossier row and one outbox `dossier.accepted` per dossier,
 * written set-wise (three statements for the whole group). New dossiers only (version 1).
 */
export async function acceptDossiers(db: Db, list: Record<string, Row[]>[], opts: { macskcb?: string } = {}): Promise<{ dossierId: number; packageId: number }[]> {
  if (!list.length) return [];
  const rows = list.map((tables) => {
    const x1 = tables.XML1?.[0] ?? {};
    const bytes = Buffer.from(`package ${++seq} ${randomBytes(8).toString('hex')}`);
    return {
      sha: createHash('sha256').update(bytes).digest('hex'), bytes, macskcb: opts.macskcb ?? x1.MA_CSKCB ?? '79001', maLk: x1.MA_LK,
      pid: /^\d{12}$/.test(x1.SO_CCCD ?? '') ? x1.SO_CCCD : null, card: (x1.MA_THE_BHYT ?? '').split(';')[0] || null, loai: x1.MA_LOAI_KCB ?? null, tables: JSON.stringify(tables),
    };
  });
  return db.transaction(async (tx) => {
    const pkgs = await tx.query<{ id: number; sha256: string }>(
      `INSERT INTO package_archive (sha256, macskcb, bytes, size, status, receipt)
       SELECT s, m, b, length(b), 'accepted', '{}'::jsonb FROM unnest($1::text[], $2::text[], $3::bytea[]) AS t(s, m, b) RETURNING id, sha256`,
      [rows.map((r) => r.sha), rows.map((r) => r.macskcb), rows.map((r) => r.bytes)],
    );
    const pkgOf = new Map(pkgs.rows.map((p) => [p.sha256, Number(p.id)]));
    const pkgIds = rows.map((r) => pkgOf.get(r.sha)!);
    const ds = await tx.query<{ id: number; package_id: number; ma_lk: string; macskcb: string }>(
      `INSERT INTO dossier (package_id, macskcb, ma_lk, version, personal_id, bhyt_card, ma_loai_kcb, tables)
       SELECT p, m, l, 1, i, c, k, t::jsonb FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(p, m, l, i, c, k, t)
       RETURNING id, package_id, ma_lk, macskcb`,
      [pkgIds, rows.map((r) => r.macskcb), rows.map((r) => r.maLk), rows.map((r) => r.pid), rows.map((r) => r.card), rows.map((r) => r.loai), rows.map((r) => r.tables)],
    );
    const out = ds.rows.map((d) => ({ dossierId: Number(d.id), packageId: Number(d.package_id), maLk: d.ma_lk, macskcb: d.macskcb }));
    await publishMany(tx, 'dossier.accepted', out.map((d) => ({ dossierId: d.dossierId, packageId: d.packageId, macskcb: d.macskcb, maLk: d.maLk, version: 1, replacesId: null })));
    return out.map(({ dossierId, packageId }) => ({ dossierId, packageId }));
  });
}
