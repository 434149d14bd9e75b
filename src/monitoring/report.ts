// Monthly reports per nation / province / facility, as XLSX (exceljs), CSV and PDF (pdfkit).
// Each generation is kept in mon_report (bytes + SHA-256); the latest of a scope/month/format
// is served. ensureMonthlyReports() makes the previous month's reports once (scheduled).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import type { Db, Queryable } from '../store/index.ts';
import { ProblemError } from '../errors/index.ts';
import { MON } from './errors.ts';
import { dashboard, type Dashboard } from './dashboard.ts';
import { monthPeriod, previousMonth, resolveArea, type Area } from './period.ts';
import { refreshAggregates } from './aggregate.ts';

export type ReportScope = 'nation' | 'province' | 'facility';
export type ReportFormat = 'xlsx' | 'csv' | 'pdf';
export const REPORT_FORMATS: ReportFormat[] = ['xlsx', 'csv', 'pdf'];

export interface ReportRow {
  id: number;
  scope: ReportScope;
  code: string;
  month: string;
  format: ReportFormat;
  sha256: string;
  size: number;
  trigger: 'on_demand' | 'scheduled';
  generatedAt: Date;
}

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
};

function areaOf(scope: ReportScope, code: string): Area {
  if (scope === 'nation') return {};
  if (scope === 'province') return { province: code };
  return { macskcb: code };
}

function checkScope(scope: string, code: string): { scope: ReportScope; code: string } {
  if (scope === 'nation') return { scope, code: '' };
  if (scope === 'province' || scope === 'facility') {
    resolveArea(areaOf(scope, code));
    return { scope, code };
  }
  throw ProblemError.of(MON.MON_BAD_AREA, 'scope');
}

const rate = (v: number | null) => (v === null ? '' : Math.round(v * 10000) / 10000);

function scopeTitle(d: Dashboard): string {
  if (d.area.level === 'facility') return `Cơ sở / facility ${d.area.macskcb}`;
  if (d.area.level === 'province') return `Tỉnh / province ${d.area.province}`;
  return 'Toàn quốc / nation';
}

/** The KPI table rows written to every format (the same numbers as dashboard().kpis). */
export function kpiRows(d: Dashboard): (string | number)[][] {
  return d.kpis.map((k) => [k.key, k.vi, k.en, k.expected ?? '', k.received, k.onTime ?? '', rate(k.rate), k.target ?? '', k.met === undefined ? '' : k.met ? 'đạt/met' : 'chưa đạt/not met']);
}
export const KPI_HEADER = ['key', 'Chỉ tiêu', 'Indicator', 'Dự kiến / expected', 'Nhận được / received', 'Đúng hạn / on time', 'Tỷ lệ / rate', 'Mục tiêu / target', 'Đánh giá / status'];

