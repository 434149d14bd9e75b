// Two gateway processes (`ssk serve`) on one PostgreSQL schema receive the same and different
// packages at once: nothing lost, nothing duplicated, the same bytes get the same receipt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openTestDb } from '../store/testing.ts';
import { allMigrationDirs } from '../store/modules.ts';
import { provisionFacility, signedPackageFor, testCa } from './testing.ts';
import { spawnServe, type ServeProcess } from './procs.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

if (process.env.DATABASE_URL) {
  test('two gateway processes on one PostgreSQL lose and duplicate nothing', { timeout: 120_000 }, async () => {
    const t = await openTestDb('postgres', allMigrationDirs());
    const procs: ServeProcess[] = [];
    try {
      const ca = await testCa();
      const f = await provisionFacility(t.db, ca, '01001');
      const env = { DATABASE_URL: t.url, DATABASE_SCHEMA: t.schema };
      procs.push(...(await Promise.all([spawnServe({ env, args: ['--no-worker'] }), spawnServe({ env, args: ['--no-worker'] })])));
      const [a, b] = procs;
      const post = (url: string, bytes: Uint8Array, replaces?: string) =>
        fetch(`${url}/api/v1/packages`, {
          method: 'POST',
          headers: { 'content-type': 'application/xml', authorization: `Bearer ${f.token}`, ...(replaces ? { 'x-replaces': replaces } : {}) },
          body: bytes,
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

      const same = await Promise.all(Array.from({ length: 12 }, (_, i) => signedPackageFor(f, { seed: 100 + i, maLk: `LK-S${i}` })));
      const diff = await Promise.all(Array.from({ length: 12 }, (_, i) => signedPackageFor(f, { seed: 200 + i, maLk: `LK-D${i}` })));
      // two different packages for one MA_LK at once, neither declared a replacement: exactly one wins
      const clash = await Promise.all([signedPackageFor(f, { seed: 300, maLk: 'LK-X' }), signedPackageFor(f, { seed: 301, maLk: 'LK-X' })]);

      const jobs: Promise<{ key: string; status: number; body: any }>[] = [];
      for (const p of same) for (const gw of [a, b]) jobs.push(post(gw.url, p).then((r) => ({ key: sha(p), ...r })));
      diff.forEach((p, i) => jobs.push(post((i % 2 ? a : b).url, p).then((r) => ({ key: sha(p), ...r }))));
      jobs.push(post(a.url, clash[0]).then((r) => ({ key: 'clash', ...r })), post(b.url, clash[1]).then((r) => ({ key: 'clash', ...r })));
      const results = await Promise.all(jobs);

      for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
      for (const p of same) {
        const pair = results.filter((r) => r.key === sha(p));
        assert.equal(pair.length, 2);
        assert.equal(pair[0].body.status, 'accepted');
        assert.deepEqual(pair[0].body, pair[1].body, 'the same bytes get the same receipt from either process');
      }
      for (const p of diff) assert.equal(results.find((r) => r.key === sha(p))!.body.status, 'accepted');
      const clashes = results.filter((r) => r.key === 'clash').map((r) => r.body.status).sort();
      assert.deepEqual(clashes, ['accepted', 'rejected']);

      const q = async (sql: string) => (await t.db.query(sql)).rows[0].n as number;
      assert.equal(await q(`SELECT count(*)::int AS n FROM package_archive`), 25);
      assert.equal(await q(`SELECT count(*)::int AS n FROM dossier`), 25);
      assert.equal(await q(`SELECT count(DISTINCT ma_lk)::int AS n FROM dossier`), 25);
      const consumers = await q(`SELECT count(*)::int AS n FROM outbox_consumer WHERE topic = 'dossier.accepted'`);
      assert.equal(await q(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'dossier.accepted'`), 25 * consumers);
      assert.equal(await q(`SELECT count(DISTINCT (payload->>'dossierId'))::int AS n FROM outbox WHERE topic = 'dossier.accepted'`), consumers ? 25 : 0);
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await t.cleanup();
    }
  });
}
