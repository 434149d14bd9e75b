// Gateway ingest: signed packages accepted per second over real HTTP (PGlite; PostgreSQL too when
// DATABASE_URL is set, in a fresh schema), p50/p99 latency, and the ratio to the bare cost of
// verify + parse of the same package measured in this run.
import { fig, percentile, rate, type Figure, type Section } from '../harness.ts';
import { openTestDb, type DbKind } from '../../src/store/testing.ts';
import { allMigrationDirs } from '../../src/store/modules.ts';
import { startGateway } from '../../src/gateway/index.ts';
import { provisionFacility, signedPackageFor, testCa } from '../../src/gateway/testing.ts';
import { verifySignedXml } from '../../src/signature/index.ts';
import { parsePackage, validateBytes } from '../../src/standard/index.ts';

async function runKind(kind: DbKind, n: number, concurrency: number, log: (m: string) => void) {
  const t = await openTestDb(kind, allMigrationDirs());
  const gw = await startGateway({ db: t.db, port: 0, config: { modules: ['gateway'], worker: false, maxInFlight: 1024 } });
  try {
    const ca = await testCa();
    const f = await provisionFacility(t.db, ca, '01001');
    log(`${kind}: signing ${n} packages`);
    const pkgs: Buffer[] = [];
    for (let i = 0; i < n; i++) pkgs.push(await signedPackageFor(f, { seed: 1000 + i, maLk: `LK-B${i}` }));
    const size = pkgs.reduce((s, p) => s + p.length, 0) / n;
    const certDer = (await t.db.query(`SELECT der FROM facility_certificate LIMIT 1`)).rows[0].der as Buffer;
    const lat: number[] = [];
    let next = 0;
    let ok = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < pkgs.length) {
          const p = pkgs[next++];
          const s = performance.now();
          const r = await fetch(`${gw.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${f.token}` }, body: p });
          const body = (await r.json()) as { status: string };
          lat.push(performance.now() - s);
          if (body.status === 'accepted') ok++;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    // CPU of this process (gateway + HTTP clients + PGlite when embedded) per package: far less
    // sensitive than packages/s to other work on a shared machine.
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / n;
    if (ok !== n) throw new Error(`${kind}: only ${ok}/${n} accepted`);
    const sample = pkgs[0];
    const bare = await rate(() => {
      verifySignedXml(sample, { expectedCertificates: [certDer] });
      parsePackage(sample);
    }, 1000);
    const bareValidate = await rate(() => {
      verifySignedXml(sample, { expectedCertificates: [certDer] });
      validateBytes(sample);
    }, 1000);
    return { kind, perSec: ok / secs, p50: percentile(lat, 50), p99: percentile(lat, 99), bare, bareValidate, size, cpuMs };
  } finally {
    await gw.close();
    await t.cleanup();
  }
}

const section: Section = {
  name: 'ingest',
  async run(ctx) {
    const n = Math.max(20, Math.round(400 * ctx.scale));
    const out: Figure[] = [];
    const kinds: DbKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
    for (const kind of kinds) {
      const r = await runKind(kind, n, 8, ctx.log);
      const note = `${n} packages of ${Math.round(r.size / 1024)} KiB, 1 dossier each, 8 concurrent HTTP clients`;
      out.push(fig(`${kind}: accepted packages/s (HTTP, signed, validated, archived, receipt)`, r.perSec, 'packages/s', { name: 'verify+parse of the same package', value: r.bare }, note));
      out.push(fig(`${kind}: accepted packages/s vs verify+validate`, r.perSec, 'packages/s', { name: 'verify+validate of the same package', value: r.bareValidate }));
      out.push(fig(`${kind}: latency p50`, r.p50, 'ms'));
      out.push(fig(`${kind}: latency p99`, r.p99, 'ms'));
      out.push(fig(`${kind}: CPU of the bench process per accepted package`, r.cpuMs, 'ms', { name: 'verify+parse of the same package', value: 1000 / r.bare }, kind === 'pglite' ? 'gateway, PGlite and the HTTP clients' : 'gateway and the HTTP clients (PostgreSQL server not counted)'));
    }
    return out;
  },
};
export default section;
