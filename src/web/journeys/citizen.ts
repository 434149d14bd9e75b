// Browser: a citizen's main journey in Debian's Chromium (mobile viewport) against a real
// gateway on PGlite, with a signed inpatient-transfer package accepted and projected into the
// book — timeline, visit details, referral and appointment with their signed QR codes, a
// consent granted (code + QR) and revoked, who read my book, PDF and FHIR downloads.
// Sign-in goes through the identity module's OpenID Connect login and development provider.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { claimConsent, grantConsent } from '../../access/index.ts';
import { getBook, handlers } from '../../healthbook/index.ts';
import { drain } from '../../store/index.ts';
import { PAGE_BUDGET } from '../browser.ts';
import type { BrowserSession } from '../browser.ts';
import type { TestGateway } from '../../gateway/testing.ts';

const PID = '079190001234';
export async function citizenJourney(gw: TestGateway, b: BrowserSession): Promise<void> {
  const sent = await gw.submit(await gw.signedPackage({ personalId: PID, allTables: true, seed: 7 }));
  assert.equal(sent.body.status, 'accepted', JSON.stringify(sent.body.problems));
  await drain(gw.db, handlers);

  const { page } = b;
  const visited: string[] = [];
  page.on('framenavigated', (f) => visited.push(f.url()));
  const light = async () => assert.ok((await b.transferred()) < PAGE_BUDGET, `page ${page.url()} over budget`);
  try {
    await page.goto(`${gw.url}/cong-dan`);
    await page.waitForURL(/\/cong-dan\/dang-nhap$/);
    await b.shot('citizen-sign-in');
    // OpenID Connect through the gateway's development identity provider (the personal ID is
    // posted, never in a URL); the callback sets the session and comes back to the book.
    await page.getByRole('link', { name: 'Đăng nhập bằng định danh điện tử' }).click();
    await page.waitForURL(/\/oidc\/authorize/);
    await page.getByLabel(/Số định danh cá nhân/).fill(PID);
    await page.getByRole('button', { name: /^Đăng nhập/ }).last().click();
    await page.waitForURL(/\/cong-dan$/);

    // Timeline, then one visit's details.
    const timeline = page.getByRole('list', { name: 'Các lượt khám, mới nhất trước' });
    assert.ok((await timeline.locator('li').count()) >= 1);
    await light();
    await b.shot('citizen-timeline');
    await timeline.getByRole('button', { name: 'Xem chi tiết' }).first().click();
    const details = await page.locator('main').innerText();
    for (const h of ['Chẩn đoán', 'Thuốc', 'Kết quả xét nghiệm']) assert.match(details, new RegExp(h), h);
    await light();
    await b.shot('citizen-visit');

    // Referral and appointment, each with a signed QR code.
    await page.getByRole('link', { name: 'Chuyển tuyến & hẹn khám' }).click();
    const papers = page.locator('main li.card');
    assert.ok((await papers.count()) >= 2);
    assert.ok((await page.locator('main .qr svg').count()) >= 2);
    assert.match(await page.locator('main').innerText(), /Giấy chuyển tuyến[\s\S]*Giấy hẹn khám lại|Giấy hẹn khám lại[\s\S]*Giấy chuyển tuyến/);
    await light();
    await b.shot('citizen-referrals');

    // Grant a consent (code + QR), see it listed, revoke it.
    await page.getByRole('link', { name: 'Chia sẻ sổ' }).click();
    await page.getByLabel(/^Mã cơ sở/).fill('01001');
    await page.getByLabel('Chỉ các loại sau').check();
    await page.getByLabel('Kết quả xét nghiệm').check();
    await page.getByRole('button', { name: 'Tạo mã chia sẻ' }).click();
    assert.deepEqual(await b.unlabelled(), []);
    const code = await page.getByTestId('consent-code').innerText();
    assert.match(code, /^[A-Z2-9]{10}$/);
    assert.ok(await page.locator('.alert .qr svg').isVisible());
    assert.match(await page.locator('tbody').innerText(), /01001[\s\S]*Chờ cơ sở nhập mã/);
    await b.shot('citizen-consent-granted');
    await page.getByRole('button', { name: 'Thu hồi' }).first().click();
    assert.match(await page.getByRole('status').innerText(), /Đã thu hồi/);
    assert.match(await page.locator('tbody').innerText(), /Đã thu hồi/);

    // A clinic reads the book under another consent; the citizen sees who read it.
    const clinic = { role: 'facility', sub: 'account:01001', macskcb: '01001' };
    const granted = await grantConsent(gw.db, { role: 'citizen', sub: PID }, { purpose: 'Khám chữa bệnh', minutes: 60 });
    await claimConsent(gw.db, clinic, granted.code);
    await getBook(gw.db, clinic, PID, { purpose: 'Khám chữa bệnh' });
    await page.getByRole('link', { name: 'Ai đã xem sổ' }).click();
    const audit = await page.locator('tbody').innerText();
    assert.match(audit, /Cơ sở y tế\s+01001[\s\S]*Được phép/);
    await b.shot('citizen-audit');

    // Downloads: PDF and FHIR JSON.
    await page.getByRole('link', { name: 'Tải về' }).click();
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải PDF' }).click()]);
    assert.equal(readFileSync(await pdf.path()).subarray(0, 5).toString(), '%PDF-');
    const [fhir] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải FHIR JSON' }).click()]);
    const bundle = JSON.parse(readFileSync(await fhir.path(), 'utf8'));
    assert.equal(bundle.resourceType, 'Bundle');
    assert.ok(bundle.entry.some((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Encounter'));
    await b.shot('citizen-download');
  } catch (e) {
    await b.fail(e);
  }
  for (const u of visited) assert.ok(!u.includes(PID), `personal data in URL ${u}`);
}
