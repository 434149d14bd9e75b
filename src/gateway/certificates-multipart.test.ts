// POST /api/v1/certificates takes a multipart upload (field `file`) like /api/v1/packages and
// /api/v1/assessments: a signed death notice sent as a file is verified and accepted with the same
// receipt as the raw body would get; a form without the file is refused with its code and field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from './testing.ts';
import { buildCertificateDoc } from '../standard/index.ts';
import { signXml } from '../signature/index.ts';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const notice = (macskcb: string) => ({
  SO: 'BT-MP-0001', MA_CSKCB: macskcb, HO_TEN: 'Nguyễn Thị Sáu', SO_CCCD: '079301234599', NGAY_SINH: '193505050000', GIOI_TINH: '2', NGAY_CHET: '202611210815',
  NOI_CHET: 'Khoa Nội', NGUYEN_NHAN_CHET: 'Suy tim', MA_TTDV: '7901000001', NGAY_CT: '20261121',
});

async function postForm(form: FormData) {
  const r = await fetch(`${gw.url}/api/v1/certificates`, { method: 'POST', headers: { authorization: `Bearer ${gw.facility.token}` }, body: form });
  return { status: r.status, body: (await r.json()) as any };
}

test('multipart: the signed document as `file` is accepted (replay by the raw body gives the same receipt); no file → GW_BODY_TYPE at file', async () => {
  const signed = await signXml(buildCertificateDoc('death_notice', notice(gw.facility.macskcb)), gw.facility.signer);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(signed)], { type: 'application/xml' }), 'giay-bao-tu.xml');
  const r = await postForm(form);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'accepted', JSON.stringify(r.body.problems));
  assert.deepEqual(r.body.document, { type: 'death_notice', number: 'BT-MP-0001', replaces: false });

  const raw = await fetch(`${gw.url}/api/v1/certificates`, {
    method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${gw.facility.token}` }, body: new Uint8Array(signed),
  });
  assert.equal(raw.headers.get('idempotent-replay'), 'true');
  assert.equal(((await raw.json()) as any).receiptId, r.body.receiptId);

  const empty = new FormData();
  empty.append('note', 'no file here');
  const e = await postForm(empty);
  assert.equal(e.status >= 400 && e.status < 500, true);
  assert.deepEqual(e.body.problems.map((p: any) => `${p.code} ${p.path}`), ['GW_BODY_TYPE file']);
  assert.ok(e.body.problems[0].vi && e.body.problems[0].en);
});
