// The manual certificate forms over HTTP, without a browser, against a real gateway on PGlite:
// a death notice typed by a facility, signed with an uploaded PKCS#12 file (multipart), goes
// through POST /api/v1/certificates and reaches the citizen's book; a replacement keeps history;
// a wrong passphrase, an oversized file and another facility's code are refused with their codes;
// there is no unsigned path (the old book route is gone).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, until, type TestGateway } from '../gateway/testing.ts';
import { toPkcs12 } from '../signature/index.ts';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const PID = '001090077777';

/** A browser-like client: cookies kept, the CSRF token read from each page. */
async function signIn() {
  const jar = new Map<string, string>();
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const get = async (path: string) => {
    const r = await fetch(gw.url + path, { headers: { cookie: cookie() }, redirect: 'manual' });
    keep(r);
    const body = await r.text();
    return { status: r.status, body, csrf: /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '' };
  };
  const login = await get('/co-so/dang-nhap');
  const r = await fetch(gw.url + '/co-so/dang-nhap', {
    method: 'POST', redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: login.csrf, username: gw.facility.username, password: gw.facility.password }),
  });
  keep(r);
  assert.equal(r.status, 303, 'signed in');
  const postForm = async (path: string, form: FormData) => {
    const page = await get(path);
    form.set('_csrf', page.csrf);
    const res = await fetch(gw.url + path, { method: 'POST', body: form, headers: { cookie: cookie() }, redirect: 'manual' });
    return { status: res.status, body: await res.text() };
  };
  return { get, postForm };
}

const notice = (macskcb: string, cause: string): Record<string, string> => ({
  SO: 'BT-WEB-0001', MA_CSKCB: macskcb, HO_TEN: 'Phạm Văn Bảy', SO_CCCD: PID, NGAY_SINH: '193505050000', GIOI_TINH: '1', NGAY_CHET: '202611010800',
  NOI_CHET: 'Khoa Nội', NGUYEN_NHAN_CHET: cause, MA_TTDV: '0100000001', NGAY_CT: '20261101',
});

function form(row: Record<string, string>, sign: { p12: Buffer; pass: string } | null, extra: Record<string, string> = {}): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(row)) f.set(`death_notice.${k}`, v);
  if (sign) {
    f.set('signer', 'p12');
    f.set('p12File', new Blob([new Uint8Array(sign.p12)], { type: 'application/x-pkcs12' }), 'co-so.p12');
    f.set('p12Pass', sign.pass);
  } else f.set('signer', 'held');
  for (const [k, v] of Object.entries(extra)) f.set(k, v);
  return f;
}

test('death notice form: PKCS#12 upload signs it, the gateway accepts it, the book has it; replacement keeps history; refusals explained', async () => {
  const f = gw.facility;
  const web = await signIn();
  const path = '/co-so/nhap-tay/giay-bao-tu';
  const blank = await web.get(path);
  assert.equal(blank.status, 200);
  assert.match(blank.body, /enctype="multipart\/form-data"/);
  assert.match(blank.body, /name="p12File"/);
  assert.match(blank.body, /name="replace"/);
  const p12 = toPkcs12(f.keyPem, f.certPem, 'mat-khau');

  // Wrong passphrase: explained on the form, nothing sent.
  const wrong = await web.postForm(path, form(notice(f.macskcb, 'Nhồi máu cơ tim'), { p12, pass: 'sai' }));
  assert.match(wrong.body, /SIG_[A-Z_]+/);
  assert.doesNotMatch(wrong.body, /Đã chấp nhận/);
  // Another facility's code in MA_CSKCB: refused at that field before signing.
  const other = await web.postForm(path, form(notice('79999', 'Nhồi máu cơ tim'), { p12, pass: 'mat-khau' }));
  assert.match(other.body, /WEB_FACILITY_MISMATCH/);
  assert.match(other.body, /death_notice\.MA_CSKCB/);
  // A file over the 64 KB limit: its own code, at the file field.
  const big = form(notice(f.macskcb, 'Nhồi máu cơ tim'), { p12: Buffer.alloc(70 * 1024, 1), pass: 'x' });
  const tooBig = await web.postForm(path, big);
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.body, /WEB_UPLOAD_TOO_LARGE/);
  assert.match(tooBig.body, /p12File/);
  // No key held by this gateway for the facility and none uploaded: no unsigned path.
  const unsigned = await web.postForm(path, form(notice(f.macskcb, 'Nhồi máu cơ tim'), null));
  assert.match(unsigned.body, /chưa sẵn sàng[^<]*<code>gateway.signAsFacility/);
  assert.doesNotMatch(unsigned.body, /Đã chấp nhận/);
  assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM package_archive WHERE kind = 'certificate'`)).rows[0].n, 0);

  // Signed with the .p12: the receipt is on the page, the book gets the entry.
  const ok = await web.postForm(path, form(notice(f.macskcb, 'Nhồi máu cơ tim'), { p12, pass: 'mat-khau' }));
  assert.equal(ok.status, 200);
  assert.match(ok.body, /Đã chấp nhận/, ok.body.replace(/<[^>]+>/g, ' ').slice(0, 2000));
  const archived = (await gw.db.query(`SELECT certificate_id, receipt->'document' AS doc FROM package_archive WHERE kind = 'certificate'`)).rows;
  assert.equal(archived.length, 1);
  assert.ok(archived[0].certificate_id, 'verified against the registered certificate');
  assert.deepEqual(archived[0].doc, { type: 'death_notice', number: 'BT-WEB-0001', replaces: false });
  await until(async () => (await gw.db.query(`SELECT 1 FROM book_entry WHERE personal_id = $1 AND kind = 'death_notice'`, [PID])).rows.length > 0);

  // The same number again without the replacement box: the gateway's duplicate refusal.
  const dup = await web.postForm(path, form(notice(f.macskcb, 'Suy tim'), { p12, pass: 'mat-khau' }));
  assert.match(dup.body, /GW_CERT_DUPLICATE/);
  // With it: accepted; the book shows the new version, the old one kept.
  const rep = await web.postForm(path, form(notice(f.macskcb, 'Suy tim cấp'), { p12, pass: 'mat-khau' }, { replace: '1' }));
  assert.match(rep.body, /Đã chấp nhận/);
  await until(async () => (await gw.db.query(`SELECT 1 FROM book_entry WHERE personal_id = $1 AND kind = 'death_notice' AND data->>'NGUYEN_NHAN_CHET' = 'Suy tim cấp' AND current`, [PID])).rows.length > 0);
  const versions = (await gw.db.query(`SELECT data->>'NGUYEN_NHAN_CHET' AS cause, current FROM book_entry WHERE personal_id = $1 AND kind = 'death_notice' ORDER BY id`, [PID])).rows;
  assert.deepEqual(versions, [{ cause: 'Nhồi máu cơ tim', current: false }, { cause: 'Suy tim cấp', current: true }]);

  // The unsigned book route is gone.
  const old = await fetch(`${gw.url}/api/v1/book/certificates`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${f.token}` }, body: JSON.stringify({ kind: 'death_notice', row: notice(f.macskcb, 'x') }) });
  assert.equal(old.status, 404);
});
