import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPackage, buildCheckIn, catalogueToCsv } from '../../standard/index.ts';
import { validPackage, invalidVariants, validCheckInRows, syntheticCatalogue } from '../../standard/testing.ts';

const main = join(import.meta.dirname, '..', 'main.ts');
const ssk = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('ssk validate: exit codes, per-dossier output, --json, folders, catalogue', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-validate-'));
  try {
    mkdirSync(join(dir, 'ok', 'sub'), { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, 'ok', i % 2 ? 'sub' : '', `p${i}.xml`), buildPackage(validPackage({ seed: 100 + i * 7, count: 2 })));
    writeFileSync(join(dir, 'ok', 'checkin.xml'), buildCheckIn('01001', validCheckInRows()));
    writeFileSync(join(dir, 'ok', 'readme.txt'), 'not checked');
    const bad = invalidVariants().find((v) => v.code === 'STD_TOTAL_MISMATCH')!.bytes!;
    writeFileSync(join(dir, 'bad.xml'), bad);
    writeFileSync(join(dir, 'junk.xml'), 'not xml at all');

    let r = ssk('validate', join(dir, 'ok'));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /13 tệp \/ files: 13 hợp lệ \/ valid/);

    r = ssk('validate', join(dir, 'bad.xml'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /KHÔNG HỢP LỆ \/ INVALID/);
    assert.match(r.stdout, /hoso\[0\] MA_LK \S+ +✗/);
    assert.match(r.stdout, /STD_TOTAL_MISMATCH \[hoso\[0\]\.XML1\[0\]\.T_THUOC\]/);

    r = ssk('validate', '--json', join(dir, 'bad.xml'), join(dir, 'junk.xml'));
    assert.equal(r.status, 2);
    const j = JSON.parse(r.stdout) as { summary: { invalid: number; unusable: number }; results: { file: string; unusable: boolean; dossiers: { problems: { code: string }[] }[] }[] };
    assert.deepEqual([j.summary.invalid, j.summary.unusable], [1, 1]);
    assert.equal(j.results[0].dossiers[0].problems[0].code, 'STD_TOTAL_MISMATCH');
    assert.equal(j.results[1].unusable, true);

    r = ssk('validate', '--severity', 'STD_TOTAL_MISMATCH=warning', join(dir, 'bad.xml'));
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /CẢNH BÁO STD_TOTAL_MISMATCH/);

    r = ssk('validate', join(dir, 'missing.xml'));
    assert.equal(r.status, 2);

    r = ssk('validate', '--max-bytes', '100', join(dir, 'bad.xml'));
    assert.equal(r.status, 2);
    assert.match(r.stdout, /INPUT_TOO_LARGE/);

    // Catalogue: CSV and XLSX, then a check that finds an unknown drug.
    const entries = syntheticCatalogue(30);
    writeFileSync(join(dir, 'cat.csv'), catalogueToCsv(entries));
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Thuốc');
    ws.addRow(['STT', 'Mã thuốc', 'Tên thuốc', 'ĐVT', 'Giá BHYT', 'Ngày hiệu lực']);
    entries.filter((e) => e.kind === 'drug').forEach((e, i) => ws.addRow([i + 1, e.code, e.name, e.unit, e.price, e.validFrom]));
    await wb.xlsx.writeFile(join(dir, 'cat.xlsx'));
    r = ssk('catalogue', 'import', join(dir, 'cat.xlsx'), '--out', join(dir, 'norm.csv'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /thuốc \/ drugs/);
    assert.match(readFileSync(join(dir, 'norm.csv'), 'utf8'), /^LOAI,MA,TEN,DON_VI_TINH,DON_GIA,TU_NGAY,DEN_NGAY\nTHUOC,40\.17,/);
    r = ssk('validate', '--catalogue', join(dir, 'cat.csv'), join(dir, 'ok'));
    assert.equal(r.status, 0, r.stdout);
    const pkg = validPackage();
    pkg.dossiers[0].tables.XML2![0].MA_THUOC = '40.77777';
    writeFileSync(join(dir, 'unknown-drug.xml'), buildPackage(pkg));
    r = ssk('catalogue', 'check', join(dir, 'cat.csv'), join(dir, 'unknown-drug.xml'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /STD_CAT_UNKNOWN \[hoso\[0\]\.XML2\[0\]\.MA_THUOC\]/);
    r = ssk('catalogue', 'synth', '--out', join(dir, 'synth.csv'), '--extra', '10');
    assert.equal(r.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
