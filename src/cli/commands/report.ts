// `ssk report …`: monitoring KPIs for an area and period, aggregate refresh, and the monthly
// report (XLSX / CSV / PDF) kept in the database and written to a file.
import type { Command } from 'commander';
import { EXIT, runCommand, withDb } from '../command.ts';

export function register(program: Command) {
  const rep = program.command('report').description('Giám sát và báo cáo tháng / monitoring and monthly reports');
  const data = ['--data <dir>', 'PGlite data directory (when DATABASE_URL is not set)', '.ssk/gateway'] as const;

  rep
    .command('kpis')
    .description('Chỉ tiêu theo địa bàn và kỳ / indicators for an area and period')
    .option('--month <YYYY-MM>')
    .option('--from <YYYY-MM-DD>')
    .option('--to <YYYY-MM-DD>')
    .option('--province <code>')
    .option('--district <code>')
    .option('--facility <macskcb>')
    .option('--refresh', 'recompute the aggregates of the period first')
    .option(...data)
    .option('--json', 'machine-readable output (the whole dashboard)')
    .action((o: { month?: string; from?: string; to?: string; province?: string; district?: string; facility?: string; refresh?: boolean; data: string; json?: boolean }) =>
      runCommand(async () => {
        const m = await import('../../monitoring/index.ts');
        const period = o.month ? { month: o.month } : { from: o.from, to: o.to };
        const d = await withDb(o.data, async (db) => {
          if (o.refresh) await m.refreshAggregates(db, m.resolvePeriod(period));
          return m.dashboard(db, { area: { province: o.province, district: o.district, macskcb: o.facility }, period });
        });
        if (o.json) return console.log(JSON.stringify(d, null, 2));
        console.log(`${d.period.from} → ${d.period.to}  ${d.area.level} ${d.area.province ?? ''}${d.area.district ?? ''}${d.area.macskcb ?? ''}`);
        for (const k of d.kpis) {
          const rate = k.rate === null ? '—' : `${(k.rate * 100).toFixed(1)}%`;
          console.log(`${k.vi.padEnd(42)} dự kiến/expected ${String(k.expected ?? '—').padStart(8)}  nhận/received ${String(k.received).padStart(8)}  tỷ lệ/rate ${rate.padStart(7)}${k.met === false ? '  ⚠' : ''}`);
        }
        console.log(`cơ sở chậm / lagging facilities: ${d.laggards.length}`);
        for (const l of d.laggards.slice(0, 20)) console.log(`  ${l.macskcb} ${l.name}: ${l.reasons.map((r) => r.vi).join('; ')}`);
      }),
    );

  rep
    .command('refresh')
    .description('Tính lại bảng tổng hợp / recompute the aggregate tables for a period')
    .option('--month <YYYY-MM>')
    .option('--from <YYYY-MM-DD>')
    .option('--to <YYYY-MM-DD>')
    .option(...data)
    .action((o: { month?: string; from?: string; to?: string; data: string }) =>
      runCommand(async () => {
        const m = await import('../../monitoring/index.ts');
        const r = await withDb(o.data, (db) => m.refreshAggregates(db, m.resolvePeriod(o.month ? { month: o.month } : { from: o.from, to: o.to })));
        console.log(`đã tính lại / recomputed ${r.cells} ô (ngày × cơ sở) / cells (day × facility)`);
      }),
    );

  rep
    .command('monthly')
    .description('Báo cáo tháng (lưu trong CSDL và ghi ra tệp) / monthly report (kept in the database and written to a file)')
    .requiredOption('--month <YYYY-MM>')
    .option('--province <code>')
    .option('--facility <macskcb>')
    .option('--format <f>', 'xlsx | csv | pdf', 'xlsx')
    .option('--out <file>', 'output file (default bao-cao-<month>-<scope>.<format>)')
    .option('--refresh', 'recompute the month’s aggregates first')
    .option(...data)
    .option('--json', 'print the stored report row as JSON')
    .action((o: { month: string; province?: string; facility?: string; format: string; out?: string; refresh?: boolean; data: string; json?: boolean }) =>
      runCommand(async () => {
        if (!['xlsx', 'csv', 'pdf'].includes(o.format)) {
          process.stderr.write('LỖI / ERROR: --format xlsx | csv | pdf\n');
          return EXIT.INVALID;
        }
        const m = await import('../../monitoring/index.ts');
        const { writeFileSync } = await import('node:fs');
        const scope = o.facility ? 'facility' : o.province ? 'province' : 'nation';
        const code = o.facility ?? o.province ?? '';
        const r = await withDb(o.data, async (db) => {
          const row = await m.generateReport(db, { scope, code, month: o.month, format: o.format as 'xlsx', refresh: o.refresh });
          return m.getReport(db, { id: row.id });
        });
        const out = o.out ?? r.filename;
        writeFileSync(out, r.bytes);
        console.log(o.json ? JSON.stringify({ ...r.row, file: out }, null, 2) : `đã ghi / wrote ${out} (${r.bytes.length} bytes, sha256 ${r.row.sha256.slice(0, 16)}…)`);
      }),
    );
}
