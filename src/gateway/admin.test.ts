// Accounts, tokens, certificates and the admin API over real HTTP, on every database kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { dbKinds, openTestDb } from '../store/testing.ts';
import { allMigrationDirs } from '../store/modules.ts';
import { startGateway, authenticate, canonicalJson, verifyReceipt, signReceipt, loadReceiptKey } from './index.ts';
import { execFileSync } from 'node:child_process';

/** A throw-away self-signed certificate (openssl), for registration tests only. */
function selfSignedPem(cn: string): string {
  return execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-subj', `/CN=${cn}`, '-days', '2'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
}

for (const kind of dbKinds()) {
  test(`admin API and accounts (${kind})`, async () => {
    const t = await openTestDb(kind, allMigrationDirs());
    const logs: string[] = [];
    const gw = await startGateway({ db: t.db, port: 0, config: { operatorToken: 'op-secret', modules: ['gateway'], logger: true, logStream: { write: (l: string) => logs.push(l) } } });
    try {
      const call = async (method: string, path: string, body?: unknown, token = 'op-secret') => {
        const r = await fetch(gw.url + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        return { status: r.status, body: (await r.json()) as any };
      };
      assert.equal((await fetch(gw.url + '/health')).status, 200);
      assert.equal(((await (await fetch(gw.url + '/ready')).json()) as any).db, kind);

      // operator credential required
      const denied = await call('GET', '/api/v1/admin/facilities', undefined, 'wrong');
      assert.equal(denied.status, 401);
      assert.equal(denied.body.problems[0].code, 'GW_OPERATOR');

      const created = await call('POST', '/api/v1/admin/facilities', { macskcb: '01001', name: 'Bệnh viện A', username: '01001_BV', password: 'pw' });
      assert.equal(created.status, 201);
      assert.equal(created.body.province, '01');
      assert.equal((await call('POST', '/api/v1/admin/facilities', { macskcb: '01001', name: 'x' })).body.problems[0].code, 'GW_FACILITY_EXISTS');
      assert.equal((await call('POST', '/api/v1/admin/facilities', { macskcb: 'abc', name: 'x' })).body.problems[0].code, 'GW_MACSKCB_FORMAT');

      const issued = await call('POST', '/api/v1/admin/facilities/01001/tokens', { name: 'his' });
      assert.equal(issued.status, 201);
      const tok: string = issued.body.token;
      assert.equal((await authenticate(t.db, tok))?.macskcb, '01001');
      // only the hash is stored
      const stored = await t.db.query(`SELECT token_hash FROM api_token WHERE id = $1`, [issued.body.info.id]);
      assert.notEqual(stored.rows[0].token_hash, tok);

      const rotated = await call('POST', `/api/v1/admin/tokens/${issued.body.info.id}/rotate`);
      assert.equal(rotated.status, 200);
      assert.equal(await authenticate(t.db, tok), null);
      assert.equal((await authenticate(t.db, rotated.body.token))?.macskcb, '01001');
      await call('POST', `/api/v1/admin/tokens/${rotated.body.info.id}/revoke`);
      assert.equal(await authenticate(t.db, rotated.body.token), null);

      // certificates: register, update (replace), revoke, history kept
      const pem1 = selfSignedPem('01001 cert 1');
      const pem2 = selfSignedPem('01001 cert 2');
      const c1 = await call('POST', '/api/v1/admin/facilities/01001/certificates', { pem: pem1 });
      assert.equal(c1.status, 201);
      assert.equal(c1.body.fingerprint, new X509Certificate(pem1).fingerprint256.replace(/:/g, '').toLowerCase());
      const c2 = await call('POST', '/api/v1/admin/facilities/01001/certificates', { pem: pem2, replace: true });
      assert.equal(c2.body.status, 'active');
      let list = (await call('GET', '/api/v1/admin/facilities/01001/certificates')).body.certificates;
      assert.deepEqual(list.map((c: any) => c.status), ['revoked', 'active']);
      await call('POST', `/api/v1/admin/facilities/01001/certificates/${c2.body.fingerprint}/revoke`, { reason: 'key lost' });
      list = (await call('GET', '/api/v1/admin/facilities/01001/certificates')).body.certificates;
      assert.deepEqual(list.map((c: any) => c.revokeReason), ['superseded', 'key lost']);
      const bad = await call('POST', '/api/v1/admin/facilities/01001/certificates', { pem: 'not a cert' });
      assert.equal(bad.body.problems[0].code, 'GW_CERT_BAD');

      // receipt key served; receipts verify offline and fail when altered
      const keyPem = await (await fetch(gw.url + '/api/v1/receipt-key')).text();
      const key = await loadReceiptKey(t.db);
      const r = signReceipt({ receiptId: 'r1', packageSha256: 'ab', macskcb: '01001', kind: 'dossier', status: 'accepted', receivedAt: 'x', dossiers: [], problems: [] }, key);
      assert.equal(verifyReceipt(JSON.parse(JSON.stringify(r)), keyPem).ok, true);
      assert.equal(verifyReceipt({ ...r, status: 'rejected' }, keyPem).ok, false);
      const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
      assert.equal(verifyReceipt(r, other).ok, false);
      assert.equal(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] }), '{"a":[2,{"c":2,"d":1}],"b":1}');

      // structured logs: JSON lines, no tokens, no personal identifiers, no query strings
      const { token: readTok } = (await call('POST', '/api/v1/admin/facilities/01001/tokens', { name: 'reader' })).body;
      const nf = await fetch(`${gw.url}/api/v1/dossiers/001085012345?cccd=079123456789`, { headers: { authorization: `Bearer ${readTok}` } });
      assert.equal(nf.status, 404);
      assert.ok(logs.length > 0);
      for (const l of logs) JSON.parse(l);
      const all = logs.join('');
      for (const secret of ['001085012345', '079123456789', readTok, 'op-secret']) assert.ok(!all.includes(secret), `log leaks ${secret.slice(0, 4)}…`);
      assert.ok(all.includes('/api/v1/dossiers/[ID]'));
    } finally {
      await gw.close();
      await t.cleanup();
    }
  });
}
