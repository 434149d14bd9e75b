// Browser: the health department's main journey in Debian's Chromium against a real gateway on
// PGlite — dashboard (KPIs, charts, lagging facilities with reasons) for the officer's province,
// a period filter, the English switch, and a monthly report made and downloaded.
// The officer signs in with a staff account of the identity module.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { addFacility } from '../../gateway/index.ts';
import { PAGE_BUDGET } from '../browser.ts';
import { createStaffAccount } from '../../access/identity/index.ts';
import type { BrowserSession } from '../browser.ts';
import type { TestGateway } from '../../gateway/testing.ts';

export async function departmentJourney(gw: TestGateway, b: BrowserSession): Promise<void> {
  const db = gw.db;
  await addFacility(db, { macskcb: '01002', name: 'Trung tâm Y tế Huyện', province: '01' });
  await addFacility(db, { macskcb: '02001', name: 'Bệnh viện Tỉnh khác', province: '02' });
  await createStaffAccount(db, { username: 'syt.01', password: 'mat-khau-syt-01', role: 'officer', province: '01', name: 'Cán bộ Sở Y tế' });

  const { page } = b;
  await page.setViewportSize({ width: 1280, height: 900 });
  try {
    await page.goto(`${gw.url}/so-y-te`);
    await page.waitForURL(/\/so-y-te\/dang-nhap$/);
    await page.getByLabel('Tên đăng nhập').fill('syt.01');
    await page.getByLabel('Mật khẩu').fill('mat-khau-syt-01');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(/\/so-y-te$/);
    assert.equal(await page.locator('h1').innerText(), 'Giám sát gửi dữ liệu');
    assert.ok(await page.getByRole('heading', { name: 'Chỉ tiêu' }).isVisible());
    assert.ok((await page.locator('table').first().locator('tbody tr').count()) > 0);
    // Lagging facilities of the officer's province, each with its reason; not another province's.
    const lag = await page.locator('main').innerText();
    assert.match(lag, /01002/);
    assert.doesNotMatch(lag, /02001/);
    assert.equal(await page.getByLabel('Mã tỉnh (2 số)').inputValue(), '01');
    assert.ok((await b.transferred()) < PAGE_BUDGET);
    await b.shot('department-dashboard');
    assert.deepEqual(await b.unlabelled(), []);

    // Another period, and a province the officer may not see: the filter stays on their province.
    await page.goto(`${gw.url}/so-y-te?month=2025-12&province=02`);
    assert.equal(await page.getByLabel('Tháng').inputValue(), '2025-12');
    assert.equal(await page.getByLabel('Mã tỉnh (2 số)').inputValue(), '01');
    assert.doesNotMatch(await page.locator('main').innerText(), /02001/);

    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    assert.ok(await page.getByRole('heading', { name: 'Indicators' }).isVisible());
    await b.shot('department-dashboard-en');
    await page.getByRole('link', { name: 'Tiếng Việt' }).click();
    await page.waitForURL(/lang=vi/);

    await page.getByRole('navigation').getByRole('link', { name: 'Cơ sở chậm gửi' }).click();
    await page.waitForURL(/\/so-y-te\/cham-gui/);
    const rows = page.locator('tbody tr');
    assert.ok((await rows.count()) >= 2);
    assert.ok((await rows.first().locator('li').count()) >= 1, 'each lagging facility has a reason');
    await b.shot('department-laggards');

    // A monthly report made on demand, then downloaded.
    await page.getByRole('link', { name: 'Báo cáo tháng' }).click();
    await page.getByLabel('Tháng').fill('2025-12');
    await page.getByLabel('Định dạng').selectOption('csv');
    await page.getByRole('button', { name: 'Lập báo cáo' }).click();
    await page.waitForURL(/\/so-y-te\/bao-cao\?month=2025-12/);
    const link = page.getByRole('link', { name: /^CSV/ }).first();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = await download.path();
    const csv = readFileSync(file, 'utf8');
    assert.match(csv, /Tỷ lệ|rate/i);
    assert.match(download.suggestedFilename(), /^bao-cao-2025-12-province-01\.csv$/);
    await b.shot('department-reports');
  } catch (e) {
    await b.fail(e);
  } finally {
    await page.setViewportSize({ width: 390, height: 844 });
  }
}
