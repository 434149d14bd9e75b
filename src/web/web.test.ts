// Server-side behaviour of the pages without a browser: escaping, CSRF, language, security
// headers, role redirects, not-found — against the real gateway app on PGlite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGateway } from '../gateway/index.ts';
import { openTestDb } from '../store/testing.ts';
import { html, raw } from './html.ts';
import { parseCookies } from './context.ts';

test('html escapes interpolations and keeps SafeHtml', () => {
  const v = '<script>alert("x")</script>&\'';
  const out = html`<p title="${v}">${v}${raw('<b>ok</b>')}${[1, html`<i>${'<'}</i>`]}</p>`.value;
  assert.equal(out, '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<b>ok</b>1<i>&lt;</i></p>');
});

test('cookies parse with the first value winning', () => {
  assert.deepEqual(parseCookies('a=1; b=x%20y; a=2; bad'), { a: '1', b: 'x y' });
});

test('pages: language, CSRF, headers, redirects, 404', async (t) => {
  const tdb = await openTestDb('pglite');
  const app = await buildGateway({ db: tdb.db, config: { worker: false } });
  t.after(async () => {
    await app.close();
    await tdb.cleanup();
  });

  const home = await app.inject({ method: 'GET', url: '/' });
  assert.equal(home.statusCode, 200);
  assert.match(home.headers['content-type'] as string, /text\/html/);
  assert.match(home.body, /<html lang="vi">/);
  assert.match(home.body, /Người dân/);
  assert.match(String(home.headers['content-security-policy']), /script-src 'self'/);
  const csrfCookie = ([] as string[]).concat(home.headers['set-cookie'] as string[]).find((c) => c.startsWith('ssk_csrf='));
  assert.ok(csrfCookie && /HttpOnly/.test(csrfCookie) && /SameSite=Lax/.test(csrfCookie));

  const en = await app.inject({ method: 'GET', url: '/?lang=en' });
  assert.match(en.body, /<html lang="en">/);
  assert.match(en.body, /Citizens/);
  const langCookie = ([] as string[]).concat(en.headers['set-cookie'] as string[]).find((c) => c.startsWith('lang=en'));
  assert.ok(langCookie);
  const remembered = await app.inject({ method: 'GET', url: '/', headers: { cookie: 'lang=en' } });
  assert.match(remembered.body, /<html lang="en">/);

  // A signed-in page redirects to its area's sign-in page.
  for (const [path, login] of [['/cong-dan', '/cong-dan/dang-nhap'], ['/co-so/goi-tin', '/co-so/dang-nhap'], ['/so-y-te', '/so-y-te/dang-nhap']]) {
    const r = await app.inject({ method: 'GET', url: path });
    assert.equal(r.statusCode, 303, path);
    assert.equal(r.headers.location, login);
  }

  // A form post without the CSRF token (or with a wrong one) is refused with WEB_CSRF.
  const token = csrfCookie!.split(';')[0].split('=')[1];
  const noToken = await app.inject({ method: 'POST', url: '/co-so/dang-nhap', payload: 'username=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ssk_csrf=${token}` } });
  assert.equal(noToken.statusCode, 403);
  assert.match(noToken.body, /WEB_CSRF/);
  const crossOrigin = await app.inject({ method: 'POST', url: '/dang-xuat', payload: `_csrf=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ssk_csrf=${token}`, origin: 'https://evil.example' } });
  assert.equal(crossOrigin.statusCode, 403);
  const ok = await app.inject({ method: 'POST', url: '/dang-xuat', payload: `_csrf=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ssk_csrf=${token}` } });
  assert.equal(ok.statusCode, 303);

  const missing = await app.inject({ method: 'GET', url: '/khong-co' });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /WEB_NOT_FOUND/);

  const css = await app.inject({ method: 'GET', url: '/static/web.css' });
  assert.equal(css.statusCode, 200);
  assert.match(css.headers['content-type'] as string, /text\/css/);
});
