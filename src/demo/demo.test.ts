// `ssk demo --once` as a child process against a temp dir: the province is provisioned, the
// dossiers are signed and accepted, and the health book received every one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { openDb } from '../store/index.ts';

const MAIN = join(import.meta.dirname, '..', 'cli', 'main.ts');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b) => (stdout += String(b)));
    p.stderr.on('data', (b) => (stderr += String(b)));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('ssk demo --once sends dossiers that reach the health book', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-demo-'));
  try {
    // The demo runs on the embedded default even where DATABASE_URL is set.
    const env = { ...process.env, DATABASE_URL: '' };
    const r = await run(['demo', '--dir', dir, '--port', '0', '--once', '16', '--districts', '2', '--json'], env);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as { sent: number; accepted: number; viaConnector: number; rejected: number; failed: number; checkins: number; bookEntries: number; settled: boolean };
    assert.equal(s.sent, 16);
    assert.equal(s.rejected, 0);
    assert.equal(s.failed, 0);
    assert.equal(s.accepted + s.viaConnector, 16);
    assert.equal(s.settled, true);
    assert.ok(existsSync(join(dir, 'facilities.csv')));
    const db = await openDb({ dataDir: join(dir, 'data') });
    try {
      const d = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM dossier`);
      assert.equal(Number(d.rows[0].n), 16);
      const b = await db.query<{ n: string; p: string }>(`SELECT count(DISTINCT dossier_id)::text AS n, count(DISTINCT personal_id)::text AS p FROM book_entry`);
      assert.equal(Number(b.rows[0].n), 16, 'every dossier is in a citizen book');
      assert.ok(Number(b.rows[0].p) >= 1);
      const fa = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM facility_certificate`);
      assert.ok(Number(fa.rows[0].n) >= 13, 'every facility has a registered certificate');
    } finally {
      await db.close();
    }
    // A second run on the same directory reuses the province and continues (no MA_LK clash).
    const r2 = await run(['demo', '--dir', dir, '--port', '0', '--once', '4', '--json'], env);
    assert.equal(r2.code, 0, r2.stderr.slice(-2000));
    const s2 = JSON.parse(r2.stdout.trim().split('\n').pop()!) as { sent: number; rejected: number };
    assert.equal(s2.sent, 4);
    assert.equal(s2.rejected, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
