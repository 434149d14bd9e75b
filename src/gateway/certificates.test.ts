// Signed death notices and driving-licence health checks through the real gateway: built in the
// standard's format, signed with the facility's registered certificate, verified, archived and
// placed in the citizen's book by the gateway's worker; tampered, unsigned, unregistered, other
// facility, invalid fields and an undeclared duplicate are refused with their own codes; a declared
// replacement updates the book and keeps history.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, until, type TestGateway } from './testing.ts';
import { dbKinds } from '../store/testing.ts';
import { buildCertificateDoc, parseCertificateDoc } from '../standard/index.ts';
import { signXml } from '../signature/index.ts';

let gw: TestGateway;

const pid = '079301234567';
const death = (macskcb: string, extra: Record<string, string> = {}) => ({
  SO: 'BT-2026-0007', MA_CSKCB: macskcb, HO_TEN: 'Trần Văn Tư', SO_CCCD: pid, NGAY_SINH: '194001010000', GIOI_TINH: '1', NGAY_CHET: '202611200530',
  NOI_CHET: 'Khoa Hồi sức tích cực', NGUYEN_NHAN_CHET: 'Sốc nhiễm khuẩn', MA_BENH_NGUYEN_NHAN: 'A41.9', MA_TTDV: '7901000001', NGAY_CT: '20261120', ...extra,
});
const driving = (macskcb: string) => ({
  SO: 'KSK-2026-0042', MA_CSKCB: macskcb, HO_TEN: 'Trần Văn Năm', SO_CCCD: '079301234568', NGAY_SINH: '199001010000', GIOI_TINH: '1', HANG_GPLX: 'B',
  KET_LUAN: 'Đủ sức khỏe lái xe hạng B', DU_DIEU_KIEN: '1', NGAY_KHAM: '20261120', NGAY_HET_HAN: '20271120', MA_BS: '000321/HCM-CCHN', TEN_BS: 'Lê Văn C', MA_TTDV: '7901000001', NGAY_CT: '20261120',
});

