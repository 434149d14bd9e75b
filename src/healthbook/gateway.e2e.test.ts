// End to end through the real gateway: a signed package accepted over HTTP is projected into the
// citizen's book by the gateway's own outbox worker; a doctor at another facility matches the
// patient, presents the citizen's consent, reads the book and exports FHIR; a replacement updates it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, until } from '../gateway/testing.ts';
import { validPackage } from '../standard/testing.ts';
import { grantConsent } from '../access/index.ts';

const json = (r: Response): Promise<any> => r.json();

test('gateway → book → doctor under consent → replacement', async () => {
  const gw = await startTestGateway();
  try {
    const pkg = validPackage({ allTables: true, maLk: 'E2E-BOOK-1' });
    const x1 = pkg.dossiers[0].tables.XML1![0];
    const pid = x1.SO_CCCD;
    const r = await gw.submit(await gw.signedPackage(pkg));
    assert.equal(r.status, 200, JSON.stringify(r.body.problems ?? r.body).slice(0, 500));
    assert.equal(r.body.status, 'accepted', JSON.stringify(r.body.dossiers?.[0]?.problems ?? r.body.problems).slice(0, 500));
    const tables = Object.keys(pkg.dossiers[0].tables);
    const sources = await until(async () => {
      const rows = (await gw.db.query<{ source_table: string }>(`SELECT DISTINCT source_table FROM book_entry WHERE personal_id = $1`, [pid])).rows.map((x) => x.source_table);
      return rows.length >= tables.length ? rows : undefined;
    });
    assert.deepEqual(sources.sort(), [...tables].sort());

    const doctorFacility = await gw.addFacility('01002', 'Bệnh viện tuyến trên');
    const auth = { authorization: `Bearer ${doctorFacility.token}`, 'content-type': 'application/json' };
    const api = (path: string, init: RequestInit = {}) => fetch(`${gw.url}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
    let res = await api('/api/v1/patients/match', { method: 'POST', body: JSON.stringify({ cccd: pid }) });
    assert.equal(res.status, 200);
    assert.equal((await json(res)).personalId, pid);
    res = await api(`/api/v1/patients/${pid}/book`);
    assert.equal(res.status, 403);
    assert.equal((await json(res)).problems[0].code, 'ACC_NO_CONSENT');
    const g = await grantConsent(gw.db, { role: 'citizen', sub: pid }, { purpose: 'Tiếp nhận chuyển tuyến', grantee: { kind: 'facility', macskcb: '01002' } });
    res = await api('/api/v1/consents/claim', { method: 'POST', body: JSON.stringify({ code: g.code }) });
    assert.equal(res.status, 200);
    res = await api(`/api/v1/patients/${pid}/book?kinds=lab_result,referral`);
    assert.equal(res.status, 200);
    const book = await json(res);
    assert.ok(book.entries.some((e: any) => e.kind === 'referral'));
    res = await api(`/api/v1/book/${pid}/fhir`);
    assert.equal((await json(res)).resourceType, 'Bundle');

    // replacement: same MA_LK re-signed with another main diagnosis text
    const pkg2 = validPackage({ allTables: true, maLk: 'E2E-BOOK-1' });
    pkg2.dossiers[0].tables.XML1![0].CHAN_DOAN_RV = 'Chẩn đoán đã sửa';
    const r2 = await gw.submit(await gw.signedPackage(pkg2), { replaces: 'E2E-BOOK-1' });
    assert.equal(r2.body.status, 'accepted', JSON.stringify(r2.body).slice(0, 500));
    const diag = await until(async () => {
      const rows = (await gw.db.query(`SELECT data FROM book_entry WHERE personal_id = $1 AND kind = 'diagnosis' AND current AND version = 2`, [pid])).rows;
      return rows.length ? rows : undefined;
    });
    assert.ok(diag.some((d: any) => String(d.data.name).startsWith('Chẩn đoán đã sửa')));
    assert.equal((await gw.db.query(`SELECT count(*)::int AS n FROM book_entry WHERE personal_id = $1 AND current AND version = 1`, [pid])).rows[0].n, 0);

    res = await fetch(`${gw.url}/api/v1/feed/sla`, { headers: { authorization: `Bearer ${gw.operatorToken}` } });
    const sla = await json(res);
    assert.equal(res.status, 200);
    assert.equal(sla.breaches.length, 0);
    assert.ok(sla.published > 0);
  } finally {
    await gw.close();
  }
});
