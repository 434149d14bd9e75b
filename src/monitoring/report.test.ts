// Monthly reports: XLSX/CSV/PDF carry the dashboard's numbers; LibreOffice opens the XLSX
// (headless conversion to PDF and to CSV) and shows the same numbers; the scheduled job makes
// last month's reports once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import { openTestDb } from '../store/testing.ts';
import { DIRS, generate, load } from './testing.ts';
import { dashboard, refreshAggregates, generateReport, getReport, listReports, ensureMonthlyReports } from './index.ts';

function soffice(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('soffice', args, { cwd, timeout: 120_000, env: { ...process.env, HOME: cwd } }, (err, _out, stderr) => (err ? reject(new Error(`soffice failed: ${err.message} ${stderr}`)) : resolve()));
  });
}

/** Split one CSV line (LibreOffice output: comma, double quotes). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}

test('monthly report per province: XLSX, CSV and PDF show the dashboard numbers; LibreOffice opens the XLSX', async () => {
  const t = await openTestDb('pglite', DIRS);
  const dir = mkdtempSync(join(tmpdir(), 'ssk-report-'));
  try {
    await load(t.db, generate(3));
    await refreshAggregates(t.db, { from: '2026-10-01', to: '2026-10-31' });
    const d = await dashboard(t.db, { area: { province: '01' }, period: { month: '2026-10' } });
    assert.ok(d.totals.dossiers > 0);

    const x = await generateReport(t.db, { scope: 'province', code: '01', month: '2026-10', format: 'xlsx' });
    const c = await generateReport(t.db, { scope: 'province', code: '01', month: '2026-10', format: 'csv' });
    const p = await generateReport(t.db, { scope: 'province', code: '01', month: '2026-10', format: 'pdf' });
    assert.deepEqual((await listReports(t.db, { month: '2026-10' })).map((r) => r.format).sort(), ['csv', 'pdf', 'xlsx']);
    const xb = await getReport(t.db, { scope: 'province', code: '01', month: '2026-10', format: 'xlsx' });
    assert.equal(xb.row.id, x.id);
    assert.equal(xb.filename, 'bao-cao-2026-10-province-01.xlsx');

    // XLSX read back: the KPI table equals dashboard().kpis
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xb.bytes as any);
    const ws = wb.getWorksheet('Tong hop')!;
    const byKey = new Map<string, any[]>();
    ws.eachRow((row) => {
      const v = row.values as any[];
      if (typeof v[1] === 'string') byKey.set(v[1], v);
    });
    for (const k of d.kpis) {
      const row = byKey.get(k.key);
      assert.ok(row, `row ${k.key}`);
      assert.equal(row[5], k.received, `${k.key} received`);
      assert.equal(row[4] === '' || row[4] === undefined ? null : row[4], k.expected, `${k.key} expected`);
    }

    // CSV: same KPI numbers
    const csvText = (await getReport(t.db, { id: c.id })).bytes.toString('utf8');
    assert.ok(csvText.startsWith('\ufeffreport,month'));
    for (const k of d.kpis) assert.ok(csvText.includes(`\r\n${k.key},`), `csv ${k.key}`);
    const dossiersLine = csvText.split('\r\n').find((l) => l.startsWith('dossiers,'))!;
    assert.equal(cells(dossiersLine)[4], String(d.kpis.find((k) => k.key === 'dossiers')!.received));

    // PDF from pdfkit
    assert.equal((await getReport(t.db, { id: p.id })).bytes.subarray(0, 5).toString(), '%PDF-');

    // LibreOffice: open the XLSX headless, convert to PDF and to CSV (first sheet)
    const file = join(dir, 'report.xlsx');
    writeFileSync(file, xb.bytes);
    const profile = pathToFileURL(join(dir, 'lo-profile')).href;
    await soffice([`-env:UserInstallation=${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', dir, file], dir);
    assert.ok(existsSync(join(dir, 'report.pdf')), 'LibreOffice wrote the PDF');
    const pdf = readFileSync(join(dir, 'report.pdf'));
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.ok(pdf.length > 1000);
    await soffice([`-env:UserInstallation=${profile}`, '--headless', '--norestore', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', '--outdir', dir, file], dir);
    const lo = readFileSync(join(dir, 'report.csv'), 'utf8').split(/\r?\n/).map(cells);
    for (const k of d.kpis) {
      const row = lo.find((r) => r[0] === k.key);
      assert.ok(row, `LibreOffice shows ${k.key}`);
      assert.equal(Number(row[4]), k.received, `LibreOffice ${k.key} received`);
      if (k.expected !== null) assert.equal(Number(row[3]), k.expected, `LibreOffice ${k.key} expected`);
      if (k.rate !== null) assert.ok(Math.abs(Number(row[6]) - k.rate) < 1e-4, `LibreOffice ${k.key} rate`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.cleanup();
  }
});

test('the scheduled job makes the previous month reports once (nation + each province, 3 formats)', async () => {
  const t = await openTestDb('pglite', DIRS);
  try {
    await load(t.db, generate(5));
    const now = new Date('2026-11-05T03:00:00Z');
    const made = await ensureMonthlyReports(t.db, now);
    assert.equal(made, (3 + 1) * 3);
    assert.equal(await ensureMonthlyReports(t.db, now), 0);
    const rows = await listReports(t.db, { month: '2026-10' });
    assert.deepEqual([...new Set(rows.map((r) => `${r.scope}:${r.code}`))].sort(), ['nation:', 'province:01', 'province:48', 'province:79']);
    assert.ok(rows.every((r) => r.trigger === 'scheduled' && r.size > 0));
    // the nation CSV carries the nation's numbers
    const d = await dashboard(t.db, { period: { month: '2026-10' } });
    const csv = (await getReport(t.db, { scope: 'nation', month: '2026-10', format: 'csv' })).bytes.toString('utf8');
    const line = csv.split('\r\n').find((l) => l.startsWith('signed,'))!;
    assert.equal(cells(line)[4], String(d.kpis.find((k) => k.key === 'signed')!.received));
    await assert.rejects(getReport(t.db, { scope: 'province', code: '02', month: '2026-10', format: 'csv' }), (e: any) => e.problems[0].code === 'MON_REPORT_NOT_FOUND');
  } finally {
    await t.cleanup();
  }
});
