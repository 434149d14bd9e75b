// Browser: the public pages in Debian's Chromium — Vietnamese first, English switch, keyboard
// skip link, sign-in redirects, light pages, no console errors. Screenshots in test-artifacts/web.
import assert from 'node:assert/strict';
import { PAGE_BUDGET } from '../browser.ts';
import type { BrowserSession } from '../browser.ts';
import type { TestGateway } from '../../gateway/testing.ts';

export async function publicJourney(gw: TestGateway, b: BrowserSession): Promise<void> {
  const { page } = b;

  await page.goto(`${gw.url}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');
  assert.equal(await page.locator('h1').innerText(), 'Sổ sức khỏe điện tử');
  assert.ok((await b.transferred()) < PAGE_BUDGET);
  await b.shot('home-vi');

  // Keyboard: the first Tab reaches the skip link, Enter moves to <main>.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement && document.activeElement.className'), 'skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'main');

  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL(/lang=en/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await b.shot('home-en');
  // The choice is remembered without the query string.
  await page.goto(`${gw.url}/cong-dan`);
  assert.match(page.url(), /\/cong-dan\/dang-nhap$/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.ok(await page.getByRole('link', { name: 'Sign in with electronic identity' }).isVisible());
  await page.getByRole('link', { name: 'Tiếng Việt' }).click();
  await page.waitForURL(/lang=vi/);

  await page.goto(`${gw.url}/co-so/nhap-tay`);
  assert.match(page.url(), /\/co-so\/dang-nhap$/);
  assert.ok(await page.getByLabel('Tên đăng nhập').isVisible());
  assert.ok(await page.getByLabel('Mật khẩu').isVisible());
  await b.shot('facility-login');

  await page.goto(`${gw.url}/so-y-te`);
  assert.match(page.url(), /\/so-y-te\/dang-nhap$/);
  await b.shot('department-login');

}
