// Browser: a facility's main journey in Debian's Chromium against a real gateway on PGlite —
// sign in with the facility account; a rejected submission's receipt with each problem at its
// field; reconciliation; certificates; API tokens; a driving-licence health check typed by hand
// (validated as you type), then receiving that citizen by CCCD under their consent code.
import assert from 'node:assert/strict';
import { grantConsent } from '../../access/index.ts';
import { buildPackage } from '../../standard/index.ts';
import { getBook, handlers, qrFor } from '../../healthbook/index.ts';
import { drain } from '../../store/index.ts';
import { toPkcs12 } from '../../signature/index.ts';
import { validDossier, validPackage } from '../../standard/testing.ts';
import { PAGE_BUDGET } from '../browser.ts';
import type { BrowserSession } from '../browser.ts';
import type { TestGateway } from '../../gateway/testing.ts';

const PID = '001090012345';
export async function facilityJourney(gw: TestGateway, b: BrowserSession): Promise<void> {
  const db = gw.db;
  const fac = gw.facility;
  // A signed package with an impossible admission date: the gateway rejects it with a receipt.
  const pkg = validPackage({ macskcb: fac.macskcb });
  pkg.dossiers[0].tables.XML1![0].NGAY_VAO = '202513401200';
  const sent = await gw.submit(await gw.sign(buildPackage(pkg)));
  const receipt = sent.body as { status: string; packageSha256: string; problems: { code: string; path: string }[]; dossiers: { problems: { code: string; path: string }[] }[] };
  assert.notEqual(receipt.status, 'accepted');
  const allProblems = [...receipt.problems, ...receipt.dossiers.flatMap((d) => d.problems)];
  assert.ok(allProblems.some((p) => p.path.includes('NGAY_VAO')), JSON.stringify(allProblems));

  const { page } = b;
  const visited: string[] = [];
  page.on('framenavigated', (f) => visited.push(f.url()));
  const light = async () => assert.ok((await b.transferred()) < PAGE_BUDGET, `page ${page.url()} over budget`);

  try {
  // Sign in with the facility account.
  await page.goto(`${gw.url}/co-so`);
  assert.deepEqual(await b.unlabelled(), []);
  await page.getByLabel('Tên đăng nhập').fill(fac.username);
  await page.getByLabel('Mật khẩu').fill('sai-mat-khau');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  assert.match(await page.getByRole('alert').innerText(), /không đúng/);
  await page.getByLabel('Mật khẩu').fill(fac.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(/\/co-so$/);
  assert.match(await page.locator('main').innerText(), /Bệnh viện thử nghiệm/);
  await light();
  await b.shot('facility-overview');

  // Submissions and the rejected receipt, each problem at its field.
  await page.getByRole('link', { name: 'Gói tin & biên nhận' }).click();
  await page.waitForURL(/\/co-so\/goi-tin$/);
  assert.match(await page.locator('tbody').innerText(), /Bị từ chối|Chấp nhận một phần/);
  await page.getByRole('link', { name: /^Xem/ }).first().click();
  await page.waitForURL(/\/co-so\/goi-tin\/[0-9a-f]{64}$/);
  const receiptText = await page.locator('main').innerText();
  assert.match(receiptText, new RegExp(receipt.packageSha256));
  for (const p of allProblems) assert.ok(receiptText.includes(p.code), p.code);
  assert.match(receiptText, /XML1\.NGAY_VAO/);
  await light();
  await b.shot('facility-receipt');

  await page.getByRole('link', { name: 'Đối soát' }).click();
  await page.waitForURL(/\/co-so\/doi-soat/);
  const rec = await page.locator('table').innerText();
  assert.match(rec, /Gói tin đã gửi\s+1/);
  assert.match(rec, /Bị từ chối\s+1|Được chấp nhận \(toàn bộ hoặc một phần\)\s+1/);
  await b.shot('facility-reconciliation');

  // Certificates: register one, see its validity.
  await page.getByRole('link', { name: 'Chứng thư số' }).click();
  const newCert = await gw.unregisteredSigner(fac.macskcb);
  await page.getByLabel('Chứng thư (PEM)').fill(newCert.certPem);
  await page.getByRole('button', { name: 'Đăng ký' }).click();
  assert.match(await page.getByRole('status').innerText(), /Đã đăng ký/);
  assert.match(await page.locator('tbody').innerText(), /Unregistered 01001[\s\S]*Còn hiệu lực/);
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

  // A driving-licence health check typed by hand; the form checks as you type; signed with an
  // uploaded key and sent through the gateway; it reaches the citizen's book.
  await page.getByRole('link', { name: 'Nhập tay giấy tờ' }).click();
  await page.getByRole('link', { name: 'Giấy khám sức khỏe lái xe' }).click();
  const ngayKham = page.locator('#f-driving_check-NGAY_KHAM');
  await ngayKham.fill('2025-10-20');
  assert.match(await page.locator('#f-driving_check-NGAY_KHAM-err').innerText(), /yyyyMMdd/);
  assert.equal(await ngayKham.getAttribute('aria-invalid'), 'true');
  await b.shot('facility-form-invalid');
  assert.deepEqual(await b.unlabelled(), []);
  const values: Record<string, string> = {
    SO: 'KSK-2025-001', MA_CSKCB: fac.macskcb, HO_TEN: 'Nguyễn Văn An', SO_CCCD: PID, NGAY_SINH: '199001150000', GIOI_TINH: '1',
    HANG_GPLX: 'B', KET_LUAN: 'Đủ sức khỏe lái xe hạng B', DU_DIEU_KIEN: '1', NGAY_KHAM: '20251020', NGAY_HET_HAN: '20261020',
    MA_BS: '000123/HNO-CCHN', TEN_BS: 'Trần Thị Bình', MA_TTDV: '0123456789', NGAY_CT: '20251020',
  };
  for (const [k, v] of Object.entries(values)) await page.locator(`#f-driving_check-${k}`).fill(v);
  assert.equal(await ngayKham.getAttribute('aria-invalid'), null);
  // Signed with the facility's PKCS#12 file and its passphrase (a wrong passphrase is explained first).
  const p12 = { name: 'co-so.p12', mimeType: 'application/x-pkcs12', buffer: toPkcs12(fac.keyPem, fac.certPem, 'mat-khau-p12') };
  await page.getByLabel('Ký bằng tệp PKCS#12 (.p12/.pfx) tải lên').check();
  await page.getByLabel(/^Tệp \.p12\/\.pfx/).setInputFiles(p12);
  await page.getByLabel('Mật khẩu tệp').fill('sai-mat-khau');
  await page.getByRole('button', { name: 'Kiểm tra, ký và gửi' }).click();
  await page.getByRole('alert').first().waitFor();
  assert.match(await page.getByRole('alert').first().innerText(), /SIG_|PKCS|mật khẩu|passphrase/i);
  await page.getByLabel('Ký bằng tệp PKCS#12 (.p12/.pfx) tải lên').check();
  await page.getByLabel(/^Tệp \.p12\/\.pfx/).setInputFiles(p12);
  await page.getByLabel('Mật khẩu tệp').fill('mat-khau-p12');
  await page.getByRole('button', { name: 'Kiểm tra, ký và gửi' }).click();
  await page.locator('main').getByText('Đã chấp nhận').first().waitFor();
  const drivingReceipt = await page.locator('main').innerText();
  assert.match(drivingReceipt, /Đã chấp nhận/, drivingReceipt.slice(0, 600));
  await b.shot('facility-form-sent');
  // This gateway runs without its background worker (the journeys drain the outbox themselves).
  await drain(db, handlers);
  const inBook = async () => (await db.query(`SELECT title FROM book_entry WHERE personal_id = $1 AND kind = 'driving_check' AND current`, [PID])).rows[0]?.title as string | undefined;
  assert.match((await inBook()) ?? '', /hạng B: đủ điều kiện/, 'the signed certificate reached the citizen’s book');

  // A birth certificate typed by hand (tables 1 and 9), signed with an uploaded key, sent through
  // the gateway's pipeline: the receipt comes back on the page.
  await page.getByRole('link', { name: 'Nhập tay giấy tờ' }).click();
  await page.getByRole('link', { name: 'Giấy chứng sinh' }).click();
  assert.deepEqual(await b.unlabelled(), []);
  const birth = validDossier({ macskcb: fac.macskcb, tables: ['XML9'], personalId: '001095000777', seed: 11 });
  // Many fields: set them in one step (typing with validation is exercised on the form above).
  const fill: [string, string][] = [];
  for (const code of ['XML1', 'XML9'] as const) for (const [k, v] of Object.entries(birth.tables[code]![0])) if (v) fill.push([`${code}.${k}`, v]);
  await page.evaluate(`(${JSON.stringify(fill)}).forEach(([n, v]) => { const el = document.querySelector('[name="' + n + '"]'); if (el) el.value = v; })`);
  await page.getByLabel('Ký bằng khóa tải lên (PEM)').check();
  await page.getByLabel(/^Khóa riêng \(PEM\)/).fill(fac.keyPem);
  await page.getByLabel('Chứng thư (PEM)').fill(fac.certPem);
  await page.getByRole('button', { name: 'Kiểm tra, ký và gửi' }).click();
  await page.locator('main').getByText('Đã chấp nhận').first().waitFor();
  const birthReceipt = await page.locator('main').innerText();
  assert.match(birthReceipt, /Đã chấp nhận/, birthReceipt.slice(0, 600));
  await b.shot('facility-birth-certificate-receipt');

  // A whole dossier typed by hand: summary, one medicine, one service, results and clinical
  // progress; the totals cross-table rules hold, so the pipeline accepts it.
  await page.getByRole('link', { name: 'Nhập tay giấy tờ' }).click();
  await page.getByRole('link', { name: /^Cả hồ sơ/ }).click();
  assert.deepEqual(await b.unlabelled(), []);
  const whole = validDossier({ macskcb: fac.macskcb, kind: 'inpatient', drugs: 1, services: 1, personalId: '001095000777', seed: 12 });
  const fillWhole: [string, string][] = [];
  for (const code of ['XML1', 'XML2', 'XML3', 'XML4', 'XML5'] as const) for (const [k, v] of Object.entries(whole.tables[code]?.[0] ?? {})) if (v) fillWhole.push([`${code}.${k}`, v]);
  await page.evaluate(`(${JSON.stringify(fillWhole)}).forEach(([n, v]) => { const el = document.querySelector('[name="' + n + '"]'); if (el) el.value = v; })`);
  await page.getByLabel('Ký bằng khóa tải lên (PEM)').check();
  await page.getByLabel(/^Khóa riêng \(PEM\)/).fill(fac.keyPem);
  await page.getByLabel('Chứng thư (PEM)').fill(fac.certPem);
  // The URL is the same before and after the POST: wait for the answer page itself.
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Kiểm tra, ký và gửi' }).click()]);
  const wholeReceipt = await page.locator('main').innerText();
  assert.match(wholeReceipt, /Đã chấp nhận/, wholeReceipt.slice(0, 800));
  await b.shot('facility-whole-dossier-receipt');

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

  // A referral the patient shows: its QR text verifies (signature, then status on the server);
  // one changed character does not.
  const refPid = '001080004321';
  const sentRef = await gw.submit(await gw.signedPackage({ personalId: refPid, transfer: true, seed: 21 }));
  assert.equal(sentRef.body.status, 'accepted');
  await drain(db, handlers);
  const refBook = await getBook(db, { role: 'citizen', sub: refPid }, refPid, { kinds: ['referral'] });
  const qr = await qrFor(db, { role: 'citizen', sub: refPid }, refBook.entries[0].id);
  await page.getByRole('link', { name: 'Kiểm tra giấy chuyển tuyến/hẹn' }).click();
  await page.getByLabel(/Nội dung mã QR/).fill(qr.text);
  await page.getByRole('button', { name: 'Kiểm tra' }).click();
  assert.match(await page.getByRole('status').innerText(), /Chữ ký số hợp lệ/);
  assert.match(await page.locator('main dl').innerText(), /Giấy chuyển tuyến[\s\S]*còn hiệu lực/);
  await b.shot('facility-verify-referral');
  const tampered = qr.text.slice(0, -3) + (qr.text.slice(-3, -2) === 'A' ? 'B' : 'A') + qr.text.slice(-2);
  await page.getByLabel(/Nội dung mã QR/).fill(tampered);
  await page.getByRole('button', { name: 'Kiểm tra' }).click();
  assert.match(await page.getByRole('alert').innerText(), /không hợp lệ/);

  // No personal identifier ever appeared in a URL.
  for (const u of visited) assert.ok(!u.includes(PID), `personal data in URL ${u}`);
  } catch (e) {
    await b.fail(e);
  }
}
