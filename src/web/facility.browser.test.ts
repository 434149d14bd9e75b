// Browser: a facility's main journey in Debian's Chromium against a real gateway on PGlite —
// sign in with the facility account; a rejected submission's receipt with each problem at its
// field; reconciliation; certificates; API tokens; a driving-licence health check typed by hand
// (validated as you type), then receiving that citizen by CCCD under their consent code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grantConsent } from '../access/index.ts';
import { addFacility, issueToken, startGateway } from '../gateway/index.ts';
import { buildPackage } from '../standard/index.ts';
import { validPackage } from '../standard/testing.ts';
import { openTestDb } from '../store/testing.ts';
import { openBrowser, PAGE_BUDGET } from './browser.ts';

const PID = '001090012345';

/** A self-signed certificate (node-forge, a dependency of the project; it ships no types). */
async function selfSignedPem(cn: string): Promise<string> {
  const forgeName: string = 'node-forge';
  const forge = (await import(forgeName)).default;
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86400_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: cn }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert) as string;
}

test('facility portal journey in Chromium', async (t) => {
  const tdb = await openTestDb('pglite');
  const gw = await startGateway({ db: tdb.db, port: 0, config: { worker: false } });
  t.after(async () => {
    await gw.close();
    await tdb.cleanup();
  });
  const db = tdb.db;
  await addFacility(db, { macskcb: '01001', name: 'Bệnh viện Đa khoa Tỉnh', username: 'bv01001', password: 'mat-khau-01001' });
  const { token } = await issueToken(db, '01001', { name: 'HIS' });
  // A package sent unsigned and with a bad date: the gateway rejects it with a receipt.
  const pkg = validPackage({ macskcb: '01001' });
  pkg.dossiers[0].tables.XML1![0].NGAY_VAO = '20251340';
  const sent = await fetch(`${gw.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, body: buildPackage(pkg) });
  const receipt = (await sent.json()) as { status: string; packageSha256: string; problems: { code: string }[] };
  assert.equal(receipt.status, 'rejected');

  const b = await openBrowser();
  t.after(() => b.close());
  const { page } = b;
  const visited: string[] = [];
  page.on('framenavigated', (f) => visited.push(f.url()));
  const light = async () => assert.ok((await b.transferred()) < PAGE_BUDGET, `page ${page.url()} over budget`);

  try {
  // Sign in with the facility account.
  await page.goto(`${gw.url}/co-so`);
  await page.getByLabel('Tên đăng nhập').fill('bv01001');
  await page.getByLabel('Mật khẩu').fill('sai-mat-khau');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  assert.match(await page.getByRole('alert').innerText(), /không đúng/);
  await page.getByLabel('Mật khẩu').fill('mat-khau-01001');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(/\/co-so$/);
  assert.match(await page.locator('main').innerText(), /Bệnh viện Đa khoa Tỉnh/);
  await light();
  await b.shot('facility-overview');

  // Submissions and the rejected receipt, each problem at its field.
  await page.getByRole('link', { name: 'Gói tin & biên nhận' }).click();
  await page.waitForURL(/\/co-so\/goi-tin$/);
  assert.match(await page.locator('tbody').innerText(), /Bị từ chối/);
  await page.getByRole('link', { name: /^Xem/ }).first().click();
  await page.waitForURL(/\/co-so\/goi-tin\/[0-9a-f]{64}$/);
  const receiptText = await page.locator('main').innerText();
  assert.match(receiptText, new RegExp(receipt.packageSha256));
  for (const p of receipt.problems) assert.ok(receiptText.includes(p.code), p.code);
  await light();
  await b.shot('facility-receipt');

  await page.getByRole('link', { name: 'Đối soát' }).click();
  await page.waitForURL(/\/co-so\/doi-soat/);
  const rec = await page.locator('table').innerText();
  assert.match(rec, /Gói tin đã gửi\s+1/);
  assert.match(rec, /Bị từ chối\s+1/);
  await b.shot('facility-reconciliation');

  // Certificates: register one, see its validity.
  await page.getByRole('link', { name: 'Chứng thư số' }).click();
  await page.getByLabel('Chứng thư (PEM)').fill(await selfSignedPem('BV Da khoa Tinh 01001'));
  await page.getByRole('button', { name: 'Đăng ký' }).click();
  assert.match(await page.getByRole('status').innerText(), /Đã đăng ký/);
  assert.match(await page.locator('tbody').innerText(), /BV Da khoa Tinh 01001[\s\S]*Còn hiệu lực/);
  await b.shot('facility-certificates');

  // API tokens: create (shown once), then revoke.
  await page.getByRole('link', { name: 'Mã truy cập API' }).click();
  await page.getByLabel(/^Tên/).fill('HIS khoa khám bệnh');
  await page.getByRole('button', { name: 'Tạo mã' }).click();
  const secret = await page.getByTestId('secret').innerText();
  assert.match(secret, /^ssk_/);
  const check = await fetch(`${gw.url}/api/v1/reconciliation`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(check.status, 200);
  await b.shot('facility-tokens');
  await page.getByRole('row', { name: /HIS khoa khám bệnh/ }).getByRole('button', { name: /Thu hồi/ }).click();
  assert.match(await page.getByRole('status').innerText(), /Đã thu hồi/);
  const after = await fetch(`${gw.url}/api/v1/reconciliation`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(after.status, 401);

  // A driving-licence health check typed by hand; the form checks as you type.
  await page.getByRole('link', { name: 'Nhập tay giấy tờ' }).click();
  await page.getByRole('link', { name: 'Giấy khám sức khỏe lái xe' }).click();
  const ngayKham = page.locator('#f-driving_check-NGAY_KHAM');
  await ngayKham.fill('2025-10-20');
  assert.match(await page.locator('#f-driving_check-NGAY_KHAM-err').innerText(), /yyyyMMdd/);
  assert.equal(await ngayKham.getAttribute('aria-invalid'), 'true');
  await b.shot('facility-form-invalid');
  const values: Record<string, string> = {
    SO: 'KSK-2025-001', MA_CSKCB: '01001', HO_TEN: 'Nguyễn Văn An', SO_CCCD: PID, NGAY_SINH: '199001150000', GIOI_TINH: '1',
    HANG_GPLX: 'B', KET_LUAN: 'Đủ sức khỏe lái xe hạng B', DU_DIEU_KIEN: '1', NGAY_KHAM: '20251020', NGAY_HET_HAN: '20261020',
    MA_BS: '000123/HNO-CCHN', TEN_BS: 'Trần Thị Bình', MA_TTDV: '0123456789', NGAY_CT: '20251020',
  };
  for (const [k, v] of Object.entries(values)) await page.locator(`#f-driving_check-${k}`).fill(v);
  assert.equal(await ngayKham.getAttribute('aria-invalid'), null);
  await page.getByRole('button', { name: 'Kiểm tra và gửi' }).click();
  assert.match(await page.getByRole('status').innerText(), /Đã nhận/);
  await b.shot('facility-form-sent');

  // The citizen gives a one-time consent code; the clinic receives them by CCCD and reads the book.
  const { code } = await grantConsent(db, { role: 'citizen', sub: PID }, { purpose: 'Khám chữa bệnh', minutes: 60 });
  await page.getByRole('link', { name: 'Tiếp nhận người bệnh' }).click();
  await page.getByLabel('Số giấy tờ').fill(PID);
  await page.getByRole('button', { name: 'Tiếp nhận và xem sổ' }).click();
  assert.match(await page.getByRole('alert').innerText(), /chưa có đồng ý/);
  await page.getByLabel('Số giấy tờ').fill(PID);
  await page.getByLabel('Mã đồng ý do người bệnh cung cấp').fill(code);
  await page.getByRole('button', { name: 'Tiếp nhận và xem sổ' }).click();
  assert.match(await page.getByRole('status').innerText(), /trùng khớp chắc chắn/);
  const book = await page.locator('main').innerText();
  assert.match(book, /Nguyễn Văn An/);
  assert.match(book, /Giấy khám sức khỏe lái xe/);
  await light();
  await b.shot('facility-patient-book');

  // A near identifier (an old 9-digit ID) is refused with a reason, never guessed.
  await page.getByRole('link', { name: 'Tiếp nhận người bệnh' }).click();
  await page.getByLabel('Số giấy tờ').fill('001090012');
  await page.getByLabel('Mã đồng ý do người bệnh cung cấp').fill('ABCDEFGHJK');
  await page.getByRole('button', { name: 'Tiếp nhận và xem sổ' }).click();
  assert.match(await page.getByRole('alert').innerText(), /BOOK_MATCH/);

  // No personal identifier ever appeared in a URL.
  for (const u of visited) assert.ok(!u.includes(PID), `personal data in URL ${u}`);
  } catch (e) {
    await b.fail(e);
  }
  assert.deepEqual(b.errors, []);
});
