// Identity over real HTTP (port 0): the full OpenID Connect code flow (PKCE) against our own
// development provider, a relying party configured for an external provider, sessions, staff
// password sign-in, requireRole. On PGlite, and PostgreSQL when DATABASE_URL is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { dbKinds, openTestDb } from '../../store/testing.ts';
import type { Db } from '../../store/index.ts';
import routes from './routes.ts';
import { createSession, createStaffAccount, endSession, loginStaff, readSession, requireRole, type IdentityConfig } from './index.ts';

const MIGRATIONS = [join(import.meta.dirname, 'migrations')];

async function start(db: Db, identity: Partial<IdentityConfig> = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  await app.register(routes, { db, config: { identity } });
  app.get('/only-officers', { preHandler: requireRole('officer', 'operator') }, async (req) => ({ who: req.principal }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${a.port}` };
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { redirect: 'manual', headers });
const postForm = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

/** Walk the browser's part of the flow; returns the callback response. */
async function signIn(base: string, personalId: string, returnTo = '/cong-dan/so'): Promise<Response> {
  const login = await get(`${base}/auth/citizen/login?return=${encodeURIComponent(returnTo)}`);
  assert.equal(login.status, 302);
  const authorize = new URL(login.headers.get('location')!);
  const page = await get(authorize.toString());
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /PHÁT TRIỂN/);
  assert.match(html, /DEVELOPMENT/);
  const params = Object.fromEntries(authorize.searchParams);
  const submitted = await postForm(`${authorize.origin}/oidc/authorize`, { ...params, personal_id: personalId });
  assert.equal(submitted.status, 303);
  const callback = new URL(submitted.headers.get('location')!);
  assert.equal(callback.pathname, '/auth/callback');
  return get(callback.toString());
}

for (const kind of dbKinds()) {
  test(`identity (${kind})`, async (t) => {
    const tdb = await openTestDb(kind, MIGRATIONS);
    const { db } = tdb;
    const one = await start(db);
    try {
      await t.test('discovery and JWKS', async () => {
        const d = (await (await get(`${one.url}/oidc/.well-known/openid-configuration`)).json()) as Record<string, any>;
        assert.equal(d.issuer, `${one.url}/oidc`);
        assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
        const k = (await (await get(d.jwks_uri)).json()) as { keys: Record<string, string>[] };
        assert.equal(k.keys.length, 1);
        assert.equal(k.keys[0].kty, 'RSA');
        assert.equal(k.keys[0].d, undefined, 'no private part in the JWKS');
      });

      await t.test('full code flow with PKCE: session cookie, principal, return path', async () => {
        const cb = await signIn(one.url, '001099012345');
        assert.equal(cb.status, 303, await cb.clone().text());
        assert.equal(cb.headers.get('location'), '/cong-dan/so');
        const cookie = cb.headers.get('set-cookie')!;
        assert.match(cookie, /^ssk_session=[A-Za-z0-9_-]{40,};/);
        assert.match(cookie, /HttpOnly/);
        assert.match(cookie, /SameSite=Lax/);
        const token = /ssk_session=([^;]+)/.exec(cookie)![1];
        const s = (await (await get(`${one.url}/auth/session`, { cookie: `ssk_session=${token}` })).json()) as { principal: Record<string, string> };
        assert.equal(s.principal.role, 'citizen');
        assert.equal(s.principal.sub, '001099012345');
        // tokens are stored hashed
        const raw = await db.query(`SELECT token_hash FROM identity_session`);
        assert.ok(raw.rows.every((r) => r.token_hash !== token && /^[0-9a-f]{64}$/.test(r.token_hash)));
        // the same callback again: the state is used up
        const login = await get(`${one.url}/auth/citizen/login`);
        assert.equal(login.status, 302);
        const again = await fetch(cb.url, { redirect: 'manual' });
        assert.equal(again.status, 400);
        assert.match(await again.text(), /ACC_ID_LOGIN_STATE/);
        // sign-out ends the session
        const out = await fetch(`${one.url}/auth/logout`, { method: 'POST', headers: { cookie: `ssk_session=${token}` } });
        assert.equal(out.status, 200);
        assert.equal((await get(`${one.url}/auth/session`, { cookie: `ssk_session=${token}` })).status, 401);
      });

      await t.test('an open redirect is not followed; a bad personal ID is asked again', async () => {
        const cb = await signIn(one.url, '079088001122', '//evil.example/x');
        assert.equal(cb.headers.get('location'), '/cong-dan');
        const login = await get(`${one.url}/auth/citizen/login`);
        const authorize = new URL(login.headers.get('location')!);
        const r = await postForm(`${one.url}/oidc/authorize`, { ...Object.fromEntries(authorize.searchParams), personal_id: '12345' });
        assert.equal(r.status, 400);
        assert.match(await r.text(), /12 chữ số/);
      });

      await t.test('provider refuses: unknown redirect, no PKCE, reused code, wrong verifier, wrong secret', async () => {
        const bad = await get(`${one.url}/oidc/authorize?response_type=code&client_id=sosuckhoe&redirect_uri=${encodeURIComponent('https://evil.example/steal')}&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
        assert.equal(bad.status, 400);
        const noPkce = await get(`${one.url}/oidc/authorize?response_type=code&client_id=sosuckhoe&redirect_uri=${encodeURIComponent(`${one.url}/auth/callback`)}&scope=openid`);
        assert.equal(noPkce.status, 400);
        // a code issued by hand-driving the provider as a client would
        const verifier = 'v'.repeat(50);
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        const redirect = `${one.url}/auth/callback`;
        const r = await postForm(`${one.url}/oidc/authorize`, { response_type: 'code', client_id: 'sosuckhoe', redirect_uri: redirect, scope: 'openid', state: 's', nonce: 'n1', code_challenge: challenge, code_challenge_method: 'S256', personal_id: '001099012345' });
        const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
        const tokenReq = (o: Record<string, string>) => postForm(`${one.url}/oidc/token`, { grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: 'sosuckhoe', client_secret: 'dev-secret-khong-dung-that', code_verifier: verifier, ...o });
        assert.equal((await tokenReq({ client_secret: 'wrong' })).status, 401);
        assert.equal(((await (await tokenReq({ code_verifier: 'w'.repeat(50) })).json()) as { error: string }).error, 'invalid_grant');
        // the PKCE failure above used the code up: a valid exchange needs a new code
        const r2 = await postForm(`${one.url}/oidc/authorize`, { response_type: 'code', client_id: 'sosuckhoe', redirect_uri: redirect, scope: 'openid', nonce: 'n2', code_challenge: challenge, code_challenge_method: 'S256', personal_id: '001099012345' });
        const code2 = new URL(r2.headers.get('location')!).searchParams.get('code')!;
        const ok = await tokenReq({ code: code2 });
        assert.equal(ok.status, 200);
        const body = (await ok.json()) as { id_token: string };
        const { payload } = await jwtVerify(body.id_token, createRemoteJWKSet(new URL(`${one.url}/oidc/jwks`)), { issuer: `${one.url}/oidc`, audience: 'sosuckhoe' });
        assert.equal(payload.sub, '001099012345');
        assert.equal(payload.nonce, 'n2');
        assert.equal((await tokenReq({ code: code2 })).status, 400, 'a code is used once');
      });

      await t.test('relying party configured for another provider (issuer, client id/secret, redirect)', async () => {
        // `one` plays the external provider; `two` has no provider of its own.
        const two = await start(db, { devProvider: false, rp: { issuer: `${one.url}/oidc`, clientId: 'so-y-te', clientSecret: 'bi-mat-khac', redirectUri: 'PLACEHOLDER' } });
        try {
          const redirectUri = `${two.url}/auth/callback`;
          await two.app.close();
          // restart `two` on the same port with its real redirect URI, and `one` with the client registered
          const provider = Fastify();
          await provider.register(routes, { db, config: { identity: { devClients: [{ clientId: 'so-y-te', clientSecret: 'bi-mat-khac', redirectUris: [redirectUri] }] } } });
          await provider.listen({ port: 0, host: '127.0.0.1' });
          const purl = `http://127.0.0.1:${(provider.server.address() as { port: number }).port}`;
          const rp = Fastify();
          await rp.register(routes, { db, config: { identity: { devProvider: false, rp: { issuer: `${purl}/oidc`, clientId: 'so-y-te', clientSecret: 'bi-mat-khac', redirectUri } } } });
          await rp.listen({ port: Number(new URL(two.url).port), host: '127.0.0.1' });
          try {
            assert.equal((await get(`${two.url}/oidc/.well-known/openid-configuration`)).status, 404, 'no provider mounted on the RP');
            const login = await get(`${two.url}/auth/citizen/login`);
            const authorize = new URL(login.headers.get('location')!);
            assert.equal(authorize.origin, purl);
            const sub = await postForm(`${purl}/oidc/authorize`, { ...Object.fromEntries(authorize.searchParams), personal_id: '036077000111' });
            const cb = await get(sub.headers.get('location')!);
            assert.equal(cb.status, 303);
            const token = /ssk_session=([^;]+)/.exec(cb.headers.get('set-cookie')!)![1];
            assert.equal((await readSession(db, token))?.sub, '036077000111');
          } finally {
            await rp.close();
            await provider.close();
          }
        } finally {
          await two.app.close();
        }
      });

      await t.test('staff accounts, sessions, requireRole', async () => {
        await createStaffAccount(db, { username: 'SYT.79', password: 'mat-khau-dai', role: 'officer', province: '79', name: 'Cán bộ' });
        await createStaffAccount(db, { username: 'nv.79001', password: 'mat-khau-dai', role: 'facility', macskcb: '79001' });
        await createStaffAccount(db, { username: 'bs.1', password: 'mat-khau-dai', role: 'doctor', macskcb: '79001', licence: '000123/HCM-CCHN' });
        await assert.rejects(createStaffAccount(db, { username: 'syt.79', password: 'mat-khau-dai', role: 'officer' }), /ACC_ID_ACCOUNT_EXISTS/);
        await assert.rejects(createStaffAccount(db, { username: 'x1', password: 'short', role: 'officer' }), /ACC_ID_ACCOUNT_INVALID/);
        await assert.rejects(createStaffAccount(db, { username: 'nv.2', password: 'mat-khau-dai', role: 'facility' }), /ACC_ID_ACCOUNT_INVALID/);
        assert.equal(await loginStaff(db, 'syt.79', 'sai-mat-khau'), null);
        assert.equal(await loginStaff(db, 'khong-co', 'mat-khau-dai'), null);
        const officer = await loginStaff(db, 'syt.79', 'mat-khau-dai');
        assert.deepEqual({ role: officer?.role, province: officer?.province }, { role: 'officer', province: '79' });
        const doctor = await loginStaff(db, 'bs.1', 'mat-khau-dai');
        assert.equal(doctor?.licence, '000123/HCM-CCHN');
        const stored = await db.query(`SELECT password_hash FROM staff_account WHERE username = 'syt.79'`);
        assert.match(stored.rows[0].password_hash, /^scrypt\$/);
        // over HTTP: JSON login → bearer → requireRole
        const r = await fetch(`${one.url}/auth/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'syt.79', password: 'mat-khau-dai' }) });
        assert.equal(r.status, 200);
        const { token } = (await r.json()) as { token: string };
        const ok = await get(`${one.url}/only-officers`, { authorization: `Bearer ${token}` });
        assert.equal(ok.status, 200);
        assert.equal(((await ok.json()) as { who: { role: string } }).who.role, 'officer');
        const citizen = await createSession(db, { role: 'citizen', sub: '001099012345' });
        assert.equal((await get(`${one.url}/only-officers`, { cookie: `a=b; ssk_session=${citizen}` })).status, 403);
        assert.equal((await get(`${one.url}/only-officers`)).status, 401);
        const wrong = await fetch(`${one.url}/auth/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'syt.79', password: 'x' }) });
        assert.equal(wrong.status, 401);
        await endSession(db, token);
        assert.equal((await get(`${one.url}/only-officers`, { authorization: `Bearer ${token}` })).status, 401);
        await assert.rejects(createSession(db, { role: 'citizen', sub: '123' }), /ACC_ID_PERSONAL_ID/);
        const short = await createSession(db, { role: 'operator', sub: 'admin' }, { ttlSeconds: -1 });
        assert.equal(await readSession(db, short), null, 'expired session');
      });
    } finally {
      await one.app.close();
      await tdb.cleanup();
    }
  });
}
