// Registries over HTTP (mounted by the real gateway): CSV import with line-level problems,
// code issuing, upsert, list/filter, certificates with validity, roles; and the monitoring API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds, openTestDb } from '../store/testing.ts';
import { buildGateway } from '../gateway/index.ts';
import { parseCsv } from './index.ts';
import { DIRS, generate, load } from '../monitoring/testing.ts';
import { refreshAggregates, dashboard } from '../monitoring/index.ts';

const OP = 'operator-token-for-tests-0123456789';

test('CSV reader: quotes, doubled quotes, CRLF, BOM, semicolons, limits', () => {
  const r = parseCsv('\ufeffa;b;c\r\n"x;1";"he said ""hi""";\r\n"multi\nline";2;3\n');
  assert.deepEqual(r.header, ['a', 'b', 'c']);
  assert.deepEqual(r.rows[0].values, { a: 'x;1', b: 'he said "hi"', c: '' });
  assert.deepEqual(r.rows[1], { line: 3, values: { a: 'multi\nline', b: '2', c: '3' } });
  assert.throws(() => parseCsv('a,b\n1\n'), (e: any) => e.problems[0].code === 'REG_CSV_INVALID' && e.problems[0].path === 'line[2]');
  assert.throws(() => parseCsv('a\n"open'), (e: any) => e.problems[0].code === 'REG_CSV_INVALID');
  assert.throws(() => parseCsv('a\n' + '1\n'.repeat(20), { maxRows: 10 }), (e: any) => e.problems[0].code === 'REG_CSV_TOO_LARGE');
});

