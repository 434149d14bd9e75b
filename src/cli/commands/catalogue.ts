// `ssk catalogue`: import a facility's approved catalogues (CSV or XLSX as issued by the insurance
// agency; tolerant header matching, see docs/standard.md), check packages against them, and write
// a synthetic catalogue for tests and the demo.
import type { Command } from 'commander';
import { runCommand, EXIT, printProblems } from '../command.ts';
import type { FacilityCatalogue, CatalogueKind } from '../../standard/index.ts';

/** Read a catalogue file (CSV, XLSX: every sheet, XML: every record element). Unusable rows are reported on stderr and skipped. */
export async function loadCatalogueFile(path: string, defaultKind?: CatalogueKind, report = true): Promise<FacilityCatalogue> {
  const { readFile } = await import('node:fs/promises');
  const std = await import('../../standard/index.ts');
  const { ProblemError, problem } = await import('../../errors/index.ts');
  const bytes = await readFile(path);
  const entries: FacilityCatalogue['entries'] = [];
  const problems = [];
  if (/\.xlsx$/i.test(path) || (bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    } catch (e) {
      throw new ProblemError(problem(std.STD.STD_CAT_FILE, path, { detail: e instanceof Error ? e.message.slice(0, 200) : 'xlsx' }));
    }
    for (const ws of wb.worksheets) {
      const rows: (string | number | Date | null)[][] = [];
      ws.eachRow({ includeEmpty: false }, (row) => {
        const cells: (string | number | Date | null)[] = [];
        for (let c = 1; c <= ws.columnCount; c++) {
          const v = row.getCell(c).value as unknown;
          cells.push(v === null || v === undefined ? null : v instanceof Date ? v : typeof v === 'object' ? String((v as { text?: string; result?: unknown }).text ?? (v as { result?: unknown }).result ?? '') : (v as string | number));
        }
        rows.push(cells);
      });
      const r = std.catalogueFromRows(rows, defaultKind, `${path}#${ws.name}`);
      entries.push(...r.entries);
      problems.push(...r.problems);
    }
  } else if (/\.xml$/i.test(path) || bytes.subarray(0, 64).toString('latin1').trimStart().startsWith('<')) {
    const r = std.catalogueFromRows(std.catalogueRowsFromXml(bytes), defaultKind, path);
    entries.push(...r.entries);
    problems.push(...r.problems);
  } else {
    const r = std.catalogueFromRows(std.parseCsv(bytes.toString('utf8')), defaultKind, path);
    entries.push(...r.entries);
    problems.push(...r.problems);
  }
  if (report && problems.length) printProblems(problems.slice(0, 50));
  if (!entries.length) throw new ProblemError(problems.length ? problems.slice(0, 20) : [problem(std.STD.STD_CAT_FILE, path, { detail: 'no entries / không có mục nào' })]);
  return { entries };
}

export function register(program: Command) {
  const cmd = program.command('catalogue').description('Danh mục được duyệt của cơ sở (thuốc, DVKT, VTYT) / facility approved catalogues');
  cmd
    .command('import')
    .description('Đọc danh mục (CSV/XLSX) và ghi ra CSV chuẩn / read a catalogue (CSV/XLSX) and write the normalised CSV')
    .argument('<file>', 'catalogue file (.csv, .xlsx or .xml)')
    .option('--kind <kind>', 'drug | service | supply when the file does not say')
    .option('--out <file>', 'write the normalised CSV here')
    .option('--json', 'print the entries as JSON')
    .action((file: string, o: { kind?: CatalogueKind; out?: string; json?: boolean }) =>
      runCommand(async () => {
        const cat = await loadCatalogueFile(file, o.kind);
        const std = await import('../../standard/index.ts');
        if (o.out) {
          const { writeFile } = await import('node:fs/promises');
          await writeFile(o.out, std.catalogueToCsv(cat.entries));
        }
        if (o.json) process.stdout.write(JSON.stringify(cat.entries, null, 2) + '\n');
        else {
          const by = (k: string) => cat.entries.filter((e) => e.kind === k).length;
          process.stdout.write(`${cat.entries.length} mục / entries: ${by('drug')} thuốc / drugs, ${by('service')} DVKT / services, ${by('supply')} VTYT / supplies\n`);
        }
        return EXIT.OK;
      }),
    );
  cmd
    .command('check')
    .description('Kiểm tra mã, đơn vị, đơn giá của gói theo danh mục / check codes, units, prices of packages against a catalogue')
    .argument('<catalogue>', 'catalogue file (.csv or .xlsx)')
    .argument('<packages...>', 'package files')
    .option('--json', 'JSON output')
    .action((catalogue: string, packages: string[], o: { json?: boolean }) =>
      runCommand(async () => {
        const { readFile } = await import('node:fs/promises');
        const std = await import('../../standard/index.ts');
        const { formatProblem } = await import('../../errors/index.ts');
        const check = std.catalogueCheck(await loadCatalogueFile(catalogue));
        let bad = 0;
        let unusable = 0;
        const out: unknown[] = [];
        for (const f of packages) {
          const r = std.validateBytes(await readFile(f));
          if (!r.package) {
            unusable++;
            out.push({ file: f, unusable: true, problems: r.problems });
            if (!o.json) printProblems(r.problems);
            continue;
          }
          const problems = r.package.dossiers.flatMap((d, i) => check(d, `hoso[${i}]`));
          if (problems.some((p) => p.severity === 'error')) bad++;
          out.push({ file: f, problems });
          if (!o.json) {
            process.stdout.write(`${f}: ${problems.length ? `${problems.length} vấn đề / findings` : 'khớp danh mục / matches the catalogue'}\n`);
            for (const p of problems) process.stdout.write(`  ${formatProblem(p)}\n`);
          }
        }
        if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return unusable ? EXIT.UNUSABLE : bad ? EXIT.INVALID : EXIT.OK;
      }),
    );
  cmd
    .command('synth')
    .description('Ghi danh mục tổng hợp (dữ liệu giả) / write a synthetic catalogue')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--extra <n>', 'generated entries beyond those the fixtures use', '300')
    .action((o: { out: string; extra: string }) =>
      runCommand(async () => {
        const { syntheticCatalogue } = await import('../../standard/testing.ts');
        const std = await import('../../standard/index.ts');
        const { writeFile } = await import('node:fs/promises');
        const entries = syntheticCatalogue(Number(o.extra));
        await writeFile(o.out, std.catalogueToCsv(entries));
        process.stdout.write(`${entries.length} mục / entries → ${o.out}\n`);
        return EXIT.OK;
      }),
    );
}
