// Hostile input: every case ends in a clear problem, never a crash or a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateBytes, parsePackage, validateDocument, buildPackage, buildTableXml, parseCheckIn, icd10Name, ICD10, type ValidationResult } from './index.ts';
import { isProblemError } from '../errors/index.ts';
import { validPackage, validDossier } from './testing.ts';

const codes = (r: ValidationResult) => [...r.problems, ...r.dossiers.flatMap((d) => d.problems)].map((p) => p.code);
const b = (s: string) => Buffer.from(s, 'utf8');

test('DTDs and entities are refused, in the package and inside a table', () => {
  const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><GIAMDINHHS>&lol2;</GIAMDINHHS>';
  assert.deepEqual(codes(validateBytes(b(laughs))), ['XML_DTD_FORBIDDEN']);
  const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CHI_TIEU_TRANG_THAI_KCB>&e;</CHI_TIEU_TRANG_THAI_KCB>';
  const r = validateDocument(b(xxe));
  assert.equal(r.unusable, true);
  assert.deepEqual(codes(r), ['XML_DTD_FORBIDDEN']);
  assert.throws(() => parseCheckIn(b(xxe)), (e) => isProblemError(e) && e.problems[0].code === 'XML_DTD_FORBIDDEN');
  const env = buildPackage(validPackage()).toString();
  const inner = buildTableXml('XML1', validDossier().tables.XML1!).replace('<TONG_HOP>', '<!DOCTYPE TONG_HOP [<!ENTITY x "y">]><TONG_HOP>');
  const bad = env.replace(/(<LOAIHOSO>XML1<\/LOAIHOSO>\s*<NOIDUNGFILE>)[^<]*/, `$1${Buffer.from(inner).toString('base64')}`);
  const rr = validateBytes(b(bad));
  assert.equal(rr.valid, false);
  assert.ok(rr.dossiers[0].problems.some((p) => p.code === 'XML_DTD_FORBIDDEN' && p.path === 'hoso[0].XML1'));
});

test('depth, count and size limits', () => {
  const deep = `<GIAMDINHHS>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</GIAMDINHHS>`;
  const r = validateBytes(b(deep));
  assert.equal(r.valid, false);
  assert.ok(codes(r).length > 0);
  const many = buildPackage(validPackage({ count: 4, drugs: 1, services: 1 }));
  assert.deepEqual(codes(validateBytes(many, { limits: { maxDossiers: 3 } })), ['STD_LIMIT']);
  const rows = validateBytes(many, { limits: { maxRowsPerTable: 0 } });
  assert.ok(codes(rows).includes('STD_LIMIT'));
  assert.deepEqual(codes(validateBytes(many, { limits: { maxBytes: 1024 } })), ['XML_TOO_LARGE']);
  assert.ok(codes(validateBytes(many, { limits: { maxTableBytes: 100 } })).includes('STD_LIMIT'));
});

test('a 200 MB input is refused before parsing', () => {
  const big = Buffer.alloc(200 * 1024 * 1024, 0x20);
  big.write('<GIAMDINHHS>', 0);
  const r = validateBytes(big);
  assert.deepEqual(codes(r), ['XML_TOO_LARGE']);
  assert.equal(r.problems[0].status, 413);
  assert.throws(() => parsePackage(big), (e) => isProblemError(e) && e.status === 413);
});

test('invalid UTF-8, truncated base64, garbage, empty input', () => {
  const utf = Buffer.concat([b('<GIAMDINHHS><THONGTINDONVI><MACSKCB>'), Buffer.from([0xe1, 0x80]), b('</MACSKCB></THONGTINDONVI></GIAMDINHHS>')]);
  assert.deepEqual(codes(validateBytes(utf)), ['XML_BAD_ENCODING']);
  const env = buildPackage(validPackage()).toString();
  const trunc = env.replace(/<NOIDUNGFILE>([^<]*)<\/NOIDUNGFILE>/, (_m, s: string) => `<NOIDUNGFILE>${s.slice(0, Math.floor(s.length / 2) + 1)}</NOIDUNGFILE>`);
  const r = validateBytes(b(trunc));
  assert.equal(r.valid, false);
  assert.ok(r.dossiers[0].problems.some((p) => p.code === 'STD_BASE64'));
  // Base64 of bytes that are not UTF-8 inside a table.
  const notUtf = env.replace(/(<LOAIHOSO>XML2<\/LOAIHOSO>\s*<NOIDUNGFILE>)[^<]*/, `$1${Buffer.from([0xff, 0xfe, 0x3c, 0x00]).toString('base64')}`);
  assert.ok(validateBytes(b(notUtf)).dossiers[0].problems.some((p) => p.code === 'XML_BAD_ENCODING'));
  for (const junk of [Buffer.alloc(0), b('\u0000\u0001'), b('<'), b('<GIAMDINHHS>'), Buffer.from([0xff, 0xd8, 0xff, 0xe0])]) {
    const x = validateBytes(junk);
    assert.equal(x.valid, false);
    assert.ok(x.problems.length > 0);
  }
  // Random bytes never throw.
  let seed = 7;
  for (let i = 0; i < 200; i++) {
    const n = (seed = (seed * 48271) % 2147483647) % 300;
    const buf = Buffer.alloc(n);
    for (let j = 0; j < n; j++) buf[j] = (seed = (seed * 48271) % 2147483647) & 0xff;
    const x = validateBytes(Buffer.concat([b('<GIAMDINHHS>'), buf]));
    assert.equal(x.valid, false);
  }
});

test('ICD-10 list: Vietnamese names, shape-valid codes, category fallback', () => {
  assert.ok(ICD10.length >= 250);
  for (const e of ICD10) assert.match(e.code, /^[A-Z]\d{2}(\.\d{1,2})?$/);
  assert.equal(icd10Name('I10'), 'Tăng huyết áp vô căn (nguyên phát)');
  assert.equal(icd10Name('j189'), 'Viêm phổi, không đặc hiệu');
  assert.equal(icd10Name('Z99.9'), '');
});
