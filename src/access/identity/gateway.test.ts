// Identity as the gateway mounts it: a citizen signs in through /auth/citizen/login with the
// built-in development provider at /oidc and reaches the citizen pages with the session cookie.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../../gateway/testing.ts';
import { readSession } from './index.ts';

test('citizen sign-in through the gateway (dev provider over loopback)', async () => {
  const gw = await startTestGateway();
  try {
    const d = (await (await fetch(`${gw.url}/oidc/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(d.issuer, `${gw.url}/oidc`);
    const login = await fetch(`${gw.url}/auth/citizen/login?return=/cong-dan`, { redirect: 'manual' });
    assert.equal(login.status, 302);
    const a = new URL(login.headers.get('location')!);
    const s = await fetch(`${a.origin}/oidc/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(a.searchParams), personal_id: '001099012345' }).toString(),
    });
    assert.equal(s.status, 303);
    const cb = await fetch(s.headers.get('location')!, { redirect: 'manual' });
    assert.equal(cb.status, 303);
    assert.equal(cb.headers.get('location'), '/cong-dan');
    const token = /ssk_session=([^;]+)/.exec(cb.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(token);
    const p = await readSession(gw.db, token);
    assert.deepEqual({ role: p?.role, sub: p?.sub }, { role: 'citizen', sub: '001099012345' });
  } finally {
    await gw.close();
  }
});
