// Test aid for the browser suites: Debian's Chromium (/usr/bin/chromium) driven by
// playwright-core — never a downloaded browser. Fails a test on any console error or page
// error, checks the bytes each page transfers, and keeps screenshots under test-artifacts/web.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SSK_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'web');
/** The budget: no page over 300 KB transferred. */
export const PAGE_BUDGET = 300 * 1024;

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  /** Save a full-page screenshot test-artifacts/web/<name>.png. */
  shot(name: string): Promise<string>;
  /** Bytes transferred for the current document and its sub-resources. */
  transferred(): Promise<number>;
  /** Form controls on the page without an accessible label (ids listed), and images of charts/QR without a name. */
  unlabelled(): Promise<string[]>;
  /** Rethrow a failure with the current URL and the page's main text (and a screenshot failure.png). */
  fail(e: unknown): Promise<never>;
  close(): Promise<void>;
}

export async function openBrowser(opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  const userDir = mkdtempSync(join(tmpdir(), 'ssk-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    locale: opts.locale ?? 'vi-VN',
    viewport: opts.viewport ?? { width: 390, height: 844 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    errors,
    async shot(name) {
      const p = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: p, fullPage: true });
      return p;
    },
    async transferred() {
      return (await page.evaluate(
        `(() => { const n = performance.getEntriesByType('navigation')[0]; let t = n ? (n.transferSize || n.encodedBodySize || 0) : 0; for (const r of performance.getEntriesByType('resource')) t += r.transferSize || r.encodedBodySize || 0; return t; })()`,
      )) as number;
    },
    async unlabelled() {
      return (await page.evaluate(
        `[...document.querySelectorAll('input:not([type=hidden]),select,textarea,button')].filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !(el.tagName === 'BUTTON' && el.textContent.trim())).map((el) => el.id || el.name || el.tagName)`,
      )) as string[];
    },
    async fail(e: unknown): Promise<never> {
      const main = await page.locator('main').innerText({ timeout: 1000 }).catch(() => '(no main)');
      await page.screenshot({ path: join(ARTIFACTS, 'failure.png'), fullPage: true }).catch(() => undefined);
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n  at page ${page.url()}\n  main: ${main.slice(0, 800)}`);
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
