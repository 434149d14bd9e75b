// Dashboard queries at scale: bulk-generate dossiers (10 million × BENCH_SCALE on PostgreSQL when
// DATABASE_URL is set; 500 thousand × BENCH_SCALE on PGlite) with SQL generate_series over a
// year and 2,000 facilities in 63 provinces, build the aggregates with refreshAggregates()
// (its throughput is a figure), then measure dashboard() p95 for the usual views against the
// p95 of a bare indexed read of the dossier table (one facility, one day) in the same run.
import { join } from 'node:path';
import { percentile, fig, type Figure, type Section } from '../harness.ts';
import { openDb, migrate, type Db } from '../../src/store/index.ts';
import { dashboard, refreshAggregates } from '../../src/monitoring/index.ts';

const DIRS = [join(import.meta.dirname, '../../src/registry/migrations'), join(import.meta.dirname, '../../src/monitoring/migrations')];
const FACILITIES = 2000;
const PROVINCES = 63;
const YEAR = 2025;

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function generate(db: Db, n: number, log: (m: string) => void): Promise<void> {
  const prov = (i: string) => `lpad((((${i}) % ${PROVINCES}) + 1)::text, 2, '0')`;
  await db.exec(`
    INSERT INTO facility_account (macskcb, name, province)
      SELECT ${prov('g')} || lpad((g / ${PROVINCES} + 1)::text, 3, '0'), 'CSKCB ' || g, ${prov('g')} FROM generate_series(0, ${FACILITIES - 1}) g;
    INSERT INTO reg_facility (macskcb, name, province, district, level)
      SELECT macskcb, name, province, lpad(((substr(macskcb, 3)::int % 5) + 1 + substr(macskcb, 1, 2)::int * 5)::text, 3, '0'), 'district' FROM facility_account;
    INSERT INTO package_archive (sha256, macskcb, bytes, size, status, receipt, received_at)
      SELECT 'bench' || macskcb, macskcb, '\\x00'::bytea, 1, 'accepted', '{}'::jsonb, '${YEAR}-01-01T00:00:00Z' FROM facility_account;`);
  const facs = (await db.query<{ macskcb: string; id: number }>(`SELECT macskcb, id FROM package_archive ORDER BY macskcb`)).rows;
  await db.exec(`CREATE TEMP TABLE bench_fac AS SELECT (row_number() OVER (ORDER BY macskcb) - 1)::int AS k, macskcb, id FROM package_archive`);
  const chunk = 500_000;
  const span = 365 * 86400;
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk) - 1;
    await db.exec(`
      INSERT INTO dossier (package_id, macskcb, ma_lk, version, visit_end, accepted_at, tables)
      SELECT f.id, f.macskcb, 'B' || g, 1,
        ts - (((g * 7919) % 2000) * interval '1 minute'),
        ts,
        CASE WHEN g % 10 = 0 THEN '{"XML1":[{"MA_LOAI_RV":"2"}],"XML13":[{"SO_CHUYENTUYEN":"1"}]}'::jsonb
             WHEN g % 7 = 0 THEN '{"XML1":[{"MA_LOAI_RV":"1","NGAY_TAI_KHAM":"20250101"}],"XML3":[{"MA_NHOM":"1"}],"XML4":[{"MA_DICH_VU":"x"}]}'::jsonb
             ELSE '{"XML1":[{"MA_LOAI_RV":"1"}]}'::jsonb END
      FROM generate_series(${start}::bigint, ${end}::bigint) g
      JOIN bench_fac f ON f.k = (g * 31) % ${facs.length}
      CROSS JOIN LATERAL (SELECT '${YEAR}-01-01T00:00:00+07:00'::timestamptz + ((g * ${span} / ${n}) * interval '1 second') AS ts) t`);
    log(`dossiers ${end + 1}/${n}`);
  }
  await db.exec(`
    INSERT INTO checkin (macskcb, ma_lk, id_method, received_at, row)
      SELECT macskcb, ma_lk, (ARRAY['vneid', 'chip_cccd', 'bhyt_card', 'vneid', 'other'])[(id % 5) + 1], visit_end, '{}'::jsonb FROM dossier WHERE id % 3 = 0;
    ANALYZE`);
}