for (const kind of dbKinds()) {
  test(`registry and monitoring API (${kind})`, async () => {
    const t = await openTestDb(kind, DIRS);
    const app = await buildGateway({ db: t.db, config: { operatorToken: OP, worker: false, modules: ['registry', 'monitoring'] } });
    const op = { authorization: `Bearer ${OP}` };
    try {
      const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = op, type?: string) =>
        app.inject({ method: method as any, url, payload: payload as any, headers: { ...headers, ...(type ? { 'content-type': type } : {}) } });

      // unauthenticated → 401
      assert.equal((await call('GET', '/api/v1/registry/facilities', undefined, {})).statusCode, 401);

      // CSV import: one bad row → nothing written, every problem with its line
      const bad = 'macskcb,name,province,district,ownership,bhyt_contract\n01001,BV A,01,001,public,1\n0100,BV B,01,001,public,maybe\n,BV C,,,public,0\n';
      const r1 = await call('POST', '/api/v1/registry/facilities/import', bad, op, 'text/csv');
      assert.equal(r1.statusCode, 422);
      const paths = r1.json().problems.map((p: any) => p.path).sort();
      assert.deepEqual(paths, ['line[3].bhyt_contract', 'line[3].macskcb', 'line[4].province']);
      assert.equal((await call('GET', '/api/v1/registry/facilities')).json().total, 0);

      // good CSV: two with codes, one without → a code is issued in its province
      const good = 'macskcb,name,level,province,district,ownership,bhyt_contract\n01001,BV Đa khoa A,province,01,001,public,có\n01003,"TYT ""B""",commune,01,002,public,0\n,PK C,private,01,002,private,không\n';
      const r2 = await call('POST', '/api/v1/registry/facilities/import', good, op, 'text/csv');
      assert.equal(r2.statusCode, 200, r2.body);
      assert.deepEqual(r2.json().issued, ['01002']);
      assert.equal(r2.json().created, 3);
      const again = await call('POST', '/api/v1/registry/facilities/import', good.split('\n').slice(0, 3).join('\n'), op, 'text/csv');
      assert.equal(again.json().updated, 2);

      // issue a code over the API: the lowest free serial
      const issued = await call('POST', '/api/v1/registry/facilities/issue', { name: 'TYT mới', province: '01', district: '002' });
      assert.equal(issued.statusCode, 201);
      assert.equal(issued.json().macskcb, '01004');
      assert.equal(issued.json().code_issued, true);
      assert.equal((await call('POST', '/api/v1/registry/facilities/issue', { name: 'x', province: '1' })).json().problems[0].path, 'body.province');

      // list, filter, search, CSV export
      const l = await call('GET', '/api/v1/registry/facilities?province=01&district=002');
      assert.deepEqual(l.json().items.map((x: any) => x.macskcb), ['01002', '01003', '01004']);
      assert.equal((await call('GET', '/api/v1/registry/facilities?q=%C4%90a%20khoa')).json().items[0].macskcb, '01001');
      const csv = await call('GET', '/api/v1/registry/facilities?format=csv');
      assert.match(csv.headers['content-type'] as string, /text\/csv/);
      assert.ok(csv.body.includes('01003,"TYT ""B""",commune,01,002,,public,0,active'));

      // pharmacies and practitioners
      assert.equal((await call('PUT', '/api/v1/registry/pharmacies/NT-0001', { name: 'Nhà thuốc A', licence: 'GCN-1', province: '01' })).statusCode, 201);
      assert.equal((await call('PUT', '/api/v1/registry/pharmacies/NT-0001', { name: 'Nhà thuốc A2', province: '01' })).statusCode, 200);
      const pr = await call('POST', '/api/v1/registry/practitioners/import', 'licence,name,profession,macskcb\n000123/HNO-CCHN,Bác sĩ A,bác sĩ,01001\n', op, 'text/csv');
      assert.equal(pr.json().created, 1);
      assert.equal((await call('GET', '/api/v1/registry/practitioners/000123%2FHNO-CCHN')).json().macskcb, '01001');
      assert.equal((await call('GET', '/api/v1/registry/pharmacies/none')).statusCode, 404);
      assert.equal((await call('GET', '/api/v1/registry/nothing')).statusCode, 404);
      assert.equal((await call('PUT', '/api/v1/registry/pharmacies/NT-0002', { name: 'x', status: 'weird' })).json().problems[0].path, 'body.status');

      // certificates with validity (valid, expired, revoked)
      await t.db.query(`INSERT INTO facility_account (macskcb, name, province) VALUES ('01001', 'BV A', '01')`);
      const now = Date.now();
      for (const [fp, nb, na, revoked] of [
        ['a1', now - 86_400_000 * 400, now - 86_400_000 * 35, false],
        ['b2', now - 86_400_000, now + 86_400_000 * 20.5, false],
        ['c3', now - 86_400_000, now + 86_400_000 * 300, true],
      ] as const) {
        await t.db.query(
          `INSERT INTO facility_certificate (macskcb, fingerprint, subject, issuer, serial, not_before, not_after, der, revoked_at) VALUES ('01001', $1, 'CN=BV A', 'CN=CA', '1', $2, $3, $4, $5)`,
          [fp, new Date(nb), new Date(na), Buffer.from('00', 'hex'), revoked ? new Date() : null],
        );
      }
      const f = (await call('GET', '/api/v1/registry/facilities/01001')).json();
      assert.deepEqual(Object.fromEntries(f.certificates.map((c: any) => [c.fingerprint, c.status])), { a1: 'expired', b2: 'valid', c3: 'revoked' });
      assert.equal(f.certificates.find((c: any) => c.fingerprint === 'b2').daysLeft, 20);

      // monitoring API over generated data (the dataset uses other facility codes too)
      await t.db.query(`DELETE FROM facility_certificate`);
      await t.db.query(`DELETE FROM facility_account`);
      await t.db.query(`DELETE FROM reg_facility`);
      await load(t.db, generate(9));
      assert.equal((await call('POST', '/api/v1/monitoring/refresh', { month: '2026-10' })).statusCode, 200);
      const d = await dashboard(t.db, { area: { province: '79' }, period: { month: '2026-10' } });
      const api = (await call('GET', '/api/v1/monitoring/dashboard?province=79&month=2026-10')).json();
      assert.deepEqual(api.kpis, JSON.parse(JSON.stringify(d.kpis)));
      assert.equal(api.laggards.length, d.laggards.length);
      const k = await call('GET', '/api/v1/monitoring/kpis?from=2026-10-01&to=2026-10-31');
      assert.equal(k.json().kpis.find((x: any) => x.key === 'dossiers').received, (await dashboard(t.db, { period: { month: '2026-10' } })).totals.dossiers);
      assert.equal((await call('GET', '/api/v1/monitoring/kpis?from=2026-10-31&to=2026-10-01')).json().problems[0].code, 'MON_BAD_PERIOD');
      const svg = await call('GET', '/api/v1/monitoring/charts/timeliness.svg?month=2026-10');
      assert.match(svg.headers['content-type'] as string, /image\/svg\+xml/);
      assert.match(svg.body, /<title id="[^"]+">Tỷ lệ gửi đúng hạn/);
      const lag = (await call('GET', '/api/v1/monitoring/laggards?province=01&month=2026-10')).json().laggards;
      assert.ok(lag.find((x: any) => x.macskcb === '01004').reasons.some((r: any) => r.code === 'no_data'));

      // reports on demand, listed and downloaded
      const made = await call('POST', '/api/v1/monitoring/reports', { scope: 'province', code: '79', month: '2026-10', formats: ['csv', 'xlsx'] });
      assert.equal(made.statusCode, 201, made.body);
      const [csvRow] = made.json().reports;
      const dl = await call('GET', `/api/v1/monitoring/reports/${csvRow.id}`);
      assert.equal(dl.statusCode, 200);
      assert.match(dl.headers['content-disposition'] as string, /bao-cao-2026-10-province-79\.csv/);
      assert.ok(dl.body.includes(`dossiers,`));
      const latest = await call('GET', '/api/v1/monitoring/reports/latest?scope=province&code=79&month=2026-10&format=xlsx');
      assert.equal(latest.statusCode, 200);
      assert.equal(latest.rawPayload.subarray(0, 2).toString(), 'PK');
      assert.equal((await call('GET', '/api/v1/monitoring/reports')).json().reports.length, 2);
      assert.equal((await call('POST', '/api/v1/monitoring/reports', { scope: 'nation', month: '2026-10', format: 'doc' })).json().problems[0].code, 'MON_BAD_FORMAT');

      // settings: read by officers/operators, changed by operators only
      assert.equal((await call('PUT', '/api/v1/monitoring/settings', { vneidTarget: 0.75 })).json().vneidTarget, 0.75);
      assert.equal((await call('GET', '/api/v1/monitoring/dashboard?month=2026-10', undefined, {})).statusCode, 401);
    } finally {
      await app.close();
      await t.cleanup();
    }
  });
}
