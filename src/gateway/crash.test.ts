// kill -9 of a gateway process in the middle of a stream of submissions: after a restart every
// package that got an "accepted" receipt is stored whole, and nothing is half-stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbKinds, openTestDb, type TestDb } from '../store/testing.ts';
import { allMigrationDirs } from '../store/modules.ts';
import { openDb, migrate, type Db } from '../store/index.ts';
import { signedPackageFor, type TestFacility } from './testing.ts';
import { createDevCa, issueFacilityCertificate, signerFromPem } from '../signature/index.ts';
import { spawnServe } from './procs.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

for (const kind of dbKinds()) {
  test(`kill -9 mid-stream, restart: accepted receipts stored whole, nothing half-stored (${kind})`, { timeout: 180_000 }, async () => {
    let pgTest: TestDb | undefined;
    let dir: string | undefined;
    let env: Record<string, string | undefined>;
    let args: string[] = [];
    const openIt = async (): Promise<Db> => {
      if (pgTest) return pgTest.db;
      const db = await openDb({ dataDir: dir });
      await migrate(db, allMigrationDirs());
      return db;
    };
    if (kind === 'postgres') {
      pgTest = await openTestDb('postgres', allMigrationDirs());
      env = { DATABASE_URL: pgTest.url, DATABASE_SCHEMA: pgTest.schema };
    } else {
      dir = mkdtempSync(join(tmpdir(), 'ssk-crash-'));
      env = { DATABASE_URL: undefined };
      args = ['--data', join(dir)];
    }
    try {
      // Provision through the admin API of the first process (one database open fewer on PGlite).
      const operator = 'crash-test-operator';
      let gw = await spawnServe({ env: { ...env, SSK_OPERATOR_TOKEN: operator }, args: [...args, '--no-worker'] });
      const admin = async (path: string, body: unknown) => {
        const r = await fetch(`${gw.url}/api/v1/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        assert.ok(r.status < 300, `${path}: ${r.status}`);
        return (await r.json()) as any;
      };
      const ca = await createDevCa();
      const cert = await issueFacilityCertificate(ca, '01001', 'Bệnh viện thử');
      await admin('/facilities', { macskcb: '01001', name: 'Bệnh viện thử' });
      const token: string = (await admin('/facilities/01001/tokens', {})).token;
      await admin('/facilities/01001/certificates', { pem: cert.certPem });
      const f = { macskcb: '01001', token, signer: signerFromPem(cert.keyPem, cert.certPem) } as TestFacility;
      const packages = await Promise.all(Array.from({ length: 24 }, (_, i) => signedPackageFor(f, { seed: 500 + i, maLk: `LK-K${i}` })));
      const accepted = new Map<string, any>();
      let sent = 0;
      let killed = false;
      // 4 concurrent senders; kill -9 after 8 accepted receipts, while requests are in flight.
      const sender = async () => {
        while (sent < packages.length) {
          const p = packages[sent++];
          try {
            const r = await fetch(`${gw.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${f.token}` }, body: p });
            const body = (await r.json()) as any;
            if (r.status === 200 && body.status === 'accepted') accepted.set(sha(p), body);
          } catch {
            /* connection cut by the kill */
          }
          if (!killed && accepted.size >= 8) {
            killed = true;
            await gw.kill9();
          }
        }
      };
      await Promise.all([sender(), sender(), sender(), sender()]);
      assert.ok(killed);
      assert.ok(accepted.size >= 8);

      gw = await spawnServe({ env, args: [...args, '--no-worker'] });
      try {
        for (const [hash, receipt] of accepted) {
          const r = await fetch(`${gw.url}/api/v1/packages/${hash}`, { headers: { authorization: `Bearer ${f.token}` } });
          assert.equal(r.status, 200, `accepted package ${hash} is stored`);
          assert.deepEqual(await r.json(), receipt);
          const orig = Buffer.from(await (await fetch(`${gw.url}/api/v1/packages/${hash}/original`, { headers: { authorization: `Bearer ${f.token}` } })).arrayBuffer());
          assert.equal(sha(orig), hash);
        }
        // resending everything after the restart completes the stream without duplicates
        for (const p of packages) {
          const r = await fetch(`${gw.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${f.token}` }, body: p });
          assert.equal(((await r.json()) as any).status, 'accepted');
        }
      } finally {
        await gw.stop();
      }
      const db = await openIt();
      try {
        const archive = (await db.query(`SELECT id, sha256, bytes, receipt FROM package_archive`)).rows;
        assert.equal(archive.length, packages.length);
        for (const a of archive) {
          assert.equal(sha(a.bytes), a.sha256, 'archived bytes are whole');
          const ds = (await db.query(`SELECT id FROM dossier WHERE package_id = $1 ORDER BY id`, [a.id])).rows.map((r) => r.id);
          assert.deepEqual(ds, a.receipt.dossiers.filter((d: any) => d.status === 'accepted').map((d: any) => d.dossierId), 'every accepted dossier of the receipt is stored');
        }
        assert.equal((await db.query(`SELECT count(*)::int AS n FROM dossier WHERE package_id NOT IN (SELECT id FROM package_archive)`)).rows[0].n, 0);
        const consumers = (await db.query(`SELECT count(*)::int AS n FROM outbox_consumer WHERE topic = 'dossier.accepted'`)).rows[0].n;
        assert.equal((await db.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'dossier.accepted'`)).rows[0].n, packages.length * consumers);
      } finally {
        if (!pgTest) await db.close();
      }
    } finally {
      if (pgTest) await pgTest.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
}