const section: Section = {
  name: 'dashboard',
  async run(ctx) {
    const figures: Figure[] = [];
    const targets: { name: string; n: number; open: () => Promise<Db>; drop?: (db: Db) => Promise<void> }[] = [];
    if (process.env.DATABASE_URL) {
      const schema = `bench_dash_${Date.now().toString(36)}`;
      targets.push({
        name: 'PostgreSQL',
        n: Math.max(20_000, Math.round(10_000_000 * ctx.scale)),
        open: () => openDb({ url: process.env.DATABASE_URL!, schema, max: 8 }),
        drop: (db) => db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).then(() => undefined),
      });
    } else ctx.log('DATABASE_URL is not set: the 10-million-dossier run needs PostgreSQL; PGlite only');
    targets.push({ name: 'PGlite', n: Math.max(20_000, Math.round(500_000 * ctx.scale)), open: () => openDb({ dataDir: join(ctx.tmp, 'dash-pglite') }) });

    for (const t of targets) {
      const db = await t.open();
      try {
        await migrate(db, DIRS);
        const g0 = performance.now();
        await generate(db, t.n, ctx.log);
        ctx.log(`${t.name}: generated ${t.n} dossiers in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
        const r0 = performance.now();
        for (let m = 1; m <= 12; m++) await refreshAggregates(db, { month: `${YEAR}-${String(m).padStart(2, '0')}` } as any);
        const refreshS = (performance.now() - r0) / 1000;
        const cells = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mon_day`)).rows[0].n;
        await db.exec('ANALYZE');
        ctx.log(`${t.name}: aggregates ${cells} cells in ${refreshS.toFixed(1)} s`);

        // the bare indexed read: one facility, one local day, from the dossier table
        const facs = (await db.query<{ macskcb: string; province: string; district: string }>(`SELECT macskcb, province, district FROM reg_facility ORDER BY macskcb`)).rows;
        const iters = Math.max(15, Math.round(60 * Math.min(1, ctx.scale * 4)));
        const pick = (i: number) => facs[(i * 37) % facs.length];
        const day = (i: number) => `${YEAR}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
        const bare: number[] = [];
        for (let i = 0; i < iters; i++) {
          const d = day(i);
          bare.push(await timeIt(() => db.query(`SELECT count(*) FROM dossier WHERE macskcb = $1 AND accepted_at >= $2::timestamptz AND accepted_at < $2::timestamptz + interval '1 day'`, [pick(i).macskcb, `${d}T00:00:00+07:00`])));
        }
        const bareP95 = percentile(bare, 95);
        const views: [string, (i: number) => Parameters<typeof dashboard>[1]][] = [
          ['nation, month', (i) => ({ period: { month: day(i).slice(0, 7) } })],
          ['province, month', (i) => ({ area: { province: pick(i).province }, period: { month: day(i).slice(0, 7) } })],
          ['district, month', (i) => ({ area: { province: pick(i).province, district: pick(i).district }, period: { month: day(i).slice(0, 7) } })],
          ['facility, month', (i) => ({ area: { macskcb: pick(i).macskcb }, period: { month: day(i).slice(0, 7) } })],
          ['province, year (monthly series)', (i) => ({ area: { province: pick(i).province }, period: { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` } })],
          ['nation, year (monthly series)', () => ({ period: { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` } })],
        ];
        for (const [name, q] of views) {
          const times: number[] = [];
          await dashboard(db, q(0)); // warm
          for (let i = 0; i < iters; i++) times.push(await timeIt(() => dashboard(db, q(i))));
          figures.push(fig(`${t.name} dashboard p95, ${name} (${t.n.toLocaleString('en')} dossiers)`, percentile(times, 95), 'ms', { name: 'indexed dossier read p95', value: bareP95 }, `goal < 200 ms; p50 ${percentile(times, 50).toFixed(1)} ms`));
        }
        figures.push(fig(`${t.name} aggregate refresh throughput`, t.n / refreshS, 'dossiers/s', undefined, `${cells} day×facility cells for a year`));
        // incremental: recompute one day for every facility
        const one = await timeIt(() => refreshAggregates(db, { from: `${YEAR}-06-15`, to: `${YEAR}-06-15` }));
        figures.push(fig(`${t.name} refresh of one day (all facilities)`, one, 'ms', { name: 'indexed dossier read p95', value: bareP95 }));
      } finally {
        await t.drop?.(db);
        await db.close();
      }
    }
    return figures;
  },
};

export default section;
