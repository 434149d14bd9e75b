// The synthetic province generator and the bulk load path for the scale benchmarks:
// encounters/s (typed dossiers), package bytes/s (buildPackage), and bulk dossier rows/s into
// PGlite and PostgreSQL, each against a plain single-row SQL insert measured in the same run.
import { join } from 'node:path';
import { rate, fig, type Section, type Figure } from '../harness.ts';
import { generateProvince, EncounterGenerator, toPackages, bulkLoadDossiers } from '../../src/demo/index.ts';
import { buildPackage, validatePackage } from '../../src/standard/index.ts';
import { openDb, migrate, type Db } from '../../src/store/index.ts';
import { allMigrationDirs } from '../../src/store/modules.ts';

async function plainInsertRate(db: Db): Promise<number> {
  await db.query(`CREATE TABLE IF NOT EXISTS bench_plain_insert (id bigserial PRIMARY KEY, a text, b jsonb)`);
  return rate(() => db.query(`INSERT INTO bench_plain_insert (a, b) VALUES ($1, $2::jsonb)`, ['x', '{"k":1}']), 800);
}

const section: Section = {
  name: 'generator',
  async run(ctx) {
    const out: Figure[] = [];
    const p = generateProvince({ seed: 1 });
    const g = new EncounterGenerator(p);
    const end = new Date();
    const encRate = await rate(() => g.next({ end }), 1000);
    const sample = Array.from({ length: 200 }, () => g.next({ end }));
    const pkgs = toPackages(sample, 1);
    let i = 0;
    let bytes = 0;
    const buildRate = await rate(() => {
      bytes += buildPackage(pkgs[i++ % pkgs.length]).length;
    }, 1000);
    const avg = bytes / Math.max(1, i);
    let j = 0;
    const valRate = await rate(() => validatePackage(pkgs[j++ % pkgs.length]), 1000);
    out.push(fig('encounters generated (typed dossiers)', encRate, 'dossiers/s', { name: 'validatePackage of one dossier', value: valRate }));
    out.push(fig('buildPackage of a generated one-dossier package', buildRate, 'packages/s', undefined, `average ${Math.round(avg / 1024)} KiB`));

    const count = Math.max(2000, Math.round(200_000 * ctx.scale));
    const kinds: { name: string; open: () => Promise<Db>; cleanup?: (db: Db) => Promise<void> }[] = [
      { name: 'PGlite', open: () => openDb({ dataDir: join(ctx.tmp, 'gen-pglite') }) },
    ];
    if (process.env.DATABASE_URL) {
      const schema = `bench_gen_${Date.now().toString(36)}`;
      kinds.push({
        name: 'PostgreSQL',
        open: () => openDb({ url: process.env.DATABASE_URL!, schema }),
        cleanup: async (db) => {
          await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        },
      });
    } else ctx.log('DATABASE_URL is not set: PostgreSQL bulk load not measured');
    for (const k of kinds) {
      const db = await k.open();
      try {
        await migrate(db, allMigrationDirs());
        const bare = await plainInsertRate(db);
        let shown = 0;
        const res = await bulkLoadDossiers(db, p, {
          count,
          onProgress: (d, t) => {
            if (d - shown >= t / 4) {
              shown = d;
              ctx.log(`${k.name}: ${d}/${t}`);
            }
          },
        });
        const est = 10_000_000 / res.rowsPerSecond / 60;
        out.push(fig(`bulk dossier load, ${k.name} (${count} rows)`, res.rowsPerSecond, 'rows/s', { name: 'plain single-row INSERT', value: bare }, `10 million rows ≈ ${est.toFixed(0)} min at this rate`));
      } finally {
        await k.cleanup?.(db);
        await db.close();
      }
    }
    return out;
  },
};
export default section;
