// Connector: intake throughput (spool with fsync + validate + queue in its PGlite database) and
// sealing throughput (build + sign + spool signed packages), each against the bare cost of the
// same work in the same run (validateBytes alone; signXml alone of a package of the same size).
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fig, type Section } from '../harness.ts';
import { buildPackage, validateBytes } from '../../src/standard/index.ts';
import { validPackage } from '../../src/standard/testing.ts';
import { createDevCa, issueFacilityCertificate, signerFromPem, signXml } from '../../src/signature/index.ts';
import { startConnector, fromSignatureSigner } from '../../src/connector/index.ts';

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const section: Section = {
  name: 'connector',
  async run(ctx) {
    const n = Math.max(20, Math.round(1000 * ctx.scale));
    const batch = 50;
    const files = Array.from({ length: n }, (_, i) => buildPackage(validPackage({ seed: 5000 + i, drugs: 3, services: 3 })));
    const ca = await createDevCa();
    const cert = await issueFacilityCertificate(ca, '01001', 'Bench');
    const signer = signerFromPem(cert.keyPem, cert.certPem);

    // Bare: validation alone of the same bytes.
    let t0 = performance.now();
    for (const f of files) validateBytes(f);
    const bareValidate = n / ((performance.now() - t0) / 1000);
    // Bare: signing alone of packages of `batch` dossiers.
    const big = buildPackage(validPackage({ seed: 9000, count: Math.min(batch, n), drugs: 3, services: 3 }));
    const rounds = Math.max(2, Math.round(n / batch));
    t0 = performance.now();
    for (let i = 0; i < rounds; i++) await signXml(big, signer);
    const bareSign = (rounds * Math.min(batch, n)) / ((performance.now() - t0) / 1000);

    const conn = await startConnector(
      {
        macskcb: '01001',
        dataDir: join(ctx.tmp, 'connector'),
        // Nothing listens: packages are sealed and wait for the gateway (sending is measured in 70-end-to-end).
        target: { kind: 'sosuckhoe', url: `http://127.0.0.1:${await deadPort()}`, token: 'bench' },
        http: { host: '127.0.0.1', port: 0 },
        batch: { maxDossiers: batch, maxBytes: 20 * 1024 * 1024, lingerMs: 0 },
        retry: { baseMs: 60_000, maxMs: 60_000, timeoutMs: 1000 },
        pollMs: 1000,
      },
      { signer: await fromSignatureSigner(signer) },
    );
    try {
      // Files arriving together (as a HIS drops or POSTs them): `batch` in flight at once, each
      // acknowledged only after its group's fsync and transaction (group commit).
      t0 = performance.now();
      for (let i = 0; i < n; i += batch) await Promise.all(files.slice(i, i + batch).map((b, j) => conn.submit(b, `f${i + j}.xml`)));
      const intakeSec = (performance.now() - t0) / 1000;
      for (;;) {
        const s = await conn.status();
        if (s.items.sending >= n) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const sealedSec = (performance.now() - t0) / 1000;
      ctx.log(`${n} one-dossier files: intake ${intakeSec.toFixed(2)} s, all sealed after ${sealedSec.toFixed(2)} s`);
      return [
        fig(`intake (spool fsync + validate + queue, ${batch} arriving together), dossiers/s`, n / intakeSec, 'dossiers/s', { name: 'validateBytes alone', value: bareValidate }),
        fig('intake → signed package spooled, dossiers/s', n / sealedSec, 'dossiers/s', { name: `signXml alone (${Math.min(batch, n)}-dossier packages)`, value: bareSign }),
      ];
    } finally {
      await conn.close();
    }
  },
};

export default section;
