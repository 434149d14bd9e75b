import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dbKinds, openTestDb, type TestDb } from '../store/testing.ts';
import { isProblemError } from '../errors/index.ts';
import { grantConsent, claimConsent, revokeConsent, listConsents, consentsHeldBy, checkConsent, authenticate, requireActor, writeAudit, auditFor, credentialOf, type Actor } from './index.ts';

// The identity module's tables too when it is present (authenticate() falls back to its sessions).
const dirs = [join(import.meta.dirname, '..', 'healthbook', 'migrations'), join(import.meta.dirname, 'migrations'), join(import.meta.dirname, 'identity', 'migrations')].filter((d) => existsSync(d));
const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (isProblemError(e)) return `${e.problems[0].code}${e.problems[0].path ? '@' + e.problems[0].path : ''}`;
    throw e;
  }
  return 'OK';
};

for (const kind of dbKinds()) {
  describe(`access on ${kind}`, () => {
    let t: TestDb;
    const citizen: Actor = { role: 'citizen', sub: '001085012345' };
    const other: Actor = { role: 'citizen', sub: '001085099999' };
    const clinic: Actor = { role: 'facility', sub: 'staff-1', macskcb: '01002' };
    before(async () => {
      t = await openTestDb(kind, dirs);
    });
    after(async () => {
      await t.cleanup();
    });

    test('grant input is checked field by field', async () => {
      assert.equal(await code(grantConsent(t.db, citizen, { purpose: '' })), 'ACC_BAD_INPUT@purpose');
      assert.equal(await code(grantConsent(t.db, citizen, { purpose: 'x', minutes: 400 * 24 * 60 })), 'ACC_BAD_INPUT@expiresAt');
      assert.equal(await code(grantConsent(t.db, citizen, { purpose: 'x', expiresAt: new Date(Date.now() - 1000) })), 'ACC_BAD_INPUT@expiresAt');
      assert.equal(await code(grantConsent(t.db, citizen, { purpose: 'x', grantee: { kind: 'facility', macskcb: '1' } })), 'ACC_BAD_INPUT@grantee.macskcb');
      assert.equal(await code(grantConsent(t.db, citizen, { purpose: 'x', scope: { kind: 'kinds', kinds: [] } })), 'ACC_BAD_INPUT@scope.kinds');
      assert.equal(await code(grantConsent(t.db, clinic, { purpose: 'x' })), 'ACC_FORBIDDEN_ROLE@principal.role');
      assert.equal(await code(grantConsent(t.db, { role: 'citizen', sub: '123' }, { purpose: 'x' })), 'ACC_BAD_PERSONAL_ID@principal.sub');
    });

    test('one-time code: bound to the presenter, single use, expires; revocation by the owner only', async () => {
      const g = await grantConsent(t.db, citizen, { purpose: 'Khám', minutes: 30 });
      assert.equal(g.consent.status, 'pending');
      assert.equal((await checkConsent(t.db, clinic, citizen.sub)).ok, false, 'not active before presentation');
      assert.equal(await code(claimConsent(t.db, citizen, g.code)), 'ACC_FORBIDDEN_ROLE@principal.role');
      assert.equal(await code(claimConsent(t.db, clinic, 'WRONGCODE1')), 'ACC_CONSENT_CODE@code');
      const c = await claimConsent(t.db, clinic, g.code.toLowerCase());
      assert.deepEqual(c.grantee, { kind: 'facility', macskcb: '01002' });
      assert.equal((await checkConsent(t.db, clinic, citizen.sub)).ok, true);
      assert.equal((await checkConsent(t.db, { ...clinic, macskcb: '01003' }, citizen.sub)).ok, false);
      assert.equal((await consentsHeldBy(t.db, clinic)).length, 1);
      const late = await grantConsent(t.db, citizen, { purpose: 'Khám', minutes: 30 });
      await t.db.query(`UPDATE consent_grant SET code_expires_at = now() - interval '1 second' WHERE id = $1`, [late.consent.id]);
      assert.equal(await code(claimConsent(t.db, clinic, late.code)), 'ACC_CONSENT_CODE@code');
      assert.equal(await code(revokeConsent(t.db, other, c.id)), 'ACC_CONSENT_NOT_FOUND@id');
      assert.equal((await revokeConsent(t.db, citizen, c.id)).status, 'revoked');
      const list = await listConsents(t.db, citizen.sub);
      assert.deepEqual(list.map((x) => x.status).sort(), ['pending', 'revoked']);
      const chk = await checkConsent(t.db, clinic, citizen.sub);
      assert.ok(!chk.ok && chk.def.code === 'ACC_CONSENT_REVOKED');
    });

    test('authentication: facility API token, operator token, nothing else', async () => {
      await t.db.query(`INSERT INTO facility_account (macskcb, name) VALUES ('01009', 'x')`);
      await t.db.query(`INSERT INTO api_token (macskcb, token_hash) VALUES ('01009', $1)`, [createHash('sha256').update('secret-token-123').digest('hex')]);
      assert.deepEqual(await authenticate(t.db, 'Bearer secret-token-123'), { role: 'facility', sub: (await authenticate(t.db, 'Bearer secret-token-123'))!.sub, macskcb: '01009' });
      assert.equal(await authenticate(t.db, 'Bearer wrong-token-xyz'), null);
      assert.equal(await authenticate(t.db, undefined), null);
      assert.equal((await authenticate(t.db, 'Bearer operator-secret-0123456789', { operatorToken: 'operator-secret-0123456789' }))?.role, 'operator');
      assert.equal(await code(requireActor(t.db, undefined, null)), 'ACC_UNAUTHENTICATED@authorization');
      assert.equal(await code(requireActor(t.db, 'Bearer secret-token-123', ['citizen'])), 'ACC_FORBIDDEN_ROLE@principal.role');
      await t.db.query(`UPDATE api_token SET revoked_at = now()`);
      assert.equal(await authenticate(t.db, 'Bearer secret-token-123'), null);
    });

    test('audit rows: newest first, with what was read', async () => {
      await writeAudit(t.db, { personalId: other.sub, actor: clinic, action: 'read-book', outcome: 'allowed', entryCount: 3, detail: { kinds: ['lab_result'] } });
      await writeAudit(t.db, { personalId: other.sub, actor: clinic, action: 'read-book', outcome: 'refused', reason: 'no-consent' });
      const a = await auditFor(t.db, other.sub);
      assert.deepEqual(a.map((x) => x.outcome), ['refused', 'allowed']);
      assert.deepEqual(a[1].detail, { kinds: ['lab_result'] });
      assert.equal(a[1].actorMacskcb, '01002');
    });
  });
}

test('credential: header first; the session cookie only for safe methods', () => {
  const tok = 'abcdefghijklmnop0123';
  assert.equal(credentialOf({ method: 'POST', headers: { authorization: 'Bearer x' } }), 'Bearer x');
  assert.equal(credentialOf({ method: 'GET', headers: { cookie: `a=1; ssk_session=${tok}` } }), `Bearer ${tok}`);
  assert.equal(credentialOf({ method: 'POST', headers: { cookie: `ssk_session=${tok}` } }), undefined);
  assert.equal(credentialOf({ method: 'GET', headers: { cookie: 'ssk_session=short' } }), undefined);
});
