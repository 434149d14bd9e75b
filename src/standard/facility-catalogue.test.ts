import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogueCheck, catalogueFromRows, catalogueRowsFromXml, parseCsv, catalogueToCsv, parsePrice, parseCatalogueDate, validateBytes, validatePackage, buildPackage } from './index.ts';
import { validPackage, syntheticCatalogue } from './testing.ts';

test('CSV importer: tolerant headers (accents, case, order), delimiters, Vietnamese prices and dates', () => {
  const csv = '\ufeffMã thuốc;Tên thuốc;Đơn vị tính;Đơn giá;Từ ngày;Đến ngày\n40.17;Paracetamol 500mg;Viên;"1.234,5";01/01/2024;\n40.57;Amoxicilin;Viên;1200;2024-01-01;20241231\n;thiếu mã;;;;\n';
  const { entries, problems } = catalogueFromRows(parseCsv(csv));
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[0], { kind: 'drug', code: '40.17', name: 'Paracetamol 500mg', unit: 'Viên', price: 1234.5, validFrom: '20240101', validTo: '' });
  assert.equal(entries[1].validTo, '20241231');
  assert.equal(problems.length, 1);
  assert.equal(problems[0].code, 'STD_CAT_FILE');
  assert.equal(problems[0].path, 'catalogue[4]');
  assert.equal(parsePrice('1,234.50'), 1234.5);
  assert.equal(parsePrice('38 700 đ'), 38700);
  assert.equal(parsePrice('abc'), null);
  assert.equal(parseCatalogueDate('20250101'), '20250101');
  assert.equal(parseCatalogueDate('31.12.2025'), '20251231');
  assert.equal(parseCatalogueDate('sometime'), null);
  const none = catalogueFromRows(parseCsv('Tên,Giá\nx,1\n'));
  assert.equal(none.entries.length, 0);
  assert.equal(none.problems[0].code, 'STD_CAT_FILE');
});

test('synthetic catalogue round-trips through CSV and accepts the valid fixtures', () => {
  const entries = syntheticCatalogue(60);
  const back = catalogueFromRows(parseCsv(catalogueToCsv(entries)));
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.entries, entries);
  const check = catalogueCheck({ entries });
  const r = validateBytes(buildPackage(validPackage({ count: 5, kind: 'inpatient' })), { checks: [check] });
  assert.equal(r.valid, true);
  assert.deepEqual(r.dossiers.flatMap((d) => d.problems).filter((p) => p.code.startsWith('STD_CAT')), []);
});

test('catalogue check: unknown code, not in force at the visit date, price and unit differences', () => {
  const entries = syntheticCatalogue(0);
  const check = catalogueCheck({ entries });
  const pkg = validPackage({ drugs: 3, services: 3 });
  const d = pkg.dossiers[0];
  d.tables.XML2![0].MA_THUOC = '40.99999';
  d.tables.XML2![1].DON_GIA = String(Number(d.tables.XML2![1].DON_GIA) + 100);
  d.tables.XML2![2].DON_VI_TINH = 'Hộp';
  const codes = validatePackage(pkg, { checks: [check] }).dossiers[0].problems.map((p) => `${p.code} ${p.path}`);
  assert.ok(codes.includes('STD_CAT_UNKNOWN hoso[0].XML2[0].MA_THUOC'), codes.join('\n'));
  assert.ok(codes.includes('STD_CAT_PRICE hoso[0].XML2[1].DON_GIA'));
  assert.ok(codes.includes('STD_CAT_UNIT hoso[0].XML2[2].DON_VI_TINH'));
  // The same service priced differently over time: the entry in force at the order date counts.
  const svc = d.tables.XML3![0];
  const dated = entries.filter((e) => e.code !== svc.MA_DICH_VU);
  dated.push({ kind: 'service', code: svc.MA_DICH_VU, name: 'x', unit: 'Lần', price: 1, validFrom: '20200101', validTo: '20201231' });
  const p2 = validatePackage(pkg, { checks: [catalogueCheck({ entries: dated })] }).dossiers[0].problems;
  assert.ok(p2.some((p) => p.code === 'STD_CAT_NOT_IN_FORCE' && p.path === 'hoso[0].XML3[0].MA_DICH_VU'));
  dated.push({ kind: 'service', code: svc.MA_DICH_VU, name: 'x', unit: 'Lần', price: Number(svc.DON_GIA_BH), validFrom: '20210101', validTo: '' });
  const p3 = validatePackage(pkg, { checks: [catalogueCheck({ entries: dated })] }).dossiers[0].problems;
  assert.ok(!p3.some((p) => p.path.startsWith('hoso[0].XML3[0]')));
});

test('XML importer: record elements become rows; DTDs refused', () => {
  const xml = '<?xml version="1.0" encoding="utf-8"?><DANH_MUC><DS_THUOC><THUOC><MA_THUOC>40.17</MA_THUOC><TEN_THUOC>Paracetamol</TEN_THUOC><DON_VI_TINH>Viên</DON_VI_TINH><DON_GIA>500</DON_GIA></THUOC><THUOC><MA_THUOC>40.57</MA_THUOC><DON_GIA>1200</DON_GIA><TU_NGAY>20240101</TU_NGAY></THUOC></DS_THUOC></DANH_MUC>';
  const rows = catalogueRowsFromXml(Buffer.from(xml));
  assert.deepEqual(rows[0], ['MA_THUOC', 'TEN_THUOC', 'DON_VI_TINH', 'DON_GIA', 'TU_NGAY']);
  const { entries, problems } = catalogueFromRows(rows);
  assert.deepEqual(problems, []);
  assert.deepEqual(entries.map((e) => [e.kind, e.code, e.price, e.validFrom]), [['drug', '40.17', 500, ''], ['drug', '40.57', 1200, '20240101']]);
  assert.throws(() => catalogueRowsFromXml(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x/>')));
});
