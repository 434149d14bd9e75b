// End to end over real HTTP, on PGlite and (when DATABASE_URL is set) PostgreSQL: accepted,
// rejected for each reason, idempotent resend, replacement chain, reconciliation, check-ins,
// multipart, the national facade, and 429 under saturation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { dbKinds } from '../store/testing.ts';
import { buildCheckIn, buildGdyk, buildPackage } from '../standard/index.ts';
import { validPackage, validCheckInRows, validDossier, validGdykRows } from '../standard/testing.ts';
import { startTestGateway } from './testing.ts';
import { verifyReceipt, md5Upper, revokeCertificate, readCertificate, startGateway } from './index.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const codes = (body: any): string[] => [...(body.problems ?? []), ...(body.dossiers ?? []).flatMap((d: any) => d.problems)].map((p: any) => p.code);

for (const kind of dbKinds()) {
  test(`submission pipeline end to end (${kind})`, async (t) => {
    const gw = await startTestGateway({ kind, config: { modules: ['gateway'] } });
    try {
      const key = await (await fetch(`${gw.url}/api/v1/receipt-key`)).text();

      await t.test('accepted, signed receipt, archive, outbox', async () => {
        const bytes = await gw.signedPackage({ seed: 1, maLk: 'LK-A1' });
        const r = await gw.submit(bytes);
        assert.equal(r.status, 200);
        assert.equal(r.body.status, 'accepted', JSON.stringify(r.body.problems ?? r.body));
        assert.equal(r.body.packageSha256, sha(bytes));
        assert.equal(r.body.dossiers[0].maLk, 'LK-A1');
        assert.equal(r.body.dossiers[0].version, 1);
        assert.equal(verifyReceipt(r.body, key).ok, true);
        const get = await fetch(`${gw.url}/api/v1/packages/${sha(bytes)}`, { headers: { authorization: `Bearer ${gw.facility.token}` } });
        assert.deepEqual(await get.json(), r.body);
        const orig = Buffer.from(await (await fetch(`${gw.url}/api/v1/packages/${sha(bytes)}/original`, { headers: { authorization: `Bearer ${gw.facility.token}` } })).arrayBuffer());
        assert.ok(orig.equals(bytes));
        const rows = await gw.db.query(`SELECT d.id, d.personal_id, d.visit_start FROM dossier d WHERE ma_lk = 'LK-A1'`);
        assert.equal(rows.rows.length, 1);
        assert.match(rows.rows[0].personal_id, /^\d{12}$/);
        assert.ok(rows.rows[0].visit_start instanceof Date);
        // one outbox row per registered consumer of dossier.accepted
        const consumers = (await gw.db.query(`SELECT count(*)::int AS n FROM outbox_consumer WHERE topic = 'dossier.accepted'`)).rows[0].n;
        const ob = (await gw.db.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'dossier.accepted' AND (payload->>'dossierId')::bigint = $1`, [rows.rows[0].id])).rows[0].n;
        assert.equal(ob, consumers);
      });

      await t.test('idempotent resend: same receipt, no second record', async () => {
        const bytes = await gw.signedPackage({ seed: 2, maLk: 'LK-I1' });
        const a = await gw.submit(bytes);
        const b = await gw.submit(bytes);
        assert.equal(a.body.status, 'accepted');
        assert.deepEqual(b.body, a.body);
        assert.equal(b.headers.get('idempotent-replay'), 'true');
        assert.equal(a.headers.get('idempotent-replay'), null);
        assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM package_archive WHERE sha256 = $1`, [sha(bytes)])).rows[0].n, 1);
        assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM dossier WHERE ma_lk = 'LK-I1'`)).rows[0].n, 1);
      });

      await t.test('rejected: no token, bad token, revoked token', async () => {
        const bytes = await gw.signedPackage({ seed: 3 });
        const none = await fetch(`${gw.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: bytes });
        assert.equal(none.status, 401);
        assert.deepEqual(codes(await none.json()), ['GW_AUTH_MISSING']);
        const bad = await gw.submit(bytes, { token: 'ssk_not-a-token' });
        assert.equal(bad.status, 401);
        assert.deepEqual(codes(bad.body), ['GW_AUTH_INVALID']);
      });

      await t.test('rejected: package of another facility', async () => {
        const other = await gw.addFacility('79002');
        const bytes = await gw.signedPackage({ seed: 4 }, other);
        const r = await gw.submit(bytes);
        assert.equal(r.body.status, 'rejected');
        assert.equal(codes(r.body)[0], 'GW_FACILITY_MISMATCH');
        assert.equal(verifyReceipt(r.body, key).ok, true);
        // even when signed by this facility's own key, the MACSKCB must match the token
        const own = await gw.sign(buildPackage(validPackage({ macskcb: '79002', seed: 5 })));
        const r2 = await gw.submit(own);
        assert.ok(codes(r2.body).includes('GW_FACILITY_MISMATCH'), JSON.stringify(codes(r2.body)));
      });

      await t.test('rejected: bad signature (content changed after signing)', async () => {
        const bytes = await gw.signedPackage({ seed: 6 });
        const s = bytes.toString('utf8');
        const tampered = Buffer.from(s.replace(/<NGAYLAP>(\d+)<\/NGAYLAP>/, (_m, d: string) => `<NGAYLAP>${d.slice(0, -1)}${d.endsWith('1') ? '2' : '1'}</NGAYLAP>`));
        assert.notEqual(tampered.toString(), s);
        const r = await gw.submit(tampered);
        assert.equal(r.body.status, 'rejected');
        assert.equal(codes(r.body)[0], 'GW_SIGNATURE_INVALID');
        assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM package_archive WHERE sha256 = $1`, [sha(tampered)])).rows[0].n, 0);
        assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM package_rejection WHERE sha256 = $1`, [sha(tampered)])).rows[0].n, 1);
      });

      await t.test('rejected: unregistered certificate, then revoked certificate', async () => {
        const u = await gw.unregisteredSigner(gw.facility.macskcb);
        const { signXml } = await import('../signature/index.ts');
        const bytes = await signXml(buildPackage(validPackage({ macskcb: gw.facility.macskcb, seed: 7 })), u.signer);
        const r = await gw.submit(bytes);
        assert.equal(r.body.status, 'rejected');
        assert.equal(codes(r.body)[0], 'GW_CERT_UNREGISTERED');
        // a facility whose certificate was revoked
        const f = await gw.addFacility('01003');
        const rev = await gw.signedPackage({ seed: 8 }, f);
        await revokeCertificate(gw.db, f.macskcb, readCertificate(f.certPem).fingerprint, 'test');
        const r2 = await gw.submit(rev, { token: f.token });
        assert.equal(r2.body.status, 'rejected');
        assert.equal(codes(r2.body)[0], 'GW_CERT_REVOKED');
      });

      await t.test('rejected: invalid data; partial when one dossier of two is invalid', async () => {
        const pkg = validPackage({ macskcb: gw.facility.macskcb, seed: 9, maLk: 'LK-BAD' });
        pkg.dossiers[0].tables.XML1![0].NGAY_VAO = 'hôm qua';
        const r = await gw.submit(await gw.signedPackage(pkg));
        assert.equal(r.body.status, 'rejected');
        assert.ok(codes(r.body).some((c) => c.startsWith('STD_')), JSON.stringify(codes(r.body)));
        assert.equal(r.body.dossiers[0].status, 'rejected');
        const two = validPackage({ macskcb: gw.facility.macskcb, seed: 10, count: 2, maLk: 'LK-P' });
        two.dossiers[1].tables.XML1![0].NGAY_VAO = 'x';
        const p = await gw.submit(await gw.signedPackage(two));
        assert.equal(p.body.status, 'partial');
        assert.deepEqual(p.body.dossiers.map((d: any) => d.status), ['accepted', 'rejected']);
        assert.equal(verifyReceipt(p.body, key).ok, true);
      });

      await t.test('concurrent senders on one MA_LK: one winner when undeclared; one version each, one current row, linked chain when declared', async () => {
        const clash = await Promise.all(Array.from({ length: 6 }, (_, i) => gw.signedPackage({ seed: 400 + i, maLk: 'LK-RACE' })));
        const cr = await Promise.all(clash.map((b) => gw.submit(b)));
        assert.deepEqual(cr.map((r) => r.body.status).sort(), ['accepted', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
        for (const r of cr) if (r.body.status === 'rejected') assert.deepEqual(codes(r.body), ['GW_DOSSIER_EXISTS']);
        assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM dossier WHERE ma_lk = 'LK-RACE'`)).rows[0].n, 1);

        const repl = await Promise.all(Array.from({ length: 6 }, (_, i) => gw.signedPackage({ seed: 500 + i, maLk: 'LK-RACE2' })));
        const rr = await Promise.all(repl.map((b) => gw.submit(b, { replaces: 'LK-RACE2' })));
        for (const r of rr) assert.equal(r.body.status, 'accepted', JSON.stringify(r.body));
        assert.deepEqual(rr.map((r) => r.body.dossiers[0].version).sort(), [1, 2, 3, 4, 5, 6]);
        const rows = (await gw.db.query(`SELECT id, version, replaces_id, current, package_id FROM dossier WHERE ma_lk = 'LK-RACE2' ORDER BY version`)).rows;
        assert.deepEqual(rows.map((x) => Number(x.version)), [1, 2, 3, 4, 5, 6]);
        assert.deepEqual(rows.map((x) => x.current), [false, false, false, false, false, true]);
        rows.forEach((x, i) => assert.equal(x.replaces_id === null ? null : Number(x.replaces_id), i ? Number(rows[i - 1].id) : null));
        for (const r of rr) {
          const d = r.body.dossiers[0];
          const row = rows.find((x) => Number(x.id) === d.dossierId)!;
          assert.ok(row, 'the receipt names the stored row');
          assert.equal(Number(row.version), d.version);
          assert.equal(verifyReceipt(r.body, key).ok, true);
        }
        assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM package_archive WHERE sha256 = ANY($1::text[])`, [repl.map(sha)])).rows[0].n, 6);
        const consumers = (await gw.db.query(`SELECT count(*)::int AS n FROM outbox_consumer WHERE topic = 'dossier.accepted'`)).rows[0].n;
        const ob = (await gw.db.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'dossier.accepted' AND payload->>'maLk' = 'LK-RACE2'`)).rows[0].n;
        assert.equal(ob, 6 * consumers);
      });

      await t.test('replacement chain: refused unless declared, then versions linked', async () => {
        const v1 = await gw.submit(await gw.signedPackage({ seed: 11, maLk: 'LK-R' }));
        assert.equal(v1.body.status, 'accepted');
        const again = await gw.submit(await gw.signedPackage({ seed: 12, maLk: 'LK-R' }));
        assert.equal(again.body.status, 'rejected');
        assert.ok(codes(again.body).includes('GW_DOSSIER_EXISTS'));
        const v2 = await gw.submit(await gw.signedPackage({ seed: 12, maLk: 'LK-R' }), { replaces: 'LK-R' });
        assert.equal(v2.body.status, 'accepted', JSON.stringify(codes(v2.body)));
        assert.equal(v2.body.dossiers[0].version, 2);
        assert.equal(v2.body.dossiers[0].replacesId, v1.body.dossiers[0].dossierId);
        const v3 = await gw.submit(await gw.signedPackage({ seed: 13, maLk: 'LK-R' }), { replace: true });
        assert.equal(v3.body.dossiers[0].version, 3);
        const mism = await gw.submit(await gw.signedPackage({ seed: 14, maLk: 'LK-R' }), { replaces: 'LK-OTHER' });
        assert.deepEqual(codes(mism.body), ['GW_REPLACE_MISMATCH']);
        const d = (await (await fetch(`${gw.url}/api/v1/dossiers/LK-R`, { headers: { authorization: `Bearer ${gw.facility.token}` } })).json()) as any;
        assert.deepEqual(d.versions.map((v: any) => [v.version, v.current]), [[1, false], [2, false], [3, true]]);
        assert.equal(d.current.version, 3);
        // nothing overwritten: every version's archived bytes are still there
        assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM dossier WHERE ma_lk = 'LK-R'`)).rows[0].n, 3);
      });

      await t.test('reconciliation counts and lists', async () => {
        const f = await gw.addFacility('48004');
        const ok1 = await gw.signedPackage({ seed: 20, maLk: 'LK-C1' }, f);
        const ok2 = await gw.signedPackage({ seed: 21, maLk: 'LK-C2' }, f);
        const rep = await gw.signedPackage({ seed: 22, maLk: 'LK-C1' }, f);
        const bad = validPackage({ macskcb: f.macskcb, seed: 23 });
        bad.dossiers[0].tables.XML1![0].NGAY_VAO = 'x';
        const badBytes = await gw.signedPackage(bad, f);
        for (const [b, o] of [[ok1, {}], [ok2, {}], [ok1, {}], [rep, { replaces: 'LK-C1' }], [badBytes, {}]] as const) {
          await gw.submit(b, { token: f.token, ...o });
        }
        const res = await fetch(`${gw.url}/api/v1/reconciliation?from=${new Date(Date.now() - 3600_000).toISOString()}`, { headers: { authorization: `Bearer ${f.token}` } });
        const rc = (await res.json()) as any;
        assert.equal(rc.accepted, 3);
        assert.equal(rc.rejected, 1);
        assert.equal(rc.sent, 4);
        assert.equal(rc.replaced, 1);
        assert.equal(rc.packages.length, 4);
        assert.deepEqual(rc.replacements.map((x: any) => x.maLk), ['LK-C1']);
        const list = (await (await fetch(`${gw.url}/api/v1/packages?status=rejected`, { headers: { authorization: `Bearer ${f.token}` } })).json()) as any;
        assert.equal(list.packages.length, 1);
        const badQ = await fetch(`${gw.url}/api/v1/reconciliation?from=yesterday`, { headers: { authorization: `Bearer ${f.token}` } });
        assert.equal(badQ.status, 400);
        // another facility sees none of it
        const mine = (await (await fetch(`${gw.url}/api/v1/packages/${sha(ok1)}`, { headers: { authorization: `Bearer ${gw.facility.token}` } })).status);
        assert.equal(mine, 404);
      });

      await t.test('check-in (XML0) with identification method', async () => {
        const rows = validCheckInRows(validDossier({ macskcb: gw.facility.macskcb, seed: 30 }));
        const bytes = await gw.sign(buildCheckIn(gw.facility.macskcb, rows));
        const r = await fetch(`${gw.url}/api/v1/checkins`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${gw.facility.token}`, 'x-id-method': 'chip_cccd' }, body: bytes });
        const body = (await r.json()) as any;
        assert.equal(body.status, 'accepted', JSON.stringify(codes(body)));
        assert.equal(body.kind, 'checkin');
        const row = (await gw.db.query(`SELECT * FROM checkin WHERE id = $1`, [body.checkins[0].checkinId])).rows[0];
        assert.equal(row.id_method, 'chip_cccd');
        assert.equal(row.ma_lk, rows[0].MA_LK);
        const bad = await fetch(`${gw.url}/api/v1/checkins`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${gw.facility.token}`, 'x-id-method': 'telepathy' }, body: bytes });
        assert.equal(bad.status, 400);
      });

      await t.test('multipart upload and content-type limits', async () => {
        const bytes = await gw.signedPackage({ seed: 40, maLk: 'LK-M' });
        const form = new FormData();
        form.append('file', new Blob([bytes], { type: 'application/xml' }), 'goi.xml');
        const r = await fetch(`${gw.url}/api/v1/packages`, { method: 'POST', headers: { authorization: `Bearer ${gw.facility.token}` }, body: form });
        const body = (await r.json()) as any;
        assert.equal(body.status, 'accepted');
        assert.equal(body.packageSha256, sha(bytes));
        const json = await fetch(`${gw.url}/api/v1/packages`, { method: 'POST', headers: { authorization: `Bearer ${gw.facility.token}`, 'content-type': 'application/json' }, body: '{}' });
        assert.equal(json.status, 415);
      });

      await t.test('national facade: token/take, guiHoSoXmlQD4750, 401 inside 200, 403', async () => {
        const f = gw.facility;
        const tk = (await (await fetch(`${gw.url}/api/token/take`, { method: 'POST', body: new URLSearchParams({ username: f.username, password: md5Upper(f.password) }) })).json()) as any;
        assert.equal(tk.maKetQua, '200');
        const bytes = await gw.signedPackage({ seed: 50, maLk: 'LK-F' });
        const send = (headers: Record<string, string>, body: Record<string, string>) =>
          fetch(`${gw.url}/api/qd130/guiHoSoXmlQD4750`, { method: 'POST', headers, body: new URLSearchParams(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
        const form = { username: f.username, loaiHoSo: '130', maTinh: f.macskcb.slice(0, 2), maCSKCB: f.macskcb, fileHSBase64: bytes.toString('base64') };
        const ok = await send({ accessToken: tk.APIKey.access_token, tokenId: tk.APIKey.id_token, passwordHash: md5Upper(f.password) }, form);
        assert.equal(ok.status, 200);
        assert.equal(ok.body.maKetQua, '200', ok.body.thongDiep);
        assert.match(ok.body.thoiGianTiepNhan, /^\d{14}$/);
        const stored = (await gw.db.query(`SELECT receipt_id FROM package_archive WHERE sha256 = $1`, [sha(bytes)])).rows[0];
        assert.equal(stored.receipt_id, ok.body.maGiaoDich);
        const noAuth = await send({ accessToken: 'nope', tokenId: 'nope' }, form);
        assert.equal(noAuth.status, 200);
        assert.equal(noAuth.body.maKetQua, '401');
        const wrongId = await send({ accessToken: tk.APIKey.access_token, tokenId: 'other' }, form);
        assert.equal(wrongId.body.maKetQua, '401');
        const other = await send({ accessToken: tk.APIKey.access_token, tokenId: tk.APIKey.id_token }, { ...form, maCSKCB: '99999' });
        assert.equal(other.body.maKetQua, '403');
        const badLogin = (await (await fetch(`${gw.url}/api/token/take`, { method: 'POST', body: new URLSearchParams({ username: f.username, password: md5Upper('wrong') }) })).json()) as any;
        assert.equal(badLogin.maKetQua, '401');
        const ci = await gw.sign(buildCheckIn(f.macskcb, validCheckInRows(validDossier({ macskcb: f.macskcb, seed: 51 }))));
        const cr = await fetch(`${gw.url}/api/qd130/checkInKcbQd4750`, {
          method: 'POST',
          headers: { accessToken: tk.APIKey.access_token, tokenId: tk.APIKey.id_token },
          body: new URLSearchParams({ ...form, loaiHoSo: '0', fileHSBase64: ci.toString('base64') }),
        });
        assert.equal(((await cr.json()) as any).maKetQua, '200');
        const gd = await gw.sign(buildGdyk(validGdykRows(52)));
        const gr = await fetch(`${gw.url}/api/qd130/guiDuLieuGdykQd130`, {
          method: 'POST',
          headers: { accessToken: tk.APIKey.access_token, tokenId: tk.APIKey.id_token },
          body: new URLSearchParams({ ...form, loaiHoSo: '12', fileHSBase64: gd.toString('base64') }),
        });
        const gbody = (await gr.json()) as any;
        assert.equal(gbody.maKetQua, '200', gbody.thongDiep);
        assert.equal((await gw.db.query(`SELECT kind FROM package_archive WHERE sha256 = $1`, [sha(gd)])).rows[0].kind, 'gdyk');
        const notB64 = await send({ accessToken: tk.APIKey.access_token, tokenId: tk.APIKey.id_token }, { ...form, fileHSBase64: '***' });
        assert.equal(notB64.body.maKetQua, '205');
        // Expired facade tokens are purged when the next one is issued; live ones and other tokens stay.
        await gw.db.query(`UPDATE api_token SET expires_at = now() - interval '1 minute' WHERE id_token_hash = $1`, [createHash('sha256').update(tk.APIKey.id_token).digest('hex')]);
        const before = Number((await gw.db.query(`SELECT count(*) AS n FROM api_token WHERE name <> 'facade' OR expires_at > now()`)).rows[0].n);
        const tk2 = (await (await fetch(`${gw.url}/api/token/take`, { method: 'POST', body: new URLSearchParams({ username: f.username, password: md5Upper(f.password) }) })).json()) as any;
        assert.equal(tk2.maKetQua, '200');
        assert.equal(Number((await gw.db.query(`SELECT count(*) AS n FROM api_token WHERE name = 'facade' AND expires_at <= now()`)).rows[0].n), 0);
        assert.equal(Number((await gw.db.query(`SELECT count(*) AS n FROM api_token`)).rows[0].n), before + 1);
        const expired = await send({ accessToken: tk.APIKey.access_token, tokenId: tk.APIKey.id_token }, form);
        assert.equal(expired.body.maKetQua, '401');
        const fresh = await send({ accessToken: tk2.APIKey.access_token, tokenId: tk2.APIKey.id_token }, form);
        assert.equal(fresh.body.maKetQua, '200', fresh.body.thongDiep);
      });

      await t.test('413 when the body exceeds the hard size limit', async () => {
        const tiny = await startGateway({ db: gw.db, port: 0, config: { modules: ['gateway'], maxPackageBytes: 4096 } });
        try {
          const bytes = await gw.signedPackage({ seed: 70 });
          assert.ok(bytes.length > 4096);
          const r = await fetch(`${tiny.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${gw.facility.token}` }, body: bytes });
          assert.equal(r.status, 413);
          assert.equal(((await r.json()) as any).problems[0].code, 'INPUT_TOO_LARGE');
          const form = new FormData();
          form.append('file', new Blob([bytes], { type: 'application/xml' }), 'goi.xml');
          const m = await fetch(`${tiny.url}/api/v1/packages`, { method: 'POST', headers: { authorization: `Bearer ${gw.facility.token}` }, body: form });
          assert.equal(m.status, 413);
        } finally {
          await tiny.close();
        }
      });

      await t.test('openapi document lists the routes', async () => {
        const doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as any;
        assert.equal(doc.openapi, '3.1.0');
        for (const p of ['/api/v1/packages', '/api/v1/checkins', '/api/v1/reconciliation', '/api/token/take', '/api/qd130/guiHoSoXmlQD4750']) assert.ok(doc.paths[p], p);
      });

      await t.test('429 + Retry-After when saturated; graceful shutdown finishes the in-flight request', async () => {
        // a second gateway process-equivalent on the same database, limited to one request at a time
        const small = await startGateway({ db: gw.db, port: 0, config: { modules: ['gateway'], maxInFlight: 1, retryAfterSeconds: 2 } });
        try {
          const bytes = await gw.signedPackage({ seed: 60 });
          const slow = slowPost(small.url, gw.facility.token, bytes, 300);
          await new Promise((r) => setTimeout(r, 100));
          const busy = await fetch(`${small.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${gw.facility.token}` }, body: bytes });
          assert.equal(busy.status, 429);
          assert.equal(busy.headers.get('retry-after'), '2');
          assert.equal(((await busy.json()) as any).problems[0].code, 'GW_BUSY');
          const done = await slow;
          assert.equal(done.status, 200);
          assert.equal(JSON.parse(done.body).status, 'accepted');
          const after = await fetch(`${small.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${gw.facility.token}` }, body: bytes });
          assert.equal(after.headers.get('idempotent-replay'), 'true');

          // shutdown while a request is in flight: it completes and is stored
          const bytes2 = await gw.signedPackage({ seed: 61 });
          const inflight = slowPost(small.url, gw.facility.token, bytes2, 300);
          await new Promise((r) => setTimeout(r, 100));
          const closing = small.app.close();
          const r = await inflight;
          await closing;
          assert.equal(r.status, 200);
          assert.equal(JSON.parse(r.body).status, 'accepted');
          assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM package_archive WHERE sha256 = $1`, [sha(bytes2)])).rows[0].n, 1);
        } finally {
          await small.close();
        }
      });
    } finally {
      await gw.close();
    }
  });
}

/** POST a package, sending the first 100 bytes at once and the rest after `holdMs`. */
function slowPost(url: string, token: string, bytes: Buffer, holdMs: number): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: '/api/v1/packages', method: 'POST', headers: { 'content-type': 'application/xml', 'content-length': bytes.length, authorization: `Bearer ${token}` } },
      (res) => {
        let s = '';
        res.on('data', (c) => (s += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s }));
      },
    );
    req.on('error', reject);
    req.write(bytes.subarray(0, 100));
    setTimeout(() => req.end(bytes.subarray(100)), holdMs);
  });
}

