// `npm run bench`: one command, all figures from one run, the machine noted. Writes
// bench/results/latest.json and bench/results/latest.md. BENCH_SCALE=0.1 for a quick run;
// BENCH_ONLY=name,name to run some sections; BENCH_SCALE_<NAME>=x scales one section (e.g.
// BENCH_SCALE_DASHBOARD=0.1).
import { readdirSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { machine, type Section, type Figure } from './harness.ts';

const dir = join(import.meta.dirname, 'sections');
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const scale = Number(process.env.BENCH_SCALE ?? '1');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
const results: { section: string; scale?: number; figures: Figure[]; error?: string; seconds: number }[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'ssk-bench-'));
console.log(`sosuckhoe bench — ${JSON.stringify(machine())}`);
for (const f of files) {
  const mod = (await import(join(dir, f))) as { default: Section };
  const s = mod.default;
  if (only && !only.includes(s.name)) continue;
  console.log(`\n== ${s.name}`);
  const t0 = performance.now();
  try {
    const own = process.env[`BENCH_SCALE_${s.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
    const sectionScale = own ? Number(own) : scale;
    if (sectionScale !== scale) console.log(`   scale ${sectionScale}`);
    const figures = await s.run({ scale: sectionScale, log: (m) => console.log(`   ${m}`), tmp });
    for (const x of figures) console.log(`   ${x.name}: ${x.value} ${x.unit}${x.ratio !== undefined ? `  (bare ${x.bare!.name} ${x.bare!.value}; ratio ${x.ratio})` : ''}${x.note ? `  — ${x.note}` : ''}`);
    results.push({ section: s.name, scale: sectionScale, figures, seconds: Math.round((performance.now() - t0) / 1000) });
  } catch (e) {
    console.error(`   FAILED: ${e instanceof Error ? e.stack : e}`);
    results.push({ section: s.name, figures: [], error: String(e), seconds: Math.round((performance.now() - t0) / 1000) });
  }
}
rmSync(tmp, { recursive: true, force: true });
const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
const report = { machine: machine(), scale, results };
writeFileSync(join(out, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
const md = [
  `# Benchmark results`,
  ``,
  `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memGiB} GiB, ${report.machine.node}, ${report.machine.date}. Scale ${scale}.`,
  ``,
  `| section | figure | value | unit | bare cost | ratio | note |`,
  `|---|---|---:|---|---|---:|---|`,
  ...results.flatMap((r) =>
    r.error
      ? [`| ${r.section} | FAILED | | | | | ${r.error.replace(/\|/g, '/').slice(0, 120)} |`]
      : r.figures.map((x) => `| ${r.section}${r.scale !== undefined && r.scale !== scale ? ` (scale ${r.scale})` : ''} | ${x.name} | ${x.value} | ${x.unit} | ${x.bare ? `${x.bare.name} ${x.bare.value}` : ''} | ${x.ratio ?? ''} | ${x.note ?? ''} |`),
  ),
  ``,
];
writeFileSync(join(out, 'latest.md'), md.join('\n'));
console.log(`\nwritten bench/results/latest.json and latest.md`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
