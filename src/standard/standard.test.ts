import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TABLES, TABLE_CODES, PACKAGE_TABLES, fieldsOf, buildPackage, parsePackage, validateBytes, validatePackage, buildCheckIn, parseCheckIn,
  buildGdyk, parseGdyk, maLkOf, parseDateTime, tryParseDateTime, formatDateTime, validateRows, readPackage, CODE_LISTS,
  type Package, type Row, type TableCode, type Edition,
} from './index.ts';
import { validPackage, validDossier, validCheckInRows, validGdykRows, invalidVariants } from './testing.ts';

test('catalogue: one definition per table XML0..XML15, XML13 in both editions', () => {
  for (const code of TABLE_CODES) {
    const t = TABLES[code];
    assert.equal(t.code, code);
    assert.ok(t.root && t.fields.length > 0, code);
    assert.equal(t.fields[0].name, code === 'XML12' ? 'NGUOI_CHU_TRI' : 'MA_LK', code);
    for (const f of t.fields) {
      assert.ok(['string', 'number', 'date', 'datetime'].includes(f.type), `${code}.${f.name}`);
      if (f.codeList) assert.ok(CODE_LISTS[f.codeList], `code list ${f.codeList}`);
    }
  }
  assert.equal(fieldsOf('XML1').length, 66);
  assert.equal(fieldsOf('XML13', '3176').length, 37);
  assert.equal(fieldsOf('XML13', '4750').length, 39);
  assert.ok(fieldsOf('XML13', '4750').some((f) => f.name === 'MA_NOI_DI'));
  assert.ok(fieldsOf('XML13', '3176').some((f) => f.name === 'MA_CSKCB_DI'));
  // Uncertain requirements are conditional, not absolute.
  const x15 = Object.fromEntries(fieldsOf('XML15').map((f) => [f.name, f]));
  for (const n of ['PHANLOAI_LAO_KT', 'BDDT_ARV', 'NGAY_BAT_DAU_DT_CTX']) assert.equal(x15[n].required, 'conditional');
  assert.deepEqual(fieldsOf('XML14').find((f) => f.name === 'NGAY_HEN_KL')?.formats, ['datetime', 'date']);
});

test('valid fixtures: every package table, parse(build(x)) = x, no errors', () => {
  for (const opts of [{}, { kind: 'inpatient' as const }, { allTables: true }, { transfer: true }, { drugs: 0, services: 1 }]) {
    const pkg = validPackage({ ...opts, count: 3 });
    const bytes = buildPackage(pkg);
    assert.deepEqual(parsePackage(bytes), pkg);
    assert.ok(buildPackage(pkg).equals(bytes), 'deterministic');
    assert.ok(bytes.toString('utf8').trimEnd().endsWith('<CHUKYDONVI/>\n</GIAMDINHHS>'));
    const r = validateBytes(bytes);
    const errors = r.dossiers.flatMap((d) => d.problems).filter((p) => p.severity === 'error');
    assert.deepEqual(errors, [], JSON.stringify(opts));
    assert.equal(r.valid, true);
    assert.deepEqual(r.package, pkg);
    assert.deepEqual(r.dossiers.map((d) => d.maLk), pkg.dossiers.map(maLkOf));
  }
  const all = validDossier({ allTables: true });
  assert.deepEqual(Object.keys(all.tables).sort(), [...PACKAGE_TABLES].sort());
  const noWarnings = validateBytes(buildPackage(validPackage({ allTables: true }))).dossiers[0].problems;
  assert.deepEqual(noWarnings, []);
});

test('check-in (XML0) and assessment (XML12) documents round-trip and validate', () => {
  const rows = validCheckInRows(validDossier({ seed: 7 }));
  const ci = buildCheckIn('01001', rows);
  assert.match(ci.toString(), /^<\?xml[^>]*>\n<CHI_TIEU_TRANG_THAI_KCB>[\s\S]*<CHUKYDONVI\/>\n<\/CHI_TIEU_TRANG_THAI_KCB>\n$/);
  const parsed = parseCheckIn(ci);
  assert.equal(parsed.macskcb, '01001');
  assert.deepEqual(parsed.rows, rows);
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(validateRows('XML0', parsed.rows), []);
  const g = validGdykRows(3);
  const gd = parseGdyk(buildGdyk(g));
  assert.deepEqual(gd.rows, g);
  assert.deepEqual(validateRows('XML12', gd.rows).filter((p) => p.severity === 'error'), []);
  const bad = validateRows('XML0', [{ ...rows[0], GIOI_TINH: '7' }]);
  assert.equal(bad[0].code, 'STD_FIELD_CODE');
  assert.equal(bad[0].path, 'XML0[0].GIOI_TINH');
});

