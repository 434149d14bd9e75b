// End to end: realistic generated visits (src/demo) signed and sent over HTTP to a gateway with
// every module and its outbox worker, until each dossier is in the citizen's health book.
// Figures: dossiers/s from the first send to the last book entry, and send → book p50/p99,
// against the bare cost of verify + parse of the same packages measured in this run.
import { fig, percentile, rate, type Figure, type Section } from '../harness.ts';
import { openTestDb, dbKinds, type DbKind } from '../../src/store/testing.ts';
import { allMigrationDirs } from '../../src/store/modules.ts';
import { startGateway, addFacility, issueToken, registerCertificate } from '../../src/gateway/index.ts';
import { buildPackage, parsePackage } from '../../src/standard/index.ts';
import { createDevCa, issueFacilityCertificate, signerFromPem, signXml, verifySignedXml } from '../../src/signature/index.ts';
import { generateProvince, EncounterGenerator } from '../../src/demo/index.ts';

async function runKind(kind: DbKind, n: number, concurrency: number, log: (m: string) => void) {
  const t = await openTestDb(kind, allMigrationDirs());
  const gw = await startGateway({ db: t.db, port: 0, config: { maxInFlight: 1024 } });
  try {
    const province = generateProvince({ seed: 70 });
    const facs = province.facilities.slice(0, 4);
    const ca = await createDevCa();
    const cred = new Map<string, { token: string; signer: any; der?: Buffer }>();
    for (const f of facs) {
      await addFacility(t.db, { macskcb: f.macskcb, name: f.name });
      const { token } = await issueToken(t.db, f.macskcb);
      const c = (await (issueFacilityCertificate as any)(ca, f.macskcb, f.name)) as { keyPem: string; certPem: string };
      await registerCertificate(t.db, f.macskcb, c.certPem);
      cred.set(f.macskcb, { token, signer: await signerFromPem(c.keyPem, c.certPem) });
    }
    const gen = new EncounterGenerator(province);
    log(`${kind}: signing ${n} generated packages`);
    const items: { maLk: string; mac: string; bytes: Buffer }[] = [];
    for (let i = 0; i < n; i++) {
      const f = facs[i % facs.length];
      const e = gen.next({ facility: f, end: new Date(Date.now() - 600_000) });
      const bytes = await signXml(buildPackage({ macskcb: f.macskcb, ngayLap: e.dossier.tables.XML1![0].NGAY_RA.slice(0, 8), dossiers: [e.dossier] }), cred.get(f.macskcb)!.signer);
      items.push({ maLk: e.maLk, mac: f.macskcb, bytes });
    }
    const size = items.reduce((s, x) => s + x.bytes.length, 0) / n;
    const sentAt = new Map<string, number>();
    let next = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < items.length) {
          const it = items[next++];
          sentAt.set(it.maLk, Date.now());
          const r = await fetch(`${gw.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${cred.get(it.mac)!.token}` }, body: it.bytes });
          const body = (await r.json()) as { status: string };
          if (body.status !== 'accepted') throw new Error(`${kind}: a generated package was ${body.status}`);
        }
      }),
    );
    const deadline = Date.now() + 300_000;
    for (;;) {
      const r = await t.db.query<{ n: string }>(`SELECT count(DISTINCT dossier_id)::text AS n FROM book_entry`);
      if (Number(r.rows[0].n) >= n) break;
      if (Date.now() > deadline) throw new Error(`${kind}: only ${r.rows[0].n}/${n} in the book after 300 s`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const rows = await t.db.query<{ ma_lk: string; p: string }>(`SELECT ma_lk, (extract(epoch FROM min(published_at)) * 1000)::text AS p FROM book_entry GROUP BY ma_lk`);
    const lat = rows.rows.map((r) => Number(r.p) - (sentAt.get(r.ma_lk) ?? Number(r.p)));
    const last = Math.max(...rows.rows.map((r) => Number(r.p)));
    const secs = (last - t0) / 1000;
    const certDer = (await t.db.query(`SELECT der FROM facility_certificate WHERE macskcb = $1 LIMIT 1`, [items[0].mac])).rows[0].der as Buffer;
    const bare = await rate(() => {
      verifySignedXml(items[0].bytes, { expectedCertificates: [certDer] });
      parsePackage(items[0].bytes);
    }, 1000);
    return { perSec: n / secs, p50: percentile(lat, 50), p99: percentile(lat, 99), bare, size };
  } finally {
    await gw.close();
    await t.cleanup();
  }
}

const section: Section = {
  name: 'end-to-end',
  async run(ctx) {
    const n = Math.max(20, Math.round(400 * ctx.scale));
    const out: Figure[] = [];
    for (const kind of dbKinds()) {
      const r = await runKind(kind, n, 8, ctx.log);
      const name = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
      out.push(fig(`send → health book, ${name} (${n} generated dossiers, 8 senders)`, r.perSec, 'dossiers/s', { name: 'verify + parse of one package', value: r.bare }, `average package ${Math.round(r.size / 1024)} KiB`));
      out.push(fig(`send → book entry p50, ${name}`, r.p50, 'ms'));
      out.push(fig(`send → book entry p99, ${name}`, r.p99, 'ms'));
    }
    if (!process.env.DATABASE_URL) ctx.log('DATABASE_URL is not set: PostgreSQL not measured');
    return out;
  },
};
export default section;