async function post(bytes: Uint8Array, o: { token?: string; replace?: boolean } = {}) {
  const r = await fetch(`${gw.url}/api/v1/certificates${o.replace ? '?replace=1' : ''}`, {
    method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${o.token ?? gw.facility.token}` }, body: new Uint8Array(bytes),
  });
  return { status: r.status, body: (await r.json()) as any };
}

const codes = (b: any): string[] => (b.problems ?? []).map((p: any) => p.code);

test('the document format round-trips: build → parse gives the row back; a wrong root is refused', () => {
  const row = death('79001', { DIA_CHI: 'Số 1 <Lê Lợi> & "Q1"' });
  const doc = buildCertificateDoc('death_notice', row);
  assert.match(doc.toString('utf8'), /^<\?xml version="1.0" encoding="utf-8"\?>\n<CHI_TIEU_DU_LIEU_GIAY_BAO_TU>\n {2}<SO>BT-2026-0007<\/SO>/);
  assert.match(doc.toString('utf8'), /<CHUKYDONVI\/>\n<\/CHI_TIEU_DU_LIEU_GIAY_BAO_TU>\n$/);
  const back = parseCertificateDoc(doc);
  assert.equal(back.kind, 'death_notice');
  assert.deepEqual(back.row, row);
  assert.deepEqual(back.problems, []);
  assert.throws(() => parseCertificateDoc(Buffer.from('<GIAMDINHHS/>')), /GIAMDINHHS|root/i);
  const odd = parseCertificateDoc(Buffer.from('<CHI_TIEU_DU_LIEU_GIAY_KSK_LAI_XE><SO>1</SO><SO>2</SO><LA>x</LA><KET_LUAN><b/></KET_LUAN></CHI_TIEU_DU_LIEU_GIAY_KSK_LAI_XE>'));
  assert.deepEqual(odd.problems.map((p) => `${p.code} ${p.path}`), ['STD_ELEMENT_REPEATED driving_check.SO', 'STD_ELEMENT_UNKNOWN driving_check.LA', 'STD_FIELD_NESTED driving_check.KET_LUAN']);
});

for (const kind of dbKinds()) {
  describe(`certificates through the gateway on ${kind}`, () => {
    before(async () => {
      gw = await startTestGateway({ kind });
    });
    after(async () => {
      await gw.close();
    });

    test('signed death notice → verified, archived, receipt; the worker puts it in the book; replay answers the same receipt', async () => {
      const f = gw.facility;
      const signed = await signXml(buildCertificateDoc('death_notice', death(f.macskcb)), f.signer);
      const r = await post(signed);
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'accepted', JSON.stringify(r.body.problems));
      assert.equal(r.body.kind, 'certificate');
      assert.deepEqual(r.body.document, { type: 'death_notice', number: 'BT-2026-0007', replaces: false });
      const again = await post(signed);
      assert.equal(again.body.receiptId, r.body.receiptId);
      const entry = await until(async () => (await gw.db.query(`SELECT kind, title, current FROM book_entry WHERE personal_id = $1 AND kind = 'death_notice'`, [pid])).rows[0]);
      assert.equal(entry.title, 'Giấy báo tử số BT-2026-0007');
      const archived = (await gw.db.query(`SELECT kind, certificate_id, encode(bytes, 'hex') AS hex FROM package_archive WHERE receipt_id = $1`, [r.body.receiptId])).rows[0];
      assert.equal(archived.kind, 'certificate');
      assert.ok(archived.certificate_id, 'verified against the registered certificate');
      assert.equal(Buffer.from(archived.hex, 'hex').toString('utf8'), signed.toString('utf8'), 'the exact bytes are archived');

      // The same number again without declaring a replacement: refused.
      const dup = await post(await signXml(buildCertificateDoc('death_notice', death(f.macskcb, { NGUYEN_NHAN_CHET: 'Suy hô hấp' })), f.signer));
      assert.equal(dup.body.status, 'rejected');
      assert.deepEqual(codes(dup.body), ['GW_CERT_DUPLICATE']);
      // Declared replacement: accepted, the book shows the new version, the old one kept as history.
      const rep = await post(await signXml(buildCertificateDoc('death_notice', death(f.macskcb, { NGUYEN_NHAN_CHET: 'Suy hô hấp cấp' })), f.signer), { replace: true });
      assert.equal(rep.body.status, 'accepted', JSON.stringify(rep.body.problems));
      assert.equal(rep.body.document.replaces, true);
      await until(async () => (await gw.db.query(`SELECT 1 FROM book_certificate WHERE number = 'BT-2026-0007' AND version = 2`)).rows.length > 0);
      const versions = (await gw.db.query(`SELECT data->>'NGUYEN_NHAN_CHET' AS cause, current FROM book_entry WHERE personal_id = $1 AND kind = 'death_notice' ORDER BY id`, [pid])).rows;
      assert.deepEqual(versions, [{ cause: 'Sốc nhiễm khuẩn', current: false }, { cause: 'Suy hô hấp cấp', current: true }]);
    });

    test('refused with their own reasons: unsigned, tampered, unregistered certificate, another facility, invalid fields', async () => {
      const f = gw.facility;
      const doc = buildCertificateDoc('driving_check', driving(f.macskcb));
      const unsigned = await post(doc);
      assert.equal(unsigned.body.status, 'rejected');
      assert.deepEqual(codes(unsigned.body), ['GW_SIGNATURE_INVALID', 'SIG_MISSING']);
      assert.ok(unsigned.body.problems.every((p: any) => p.vi && p.en && p.path !== undefined));
      const signed = await signXml(doc, f.signer);
      const tampered = Buffer.from(signed.toString('utf8').replace('hạng B', 'hạng C'), 'utf8');
      const t = await post(tampered);
      assert.equal(t.body.status, 'rejected');
      assert.deepEqual(codes(t.body), ['GW_SIGNATURE_INVALID', 'SIG_DIGEST_MISMATCH']);
      // A certificate of our CA for our facility code, but not registered for it.
      const stranger = await gw.unregisteredSigner(f.macskcb);
      const u = await post(await signXml(doc, stranger.signer));
      assert.equal(u.body.status, 'rejected');
      assert.deepEqual(codes(u.body), ['GW_CERT_UNREGISTERED', 'SIG_CERT_NOT_EXPECTED']);
      // Another facility's registered certificate on a document naming our facility, sent with our token.
      const other = await gw.addFacility('79077', 'Phòng khám khác');
      const byOther = await post(await signXml(doc, other.signer));
      assert.equal(byOther.body.status, 'rejected');
      assert.deepEqual(codes(byOther.body), ['GW_CERT_UNREGISTERED', 'SIG_CERT_NOT_EXPECTED']);
      // The other facility's own document, signed by it, sent with our token.
      const o = await post(await signXml(buildCertificateDoc('driving_check', driving('79077')), other.signer));
      assert.equal(o.body.status, 'rejected');
      assert.deepEqual(codes(o.body), ['GW_FACILITY_MISMATCH', 'GW_CERT_UNREGISTERED', 'SIG_CERT_NOT_EXPECTED']);
      // Signed by us, but naming the other facility: the signature holds, the facility does not.
      const named = await post(await signXml(buildCertificateDoc('driving_check', driving('79077')), f.signer));
      assert.equal(named.body.status, 'rejected');
      assert.deepEqual(named.body.problems.map((p: any) => `${p.code} ${p.path}`), ['GW_FACILITY_MISMATCH driving_check.MA_CSKCB']);
      const bad = await post(await signXml(buildCertificateDoc('driving_check', { ...driving(f.macskcb), HANG_GPLX: 'Z', NGAY_KHAM: '20261340' }), f.signer));
      assert.equal(bad.body.status, 'rejected');
      assert.deepEqual(bad.body.problems.map((p: any) => `${p.code} ${p.path}`).sort(), ['STD_FIELD_CODE driving_check.HANG_GPLX', 'STD_FIELD_DATE driving_check.NGAY_KHAM']);
      assert.ok(bad.body.problems.every((p: any) => p.vi && p.en));
      // Nothing refused reached the book; the valid signed one does.
      assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM book_certificate WHERE kind = 'driving_check'`)).rows[0].n, 0);
      const ok = await post(signed);
      assert.equal(ok.body.status, 'accepted', JSON.stringify(ok.body.problems));
      await until(async () => (await gw.db.query(`SELECT 1 FROM book_entry WHERE personal_id = '079301234568' AND kind = 'driving_check'`)).rows.length > 0);
    });

    test('two documents with one number sent at the same time: exactly one accepted, the other GW_CERT_DUPLICATE; one book entry', async () => {
      const f = gw.facility;
      const one = (cause: string) => signXml(buildCertificateDoc('death_notice', death(f.macskcb, { SO: 'BT-RACE-1', SO_CCCD: '079301299999', NGUYEN_NHAN_CHET: cause })), f.signer);
      const docs = await Promise.all(['Đột quỵ', 'Đột quỵ não', 'Xuất huyết não', 'Nhồi máu não'].map(one));
      const answers = await Promise.all(docs.map((d) => post(d)));
      assert.deepEqual(answers.map((a) => a.body.status).sort(), ['accepted', 'rejected', 'rejected', 'rejected']);
      for (const a of answers.filter((x) => x.body.status === 'rejected')) assert.deepEqual(codes(a.body), ['GW_CERT_DUPLICATE']);
      await until(async () => (await gw.db.query(`SELECT 1 FROM book_entry WHERE personal_id = '079301299999'`)).rows.length > 0);
      assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM book_certificate WHERE number = 'BT-RACE-1'`)).rows[0].n, 1);
    });

    test('the served OpenAPI document describes the route and the receipt of a certificate', async () => {
      const doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as any;
      const op = doc.paths['/api/v1/certificates']?.post;
      assert.ok(op, 'POST /api/v1/certificates listed');
      assert.ok(op.requestBody.content['application/xml']);
      assert.deepEqual(op.parameters.map((p: any) => `${p.in}:${p.name}`), ['header:X-Replaces']);
      assert.equal(doc.paths['/api/v1/book/certificates'], undefined, 'no unsigned route');
      assert.equal(op.responses[200].content['application/json'].schema.$ref, '#/components/schemas/Receipt');
      const receipt = doc.components.schemas.Receipt;
      assert.ok(receipt.properties.kind.enum.includes('certificate'));
      assert.deepEqual(receipt.properties.document.properties.type.enum, ['death_notice', 'driving_check']);
    });
  });
}