async function xlsx(d: Dashboard, month: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'sosuckhoe';
  wb.created = new Date(0);
  const ws = wb.addWorksheet('Tong hop');
  ws.addRow([`Báo cáo tháng ${month} — ${scopeTitle(d)} / Monthly report`]).font = { bold: true, size: 14 };
  ws.addRow([`Kỳ / period: ${d.period.from} → ${d.period.to}`]);
  ws.addRow([]);
  ws.addRow(KPI_HEADER).font = { bold: true };
  for (const r of kpiRows(d)) ws.addRow(r);
  ws.columns.forEach((c, i) => (c.width = [14, 36, 32, 16, 16, 16, 12, 14, 16][i] ?? 14));
  ws.addRow([]);
  ws.addRow(['Thời gian gửi / latency', 'Số hồ sơ / dossiers']).font = { bold: true };
  for (const b of d.latency) ws.addRow([`${b.vi} / ${b.en}`, b.count]);
  ws.addRow([]);
  ws.addRow(['Lý do từ chối / rejection reason', 'Số gói / packages']).font = { bold: true };
  for (const r of d.topReasons) ws.addRow([r.code, r.packages]);

  const s = wb.addWorksheet('Theo ngay');
  s.addRow(['Ngày / day', 'Hồ sơ / dossiers', 'Tiếp đón / check-ins', 'Có thời điểm ra / timed', 'Đúng hạn / on time', 'Gói / packages', 'Ký số / signed', 'Từ chối / rejected', 'CCCD', 'VNeID']).font = { bold: true };
  for (const p of d.series) s.addRow([p.period, p.dossiers, p.checkins, p.timed, p.onTime, p.packages, p.signed, p.rejected, p.cccd, p.vneid]);

  if (d.breakdown.length) {
    const b = wb.addWorksheet('Theo dia ban');
    b.addRow(['Mã / code', 'Tên / name', 'Hồ sơ / dossiers', 'Đúng hạn / on-time rate', 'Ký số / signed rate', 'Từ chối / rejection rate', 'VNeID rate']).font = { bold: true };
    for (const r of d.breakdown) {
      const g = (k: string) => rate(r.kpis.find((x) => x.key === k)?.rate ?? null);
      b.addRow([r.code, r.name, r.totals.dossiers, g('timeliness'), g('signed'), g('rejections'), g('vneid')]);
    }
  }
  const l = wb.addWorksheet('Co so cham');
  l.addRow(['MACSKCB', 'Tên / name', 'Tỉnh / province', 'Huyện / district', 'Lý do / reasons']).font = { bold: true };
  for (const x of d.laggards) l.addRow([x.macskcb, x.name, x.province, x.district, x.reasons.map((r) => `${r.vi} / ${r.en}`).join('; ')]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // neutralise spreadsheet formulas (CSV injection) and quote when needed
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csv(d: Dashboard, month: string): Buffer {
  const lines: string[] = [];
  const row = (r: unknown[]) => lines.push(r.map(csvCell).join(','));
  row(['report', 'month', 'scope', 'from', 'to']);
  row(['monthly', month, scopeTitle(d), d.period.from, d.period.to]);
  row([]);
  row(KPI_HEADER);
  for (const r of kpiRows(d)) row(r);
  row([]);
  row(['breakdown_code', 'name', 'dossiers', 'on_time_rate', 'signed_rate', 'rejection_rate', 'vneid_rate']);
  for (const r of d.breakdown) {
    const g = (k: string) => rate(r.kpis.find((x) => x.key === k)?.rate ?? null);
    row([r.code, r.name, r.totals.dossiers, g('timeliness'), g('signed'), g('rejections'), g('vneid')]);
  }
  row([]);
  row(['laggard_macskcb', 'name', 'reasons']);
  for (const x of d.laggards) row([x.macskcb, x.name, x.reasons.map((r) => r.code).join(' ')]);
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n', 'utf8');
}

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';

function pdf(d: Dashboard, month: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 36, info: { Title: `Báo cáo tháng ${month}`, CreationDate: new Date(0) } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const regular = existsSync(`${FONT_DIR}/DejaVuSans.ttf`) ? `${FONT_DIR}/DejaVuSans.ttf` : null;
    if (regular) doc.registerFont('body', regular);
    doc.font(regular ? 'body' : 'Helvetica');
    doc.fontSize(15).text(`Báo cáo tháng ${month} — ${scopeTitle(d)} / Monthly report`);
    doc.fontSize(9).text(`Kỳ / period: ${d.period.from} → ${d.period.to}`).moveDown();
    const cols = [170, 150, 80, 80, 80, 60, 60];
    const line = (cells: (string | number)[]) => {
      const y = doc.y;
      let x = doc.page.margins.left;
      cells.forEach((c, i) => {
        doc.text(String(c), x, y, { width: cols[i] - 4, lineBreak: false, ellipsis: true });
        x += cols[i];
      });
      doc.moveDown(0.6);
      doc.x = doc.page.margins.left;
    };
    line(['Chỉ tiêu', 'Indicator', 'Dự kiến/exp.', 'Nhận/recv.', 'Đúng hạn', 'Tỷ lệ', 'Mục tiêu']);
    for (const k of d.kpis) line([k.vi, k.en, k.expected ?? '', k.received, k.onTime ?? '', k.rate === null ? '' : `${(k.rate * 100).toFixed(1)}%`, k.target === undefined ? '' : `${k.target * 100}%`]);
    doc.moveDown();
    doc.fontSize(11).text(`Cơ sở chậm / lagging facilities: ${d.laggards.length}`);
    doc.fontSize(8);
    for (const x of d.laggards.slice(0, 60)) doc.text(`${x.macskcb} ${x.name}: ${x.reasons.map((r) => r.vi).join('; ')}`);
    doc.end();
  });
}

/** Build one report (not stored). */
export async function buildReport(db: Queryable, opts: { scope: ReportScope; code?: string; month: string; format: ReportFormat }): Promise<{ bytes: Buffer; dashboard: Dashboard }> {
  const { scope, code } = checkScope(opts.scope, opts.code ?? '');
  if (!REPORT_FORMATS.includes(opts.format)) throw ProblemError.of(MON.MON_BAD_FORMAT, 'format');
  const d = await dashboard(db, { area: areaOf(scope, code), period: { month: opts.month }, granularity: 'day' });
  const bytes = opts.format === 'xlsx' ? await xlsx(d, opts.month) : opts.format === 'csv' ? csv(d, opts.month) : await pdf(d, opts.month);
  return { bytes, dashboard: d };
}

function toRow(r: any): ReportRow {
  return { id: Number(r.id), scope: r.scope, code: r.code, month: r.month, format: r.format, sha256: r.sha256, size: Number(r.size), trigger: r.trigger, generatedAt: new Date(r.generated_at) };
}

