import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateProvince, EncounterGenerator, ENCOUNTER_KINDS, toPackages, facilitiesCsv, practitionersCsv, bulkLoadDossiers, type Encounter } from './index.ts';
import { validatePackage, buildPackage, parsePackage, validateRows } from '../standard/index.ts';
import { dbKinds, openTestDb } from '../store/testing.ts';

const END = new Date(Date.UTC(2026, 10, 15, 3, 0));

test('a province is deterministic from its seed and well-formed', () => {
  const a = generateProvince({ seed: 3, code: '01' });
  const b = generateProvince({ seed: 3, code: '01' });
  assert.deepEqual(a, b);
  assert.notDeepEqual(generateProvince({ seed: 4, code: '01' }).citizens, a.citizens);
  for (const level of ['central', 'provincial', 'district', 'commune', 'private']) assert.ok(a.facilities.some((f) => f.level === level), level);
  for (const f of a.facilities) assert.match(f.macskcb, /^01[0-9]{3}$/);
  assert.equal(new Set(a.facilities.map((f) => f.macskcb)).size, a.facilities.length);
  for (const c of a.citizens) {
    assert.match(c.personalId, /^001[0-3]\d{8}$/);
    // century/gender digit agrees with the birth year and gender
    const year = Number(c.birthDate.slice(0, 4));
    assert.equal(Number(c.personalId[3]), (year >= 2000 ? 2 : 0) + (c.gender === '2' ? 1 : 0));
    assert.equal(c.personalId.slice(4, 6), c.birthDate.slice(2, 4));
    assert.match(c.bhytCard, /^[A-Z]{2}[1-5]01\d{10}$/);
    assert.ok(a.facilities.some((f) => f.macskcb === c.maDkbd));
  }
  assert.equal(new Set(a.citizens.map((c) => c.personalId)).size, a.citizens.length);
  for (const p of a.practitioners) assert.ok(a.facilities.some((f) => f.macskcb === p.macskcb));
  const csv = facilitiesCsv(a).trim().split('\n');
  assert.equal(csv.length, a.facilities.length + 1);
  assert.match(csv[0], /^macskcb,name,level/);
  assert.equal(practitionersCsv(a).trim().split('\n').length, a.practitioners.length + 1);
});

test('encounters of every kind validate with zero problems and round-trip', () => {
  const p = generateProvince({ seed: 11 });
  const g = new EncounterGenerator(p);
  const enc: Encounter[] = [];
  for (const kind of ENCOUNTER_KINDS) for (let i = 0; i < 40; i++) enc.push(g.next({ kind, end: new Date(END.getTime() - i * 3_600_000) }));
  for (let i = 0; i < 80; i++) enc.push(g.next({ end: END }));
  assert.equal(new Set(enc.map((e) => e.maLk)).size, enc.length);
  const pkgs = toPackages(enc, 5);
  let dossiers = 0;
  for (const pkg of pkgs) {
    const bytes = buildPackage(pkg);
    const parsed = parsePackage(bytes);
    assert.deepEqual(parsed.dossiers, pkg.dossiers);
    const res = validatePackage(parsed);
    assert.deepEqual(res.problems.map((x) => `${x.code} ${x.path}`), []);
    assert.equal(res.valid, true);
    dossiers += res.dossiers.length;
  }
  assert.equal(dossiers, enc.length);
  for (const e of enc) assert.deepEqual(validateRows('XML0', [e.checkin]), [], e.kind);
  // The kinds carry their tables.
  const has = (kind: string, t: string) => enc.filter((e) => e.kind === kind).every((e) => (e.dossier.tables as Record<string, unknown>)[t]);
  assert.ok(has('birth', 'XML9'));
  assert.ok(has('transfer', 'XML13'));
  assert.ok(has('reexam', 'XML14'));
  assert.ok(has('lab', 'XML4'));
  assert.ok(has('imaging', 'XML4'));
  assert.ok(enc.filter((e) => e.kind === 'transfer').every((e) => e.dossier.tables.XML1![0].MA_LOAI_RV === '2'));
  assert.ok(enc.filter((e) => e.kind === 'day').every((e) => e.dossier.tables.XML1![0].MA_LOAI_KCB === '04'));
  // Money adds up: XML1 T_TONGCHI_BV = XML2 + XML3.
  for (const e of enc) {
    const t = e.dossier.tables;
    const sum = [...(t.XML2 ?? []), ...(t.XML3 ?? [])].reduce((s, r) => s + Number(r.THANH_TIEN_BV), 0);
    assert.equal(Number(t.XML1![0].T_TONGCHI_BV), sum);
    assert.ok(sum > 0);
  }
});

test('a broken total is caught by the validator (the generated data is checked, not assumed)', () => {
  const p = generateProvince({ seed: 2 });
  const e = new EncounterGenerator(p).next({ kind: 'inpatient', end: END });
  e.dossier.tables.XML1![0].T_TONGCHI_BV = String(Number(e.dossier.tables.XML1![0].T_TONGCHI_BV) + 1000);
  const res = validatePackage({ macskcb: e.macskcb, ngayLap: '20261115', dossiers: [e.dossier] });
  assert.equal(res.valid, false);
});

for (const kind of dbKinds()) {
  test(`bulk load writes dossier rows (${kind})`, async () => {
    const { allMigrationDirs } = await import('../store/modules.ts');
    const t = await openTestDb(kind, allMigrationDirs());
    try {
      const p = generateProvince({ seed: 5 });
      let last = 0;
      const res = await bulkLoadDossiers(t.db, p, { count: 2500, batchSize: 1000, onProgress: (d) => (last = d) });
      assert.equal(res.rows, 2500);
      assert.equal(last, 2500);
      const c = await t.db.query<{ n: string; f: string; p: string }>(`SELECT count(*)::text AS n, count(DISTINCT macskcb)::text AS f, count(DISTINCT personal_id)::text AS p FROM dossier`);
      assert.equal(c.rows[0].n, '2500');
      assert.equal(Number(c.rows[0].f), p.facilities.length);
      assert.ok(Number(c.rows[0].p) > 50);
      const x = await t.db.query<{ v: string }>(`SELECT tables->'XML1'->0->>'MA_CSKCB' AS v FROM dossier ORDER BY id LIMIT 1`);
      assert.equal(x.rows[0].v, p.facilities[0].macskcb);
    } finally {
      await t.cleanup();
    }
  });
}
