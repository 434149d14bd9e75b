// Certificate documents (death notice, driving-licence health check) in the standard's style: the
// same writer and field reader as the stand-alone tables, round trip, structure problems, field
// rules, and a signature with src/signature over both roots (tampering detected).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCertificateDoc, parseCertificateDoc, validateCertificateRow, CERTIFICATES, buildGdyk, buildTableXml } from './index.ts';
import { isProblemError } from '../errors/index.ts';
import { signXml, verifySignedXml } from '../signature/index.ts';
import { testCa } from '../signature/testing.ts';

const death = {
  SO: 'BT-2026-0007', MA_CSKCB: '79001', HO_TEN: 'Trần Văn Tư', SO_CCCD: '079301234567', NGAY_SINH: '194001010000', GIOI_TINH: '1', NGAY_CHET: '202611200530',
  NOI_CHET: 'Khoa Hồi sức tích cực', NGUYEN_NHAN_CHET: 'Sốc nhiễm khuẩn', MA_BENH_NGUYEN_NHAN: 'A41.9', MA_TTDV: '7901000001', NGAY_CT: '20261120',
};
const driving = {
  SO: 'KSK-2026-0042', MA_CSKCB: '79001', HO_TEN: 'Trần Văn Năm', SO_CCCD: '079301234568', NGAY_SINH: '199001010000', GIOI_TINH: '1', HANG_GPLX: 'B',
  KET_LUAN: 'Đủ sức khỏe lái xe hạng B', DU_DIEU_KIEN: '1', NGAY_KHAM: '20261120', NGAY_HET_HAN: '20271120', MA_BS: '000321/HCM-CCHN', TEN_BS: 'Lê Văn C', MA_TTDV: '7901000001', NGAY_CT: '20261120',
};

test('layout: root from CERTIFICATES, fields in definition order (whatever the row order), empties left out, CHUKYDONVI last — the same shape as XML12', () => {
  const shuffled = Object.fromEntries(Object.entries(death).reverse());
  const text = buildCertificateDoc('death_notice', { ...shuffled, QUYEN_SO: '' }).toString('utf8');
  const order = [...text.matchAll(/<([A-Z_]+)>[^<\n]/g)].map((m) => m[1]);
  const defined = CERTIFICATES.death_notice.fields.map((f) => f.name).filter((n) => n in death);
  assert.deepEqual(order, defined);
  assert.ok(!text.includes('QUYEN_SO'));
  assert.match(text, /^<\?xml version="1.0" encoding="utf-8"\?>\n<CHI_TIEU_DU_LIEU_GIAY_BAO_TU>\n {2}<SO>BT-2026-0007<\/SO>\n/);
  assert.match(text, /\n {2}<CHUKYDONVI\/>\n<\/CHI_TIEU_DU_LIEU_GIAY_BAO_TU>\n$/);
  // Same declaration, indentation and signature slot as a stand-alone table built by buildTableXml.
  const gdyk = buildGdyk([{ MA_LK: 'x' }]).toString('utf8');
  assert.equal(gdyk, buildTableXml('XML12', [{ MA_LK: 'x' }], { signatureSlot: true }));
  assert.equal(text.split('\n')[0], gdyk.split('\n')[0]);
  assert.match(gdyk, /\n {2}<CHUKYDONVI\/>\n<\/CHI_TIEU_GIAM_DINH_YKHOA>\n$/);
});

test('round trip for both kinds, escaping included; structure problems carry their paths; a wrong root throws', () => {
  for (const [kind, row] of [['death_notice', { ...death, DIA_CHI: 'Số 1 <Lê Lợi> & "Q1"\r' }], ['driving_check', driving]] as const) {
    const back = parseCertificateDoc(buildCertificateDoc(kind, row));
    assert.equal(back.kind, kind);
    assert.deepEqual(back.row, row);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(validateCertificateRow(kind, back.row), []);
  }
  const odd = parseCertificateDoc(Buffer.from('<CHI_TIEU_DU_LIEU_GIAY_KSK_LAI_XE><SO>1</SO><SO>2</SO><LA>x</LA><KET_LUAN><b/></KET_LUAN><CHUKYDONVI/></CHI_TIEU_DU_LIEU_GIAY_KSK_LAI_XE>'));
  assert.deepEqual(odd.problems.map((p) => `${p.code} ${p.path}`), ['STD_ELEMENT_REPEATED driving_check.SO', 'STD_ELEMENT_UNKNOWN driving_check.LA', 'STD_FIELD_NESTED driving_check.KET_LUAN']);
  assert.deepEqual(odd.row, { SO: '1' });
  const many = `<CHI_TIEU_DU_LIEU_GIAY_BAO_TU>${'<X/>'.repeat(250)}</CHI_TIEU_DU_LIEU_GIAY_BAO_TU>`;
  const limited = parseCertificateDoc(Buffer.from(many));
  assert.equal(limited.problems.length, 201);
  assert.equal(limited.problems.at(-1)?.code, 'STD_LIMIT');
  assert.throws(() => parseCertificateDoc(Buffer.from('<CHI_TIEU_GIAM_DINH_YKHOA/>')), (e) => isProblemError(e) && e.problems[0].code === 'STD_ROOT');
  assert.throws(() => buildCertificateDoc('death_notice', { ...death, HO_TEN: 'a\u0001b' }), (e) => isProblemError(e) && e.problems[0].path === 'death_notice.HO_TEN');
});

test('field rules: required, code list, date, 12-digit personal ID — each at its field path, in Vietnamese and English', () => {
  const ps = validateCertificateRow('driving_check', { ...driving, HANG_GPLX: 'Z', NGAY_KHAM: '20261340', SO_CCCD: '123', TEN_BS: '' });
  assert.deepEqual(ps.map((p) => `${p.code} ${p.path}`).sort(), [
    'STD_FIELD_CODE driving_check.HANG_GPLX', 'STD_FIELD_CODE driving_check.SO_CCCD', 'STD_FIELD_DATE driving_check.NGAY_KHAM', 'STD_FIELD_REQUIRED driving_check.TEN_BS',
  ]);
  assert.ok(ps.every((p) => p.vi && p.en && p.rule));
});

test('signed with the facility certificate (XMLDSig in CHUKYDONVI) and verified for both roots; a changed field breaks it', async () => {
  const ca = testCa();
  const f = ca.facility('79001');
  for (const [kind, row] of [['death_notice', death], ['driving_check', driving]] as const) {
    const signed = await signXml(buildCertificateDoc(kind, row), f.signer);
    const v = verifySignedXml(signed, { expectedCertificates: [f.der], expectedFacility: '79001' });
    assert.equal(v.ok, true, JSON.stringify(v));
    assert.match(signed.toString('utf8'), new RegExp(`<CHUKYDONVI><(ds:)?Signature[\\s\\S]*</CHUKYDONVI>\\s*</${CERTIFICATES[kind].root}>\\s*$`));
    // The signed document still parses to the same row (the signature is not a field).
    assert.deepEqual(parseCertificateDoc(signed).row, row);
    const tampered = Buffer.from(signed.toString('utf8').replace('<SO_CCCD>07930123456', '<SO_CCCD>07930123457'), 'utf8');
    assert.notEqual(tampered.toString(), signed.toString());
    const t = verifySignedXml(tampered, { expectedCertificates: [f.der] });
    assert.equal(t.ok, false);
  }
});