/** Build and keep a report; returns its row. */
export async function generateReport(
  db: Db,
  opts: { scope: ReportScope; code?: string; month: string; format: ReportFormat; trigger?: 'on_demand' | 'scheduled'; refresh?: boolean },
): Promise<ReportRow> {
  monthPeriod(opts.month);
  if (opts.refresh) await refreshAggregates(db, monthPeriod(opts.month));
  const { bytes } = await buildReport(db, opts);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const r = await db.query(
    `INSERT INTO mon_report (scope, code, month, format, bytes, sha256, trigger) VALUES ($1, $2, $3, $4, $5, $6, $7)
     RETURNING id, scope, code, month, format, sha256, length(bytes) AS size, trigger, generated_at`,
    [opts.scope, opts.scope === 'nation' ? '' : (opts.code ?? ''), opts.month, opts.format, bytes, sha, opts.trigger ?? 'on_demand'],
  );
  return toRow(r.rows[0]);
}

export async function listReports(db: Queryable, filter: { scope?: ReportScope; code?: string; month?: string; limit?: number } = {}): Promise<ReportRow[]> {
  const r = await db.query(
    `SELECT id, scope, code, month, format, sha256, length(bytes) AS size, trigger, generated_at FROM mon_report
     WHERE ($1::text IS NULL OR scope = $1) AND ($2::text IS NULL OR code = $2) AND ($3::text IS NULL OR month = $3)
     ORDER BY generated_at DESC, id DESC LIMIT $4`,
    [filter.scope ?? null, filter.code ?? null, filter.month ?? null, Math.max(1, Math.min(1000, filter.limit ?? 100))],
  );
  return r.rows.map(toRow);
}

/** A kept report's bytes: by id, or the latest for scope/code/month/format. */
export async function getReport(
  db: Queryable,
  key: { id: number } | { scope: ReportScope; code?: string; month: string; format: ReportFormat },
): Promise<{ row: ReportRow; bytes: Buffer; contentType: string; filename: string }> {
  const r =
    'id' in key
      ? await db.query(`SELECT *, length(bytes) AS size FROM mon_report WHERE id = $1`, [key.id])
      : await db.query(`SELECT *, length(bytes) AS size FROM mon_report WHERE scope = $1 AND code = $2 AND month = $3 AND format = $4 ORDER BY generated_at DESC, id DESC LIMIT 1`, [
          key.scope,
          key.scope === 'nation' ? '' : (key.code ?? ''),
          key.month,
          key.format,
        ]);
  if (!r.rows.length) throw ProblemError.of(MON.MON_REPORT_NOT_FOUND, 'report');
  const row = toRow(r.rows[0]);
  const filename = `bao-cao-${row.month}-${row.scope}${row.code ? `-${row.code}` : ''}.${row.format}`;
  return { row, bytes: Buffer.from(r.rows[0].bytes), contentType: CONTENT_TYPES[row.format], filename };
}

/**
 * The scheduled job: for the previous month, make the nation report and one per province with
 * data (XLSX, CSV, PDF), unless that month's scheduled reports exist already. Returns how many were made.
 */
export async function ensureMonthlyReports(db: Db, now = new Date(), opts: { facilities?: boolean } = {}): Promise<number> {
  const month = previousMonth(now);
  const done = await db.query(`SELECT 1 FROM mon_report WHERE month = $1 AND trigger = 'scheduled' AND scope = 'nation' LIMIT 1`, [month]);
  if (done.rows.length) return 0;
  const p = monthPeriod(month);
  await refreshAggregates(db, p);
  const provinces = await db.query<{ province: string }>(`SELECT DISTINCT province FROM mon_day WHERE day BETWEEN $1::date AND $2::date AND province ~ '^[0-9]{2}$' ORDER BY 1`, [p.from, p.to]);
  const scopes: { scope: ReportScope; code: string }[] = provinces.rows.map((r) => ({ scope: 'province' as const, code: r.province }));
  if (opts.facilities) {
    const facs = await db.query<{ macskcb: string }>(`SELECT DISTINCT macskcb FROM mon_day WHERE day BETWEEN $1::date AND $2::date ORDER BY 1`, [p.from, p.to]);
    for (const f of facs.rows) if (/^[A-Za-z0-9.]{5}$/.test(f.macskcb)) scopes.push({ scope: 'facility', code: f.macskcb });
  }
  // the nation report last: its presence marks the month done
  scopes.push({ scope: 'nation', code: '' });
  let n = 0;
  for (const s of scopes) for (const format of REPORT_FORMATS) {
    await generateReport(db, { ...s, month, format, trigger: 'scheduled' });
    n++;
  }
  return n;
}