test('invalid variants: each reports its rule with a path and vi+en messages', () => {
  const variants = invalidVariants();
  assert.ok(variants.length >= 50);
  for (const v of variants) {
    const r = v.bytes ? validateBytes(v.bytes, v.options) : validatePackage(v.pkg!, v.options);
    const all = [...r.problems, ...r.dossiers.flatMap((d) => d.problems)];
    const hit = all.find((p) => p.code === v.code);
    assert.ok(hit, `${v.name}: expected ${v.code}, got ${all.map((p) => p.code).join(',')}`);
    assert.ok(hit.vi && hit.en && hit.rule, v.name);
    if (hit.severity === 'error') assert.equal(r.valid, false, v.name);
  }
});

test('paths name dossier, table, row and field', () => {
  const pkg = validPackage({ count: 2 });
  pkg.dossiers[1].tables.XML2![1].SO_LUONG = 'abc';
  const r = validatePackage(pkg);
  assert.equal(r.valid, false);
  assert.equal(r.dossiers[0].valid, true);
  const p = r.dossiers[1].problems.find((x) => x.code === 'STD_FIELD_NUMBER');
  assert.equal(p?.path, 'hoso[1].XML2[1].SO_LUONG');
});

test('conditional rules do not reject ordinary data; severity is configurable', () => {
  // A TB row for an HIV-negative patient without ARV/CTX dates or resistance class is fine.
  const d = validDossier({ tables: ['XML15'] });
  for (const row of d.tables.XML15!) Object.assign(row, { PHANLOAI_LAO_HIV: '2', BDDT_ARV: '', NGAY_BAT_DAU_DT_CTX: '', PHANLOAI_LAO_KT: '', LOAI_DTRI_LAO: '2', NGAYKT_DTRI_LAO: '', KET_QUA_DTRI_LAO: '' });
  const pkg: Package = { macskcb: '01001', ngayLap: '20251231', dossiers: [d] };
  assert.deepEqual(validatePackage(pkg).dossiers[0].problems, []);
  // HIV-positive without ARV date: a warning, not an error.
  d.tables.XML15![0].PHANLOAI_LAO_HIV = '1';
  const r = validatePackage(pkg);
  assert.equal(r.valid, true);
  assert.ok(r.dossiers[0].problems.some((p) => p.code === 'STD_FIELD_CONDITIONAL' && p.severity === 'warning'));
  // No XML13 for an ordinary discharge; a transfer without it is a warning that can be made an error.
  const t = validPackage();
  t.dossiers[0].tables.XML1![0].MA_LOAI_RV = '2';
  assert.equal(validatePackage(t).valid, true);
  assert.equal(validatePackage(t, { severity: { STD_REFERRAL_MISSING: 'error' } }).valid, false);
  assert.deepEqual(validatePackage(t, { severity: { STD_REFERRAL_MISSING: 'off' } }).dossiers[0].problems, []);
  // XML14 re-exam date accepted as yyyyMMddHHmm and yyyyMMdd.
  const a = validPackage({ tables: ['XML14'] });
  const x14 = a.dossiers[0].tables.XML14![0];
  x14.NGAY_HEN_KL = x14.NGAY_HEN_KL.slice(0, 8);
  assert.equal(validatePackage(a).valid, true);
});

test('XML13 in the 4750 order is accepted and round-trips in that order', () => {
  const row: Row = {};
  for (const f of fieldsOf('XML13', '4750')) row[f.name] = '';
  const pkg = validPackage({ transfer: true });
  const x13 = pkg.dossiers[0].tables.XML13![0];
  for (const k of Object.keys(row)) row[k] = x13[k] ?? '';
  row.MA_NOI_DI = '01001';
  row.MA_NOI_DEN = '01002';
  row.TEN_DICH_VU = 'Chụp CT sọ não';
  row.TEN_THUOC = 'Paracetamol 500mg';
  row.PP_DIEU_TRI = 'Điều trị nội khoa';
  pkg.dossiers[0].tables.XML13 = [row];
  const bytes = buildPackage(pkg);
  const back = parsePackage(bytes);
  assert.deepEqual(Object.keys(back.dossiers[0].tables.XML13![0]), fieldsOf('XML13', '4750').map((f) => f.name));
  assert.deepEqual(back, pkg);
  assert.equal(validateBytes(bytes).valid, true);
  assert.deepEqual(validateBytes(bytes, { edition: '4750' }).dossiers[0].problems, []);
  const w = validateBytes(bytes, { edition: '3176' });
  assert.equal(w.valid, true);
  assert.deepEqual(w.dossiers[0].problems.map((p) => p.code), ['STD_EDITION_LAYOUT']);
});

