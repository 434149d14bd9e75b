// `ssk validate <file|folder>...`: check packages (GIAMDINHHS), check-in (XML0) and assessment
// (XML12) documents against the standard. Output grouped per dossier, colour on a terminal,
// --json for machines. Exit 0 valid, 1 invalid, 2 unusable input.
import type { Command } from 'commander';
import { runCommand, EXIT, progress } from '../command.ts';

interface Opts {
  json?: boolean;
  color?: boolean;
  warnings?: boolean;
  catalogue?: string;
  maxBytes?: string;
  edition?: '4750' | '3176';
  severity?: string[];
}

export function register(program: Command) {
  program
    .command('validate')
    .description('Kiểm tra hồ sơ XML theo chuẩn QĐ 130/4750/3176 / validate XML packages against the standard')
    .argument('<paths...>', 'files or folders (folders are searched for *.xml)')
    .option('--json', 'JSON output for machines')
    .option('--no-color', 'no colour')
    .option('--no-warnings', 'hide warnings in the readable output')
    .option('--catalogue <file>', 'facility approved catalogue (CSV or XLSX) to check MA_THUOC / MA_DICH_VU / MA_VAT_TU and prices')
    .option('--edition <4750|3176>', 'declared edition: an XML13 in the other field order is reported as a warning')
    .option('--severity <CODE=level>', 'change a rule: error | warning | off (e.g. STD_REFERRAL_MISSING=error); repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--max-bytes <n>', 'refuse files larger than this many bytes', String(64 * 1024 * 1024))
    .action((paths: string[], o: Opts) => runCommand(() => validateCommand(paths, o)));
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

async function listFiles(paths: string[]): Promise<string[]> {
  const { stat, readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const s = await stat(p);
    if (s.isDirectory()) {
      const entries = (await readdir(p)).sort();
      for (const e of entries) {
        const q = join(p, e);
        const st = await stat(q);
        if (st.isDirectory()) await walk(q);
        else if (/\.xml$/i.test(e)) out.push(q);
      }
    } else out.push(p);
  };
  for (const p of paths) await walk(p);
  return out;
}

async function validateCommand(paths: string[], o: Opts): Promise<number> {
  const { readFile, stat } = await import('node:fs/promises');
  const std = await import('../../standard/index.ts');
  const { formatProblem, problem, COMMON } = await import('../../errors/index.ts');
  const maxBytes = Number(o.maxBytes ?? 64 * 1024 * 1024);
  const checks = [];
  if (o.catalogue) {
    const { loadCatalogueFile } = await import('./catalogue.ts');
    const cat = await loadCatalogueFile(o.catalogue);
    checks.push(std.catalogueCheck(cat));
  }
  const severity: Record<string, 'error' | 'warning' | 'off'> = {};
  for (const s of o.severity ?? []) {
    const [code, level] = s.split('=');
    if (!code || !['error', 'warning', 'off'].includes(level)) throw new Error(`--severity ${s}: expected CODE=error|warning|off`);
    severity[code] = level as 'error' | 'warning' | 'off';
  }
  if (o.edition && o.edition !== '4750' && o.edition !== '3176') throw new Error('--edition: 4750 or 3176');
  const files = await listFiles(paths);
  const colour = !o.json && o.color !== false && process.stdout.isTTY && !process.env.NO_COLOR;
  const c = (k: keyof typeof ANSI, s: string) => (colour ? `${ANSI[k]}${s}${ANSI.reset}` : s);
  const bar = files.length > 1 && !o.json ? progress('kiểm tra / validating', files.length) : null;
  let unusable = 0, invalid = 0, dossiers = 0, badDossiers = 0;
  const json: unknown[] = [];
  for (const file of files) {
    let result: ReturnType<typeof std.validateDocument>;
    try {
      const size = (await stat(file)).size;
      if (size > maxBytes) {
        result = { kind: 'unknown', unusable: true, valid: false, problems: [problem(COMMON.INPUT_TOO_LARGE, file, { limit: maxBytes })], dossiers: [] };
      } else {
        result = std.validateDocument(await readFile(file), { limits: { maxBytes }, checks, severity, edition: o.edition });
      }
    } catch (e) {
      const detail = e instanceof Error ? e.message.slice(0, 200) : String(e);
      result = { kind: 'unknown', unusable: true, valid: false, problems: [problem(COMMON.INPUT_INVALID, file, { rule: 'readable file', detail })], dossiers: [] };
    }
    bar?.tick();
    if (result.unusable) unusable++;
    else if (!result.valid) invalid++;
    dossiers += result.dossiers.length;
    badDossiers += result.dossiers.filter((d) => !d.valid).length;
    if (o.json) {
      const { package: _p, ...rest } = result;
      json.push({ file, ...rest });
      continue;
    }
    const show = (ps: typeof result.problems) => ps.filter((p) => o.warnings !== false || p.severity === 'error');
    const status = result.unusable ? c('red', 'KHÔNG DÙNG ĐƯỢC / UNUSABLE') : result.valid ? c('green', 'HỢP LỆ / VALID') : c('red', 'KHÔNG HỢP LỆ / INVALID');
    const quiet = result.valid && result.dossiers.every((d) => show(d.problems).length === 0) && show(result.problems).length === 0;
    if (quiet && files.length > 1) continue;
    if (bar && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    process.stdout.write(`${c('bold', file)}  ${status}\n`);
    for (const p of show(result.problems)) process.stdout.write(`  ${c(p.severity === 'error' ? 'red' : 'yellow', formatProblem(p))}\n`);
    for (const d of result.dossiers) {
      const ps = show(d.problems);
      process.stdout.write(`  ${c('dim', `hoso[${d.index}]`)} MA_LK ${d.maLk || '?'}  ${d.valid ? c('green', '✓') : c('red', '✗')}${ps.length ? ` (${ps.length})` : ''}\n`);
      for (const p of ps) process.stdout.write(`    ${c(p.severity === 'error' ? 'red' : 'yellow', formatProblem(p))}\n`);
    }
  }
  bar?.end();
  const summary = { files: files.length, unusable, invalid, valid: files.length - unusable - invalid, dossiers, invalidDossiers: badDossiers };
  if (o.json) process.stdout.write(JSON.stringify({ summary, results: json }, null, 2) + '\n');
  else process.stdout.write(`\n${files.length} tệp / files: ${c('green', `${summary.valid} hợp lệ / valid`)}, ${c(invalid ? 'red' : 'dim', `${invalid} không hợp lệ / invalid`)}, ${c(unusable ? 'red' : 'dim', `${unusable} không dùng được / unusable`)}; ${dossiers} hồ sơ / dossiers, ${badDossiers} có lỗi / with errors\n`);
  return unusable ? EXIT.UNUSABLE : invalid ? EXIT.INVALID : EXIT.OK;
}
