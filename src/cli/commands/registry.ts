// `ssk registry …`: facilities, pharmacies, practitioners — import CSV, list, issue a facility
// code, show a facility's certificates with their validity.
import type { Command } from 'commander';
import { EXIT, printProblems, runCommand, withDb } from '../command.ts';

async function kindArg(s: string) {
  const { kindOf } = await import('../../registry/index.ts');
  const k = kindOf(s);
  if (!k) {
    process.stderr.write(`LỖI / ERROR: loại danh mục không hợp lệ / unknown registry "${s}" (facilities | pharmacies | practitioners)\n`);
    return null;
  }
  return k;
}

export function register(program: Command) {
  const reg = program.command('registry').description('Danh mục cơ sở KCB, nhà thuốc, người hành nghề / facility, pharmacy and practitioner registries');
  const data = ['--data <dir>', 'PGlite data directory (when DATABASE_URL is not set)', '.ssk/gateway'] as const;

  reg
    .command('import <kind> <file>')
    .description('Nhập tệp CSV (dòng tiêu đề là tên cột) / import a CSV file (header row names the columns)')
    .option(...data)
    .option('--json', 'machine-readable output')
    .action((kindS: string, file: string, o: { data: string; json?: boolean }) =>
      runCommand(async () => {
        const kind = await kindArg(kindS);
        if (!kind) return EXIT.INVALID;
        const { readFileSync, statSync } = await import('node:fs');
        const { importCsv, CSV_MAX_BYTES } = await import('../../registry/index.ts');
        if (statSync(file).size > CSV_MAX_BYTES) {
          process.stderr.write(`LỖI / ERROR: tệp quá lớn / file larger than ${CSV_MAX_BYTES} bytes\n`);
          return EXIT.INVALID;
        }
        const r = await withDb(o.data, (db) => importCsv(db, kind, readFileSync(file, 'utf8')));
        if (o.json) console.log(JSON.stringify(r, null, 2));
        else if (!r.problems.length) console.log(`đã nhập / imported ${r.rows} (mới / created ${r.created}, cập nhật / updated ${r.updated})${r.issued.length ? `; cấp mã / issued ${r.issued.join(', ')}` : ''}`);
        printProblems(r.problems);
        return r.problems.length ? EXIT.INVALID : EXIT.OK;
      }),
    );

  reg
    .command('list <kind>')
    .description('Liệt kê / list entries')
    .option(...data)
    .option('--province <code>')
    .option('--district <code>')
    .option('--q <text>', 'search code or name')
    .option('--limit <n>', 'at most n rows', '100')
    .option('--csv', 'CSV output (the import columns)')
    .option('--json', 'machine-readable output')
    .action((kindS: string, o: { data: string; province?: string; district?: string; q?: string; limit: string; csv?: boolean; json?: boolean }) =>
      runCommand(async () => {
        const kind = await kindArg(kindS);
        if (!kind) return EXIT.INVALID;
        const { list, exportCsv, KINDS } = await import('../../registry/index.ts');
        const filter = { province: o.province, district: o.district, q: o.q, limit: Number(o.limit) };
        await withDb(o.data, async (db) => {
          if (o.csv) return process.stdout.write(await exportCsv(db, kind, filter));
          const r = await list(db, kind, filter);
          if (o.json) return console.log(JSON.stringify(r, null, 2));
          const key = KINDS[kind].key;
          for (const x of r.items) console.log([x[key], x.name, x.province ?? '', x.district ?? '', x.status].join('\t'));
          console.log(`(${r.items.length}/${r.total})`);
        });
      }),
    );

  reg
    .command('issue')
    .description('Cấp mã cơ sở KCB (MACSKCB) cho cơ sở chưa có mã / issue a facility code')
    .requiredOption('--province <code>', '2-digit province code')
    .requiredOption('--name <name>')
    .option('--district <code>')
    .option('--commune <code>')
    .option('--level <level>')
    .option('--ownership <o>', 'public | private | other', 'public')
    .option('--bhyt', 'has a BHYT contract')
    .option(...data)
    .option('--json', 'machine-readable output')
    .action((o: { province: string; name: string; district?: string; commune?: string; level?: string; ownership: string; bhyt?: boolean; data: string; json?: boolean }) =>
      runCommand(async () => {
        const { issueFacilityCode } = await import('../../registry/index.ts');
        const row = await withDb(o.data, (db) =>
          issueFacilityCode(db, { name: o.name, province: o.province, district: o.district, commune: o.commune, level: o.level, ownership: o.ownership, bhyt_contract: !!o.bhyt }),
        );
        console.log(o.json ? JSON.stringify(row, null, 2) : `mã đã cấp / issued code: ${row.macskcb}`);
      }),
    );

  reg
    .command('certs <macskcb>')
    .description('Chứng thư số của cơ sở và hiệu lực / a facility’s certificates and their validity')
    .option(...data)
    .option('--json', 'machine-readable output')
    .action((macskcb: string, o: { data: string; json?: boolean }) =>
      runCommand(async () => {
        const { facilityCertificates } = await import('../../registry/index.ts');
        const certs = await withDb(o.data, (db) => facilityCertificates(db, macskcb));
        if (o.json) return console.log(JSON.stringify(certs, null, 2));
        if (!certs.length) console.log('chưa có chứng thư / no certificate registered');
        for (const c of certs) console.log(`${c.status}\t${c.notAfter.toISOString().slice(0, 10)}\t${c.daysLeft}d\t${c.fingerprint.slice(0, 16)}…\t${c.subject}`);
      }),
    );
}