test('dates: Asia/Ho_Chi_Minh, both formats, zero-filled birth dates', () => {
  assert.equal(parseDateTime('202501150830').toISOString(), '2025-01-15T01:30:00.000Z');
  assert.equal(parseDateTime('20250115').toISOString(), '2025-01-14T17:00:00.000Z');
  assert.equal(tryParseDateTime('20250230'), null);
  assert.equal(tryParseDateTime('202501152460'), null);
  assert.throws(() => parseDateTime('2025-01-15'));
  assert.equal(formatDateTime(parseDateTime('202512312359')), '202512312359');
  assert.equal(parseDateTime('198500000000').toISOString(), '1984-12-31T17:00:00.000Z');
  const pkg = validPackage();
  pkg.dossiers[0].tables.XML1![0].NGAY_SINH = '198500000000';
  assert.equal(validatePackage(pkg).valid, true);
});

// ---- property test: parse(build(x)) = x on generated packages ----
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) & 0x7fffffff;
    return a / 0x7fffffff;
  };
}
const ALPHABET = ['a', 'Z', '0', '9', ' ', '&', '<', '>', '"', "'", ';', '.', '\n', '\t', '\r', 'đ', 'Ư', 'ễ', 'ộ', '中', '😀', ']]>', '&amp;', '<![CDATA['];

function genText(r: () => number): string {
  const n = Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

function genPackage(r: () => number): Package {
  const dossiers = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
    const tables: Partial<Record<TableCode, Row[]>> = {};
    for (const code of PACKAGE_TABLES) {
      if (code !== 'XML1' && r() < 0.6) continue;
      const edition: Edition = r() < 0.5 ? '4750' : '3176';
      const n = TABLES[code].many ? Math.floor(r() * 4) : 1;
      tables[code] = Array.from({ length: n }, () => Object.fromEntries(fieldsOf(code, edition).map((f) => [f.name, r() < 0.3 ? '' : genText(r)])));
    }
    return { tables };
  });
  return { macskcb: genText(r).trim(), ngayLap: genText(r).trim(), dossiers };
}

test('property: parse(build(x)) = x for 200 generated packages', () => {
  const r = rng(20250101);
  for (let i = 0; i < 200; i++) {
    const pkg = genPackage(r);
    const bytes = buildPackage(pkg);
    const read = readPackage(bytes);
    assert.deepEqual([...read.problems, ...read.dossierProblems.flat()].filter((p) => p.code !== 'STD_EMPTY_TABLE'), [], `case ${i}`);
    assert.deepEqual(read.pkg, pkg, `case ${i}`);
    assert.ok(buildPackage(read.pkg).equals(bytes), `case ${i} deterministic`);
  }
});

test('identity lists tolerate a trailing separator and report the bad item', () => {
  const pkg = validPackage();
  const x1 = pkg.dossiers[0].tables.XML1![0];
  x1.MA_BENH_KT = 'I10;E11.9;';
  assert.deepEqual(validatePackage(pkg).dossiers[0].problems, []);
  x1.MA_BENH_KT = 'I10;;E11.9';
  assert.deepEqual(validatePackage(pkg).dossiers[0].problems.map((p) => [p.code, p.path]), [['STD_ID_ICD10', 'hoso[0].XML1[0].MA_BENH_KT']]);
});

test('build refuses characters XML cannot carry; validation names the field', () => {
  const pkg = validPackage();
  pkg.dossiers[0].tables.XML1![0].GHI_CHU = 'a\u0000b';
  assert.throws(() => buildPackage(pkg), (e: unknown) => e instanceof Error && 'problems' in e && (e as { problems: { code: string; path: string }[] }).problems[0].path === 'XML1.GHI_CHU');
  assert.deepEqual(validatePackage(pkg).dossiers[0].problems.map((p) => p.path), ['hoso[0].XML1[0].GHI_CHU']);
});

test('validateDocument recognises packages, check-in and assessment documents by their root', async () => {
  const { validateDocument, sniffKind } = await import('./index.ts');
  const pkg = buildPackage(validPackage());
  const ci = buildCheckIn('01001', validCheckInRows());
  const gd = buildGdyk(validGdykRows());
  assert.deepEqual([sniffKind(pkg), sniffKind(ci), sniffKind(gd), sniffKind(Buffer.from('<x/>'))], ['package', 'checkin', 'gdyk', 'unknown']);
  for (const b of [pkg, ci, gd]) {
    const r = validateDocument(b);
    assert.equal(r.unusable, false);
    assert.equal(r.valid, true, JSON.stringify(r.dossiers[0]?.problems));
  }
  const bad = validateDocument(Buffer.from(ci.toString().replace('<GIOI_TINH>', '<GIOI_TINH>9')));
  assert.equal(bad.valid, false);
  assert.ok(bad.dossiers[0].problems.some((p) => p.path === 'XML0[0].GIOI_TINH'));
  const other = validateDocument(Buffer.from('<?xml version="1.0"?><KHAC/>'));
  assert.equal(other.unusable, true);
  assert.equal(other.problems[0].code, 'STD_ROOT');
});
