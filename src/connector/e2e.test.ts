// End to end with REAL processes: HIS folder → connector → gateway (`ssk serve`, a child process)
// → accepted → health book. The gateway is stopped part-way and restarted; the connector (a child
// process, `ssk connector run`) is killed with SIGKILL mid-run and restarted. Every dossier must
// arrive exactly once: one accepted version per MA_LK at the gateway, none lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, renameSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { openDb, migrate } from '../store/index.ts';
import { allMigrationDirs } from '../store/modules.ts';
import { addFacility, issueToken, registerCertificate } from '../gateway/index.ts';
import { createDevCa, issueFacilityCertificate } from '../signature/index.ts';
import { buildPackage, buildCheckIn } from '../standard/index.ts';
import { validPackage, validDossier, validCheckInRows } from '../standard/testing.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let lastSeen: () => unknown = () => null;
async function until<T>(fn: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(lastSeen())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function child(args: string[], env: Record<string, string> = {}): ChildProcess {
  const c = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  c.stdout!.on('data', (d) => process.env.E2E_DEBUG && process.stderr.write(`[${args[0]}] ${d}`));
  c.stderr!.on('data', (d) => process.env.E2E_DEBUG && process.stderr.write(`[${args[0]} err] ${d}`));
  return c;
}

async function stop(c: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  await done;
}

/** Drop a file the way a HIS should: write under a temporary name, then rename. */
function drop(inbox: string, name: string, bytes: Uint8Array) {
  writeFileSync(join(inbox, `.${name}.tmp`), bytes);
  renameSync(join(inbox, `.${name}.tmp`), join(inbox, name));
}

test('HIS folder → connector → gateway → health book; gateway restarted, connector killed -9: every dossier exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-e2e-'));
  const gwData = join(dir, 'gateway');
  const macskcb = '01001';
  // Gateway database prepared once: the facility, its token and its registered certificate.
  const ca = await createDevCa();
  const cert = await issueFacilityCertificate(ca, macskcb, 'Bệnh viện E2E');
  let token: string;
  {
    const db = await openDb({ dataDir: gwData });
    try {
      await migrate(db, allMigrationDirs());
      await addFacility(db, { macskcb, name: 'Bệnh viện E2E' });
      token = (await issueToken(db, macskcb, { name: 'connector' })).token;
      await registerCertificate(db, macskcb, cert.certPem);
    } finally {
      await db.close();
    }
  }
  writeFileSync(join(dir, 'key.pem'), cert.keyPem);
  writeFileSync(join(dir, 'cert.pem'), cert.certPem);
  const gwPort = await freePort();
  const conPort = await freePort();
  const gwUrl = `http://127.0.0.1:${gwPort}`;
  const conUrl = `http://127.0.0.1:${conPort}`;
  const cfgFile = join(dir, 'connector', 'connector.json');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'connector'), { recursive: true });
  writeFileSync(
    cfgFile,
    JSON.stringify({
      macskcb,
      dataDir: '.',
      target: { kind: 'sosuckhoe', url: gwUrl, token },
      signer: { kind: 'pem', keyFile: '../key.pem', certFile: '../cert.pem' },
      http: { host: '127.0.0.1', port: conPort },
      batch: { maxDossiers: 2, maxBytes: 4 * 1024 * 1024, lingerMs: 0 },
      retry: { baseMs: 100, maxMs: 600, timeoutMs: 10_000 },
      pollMs: 50,
      stableMs: 0,
    }),
  );
  const inbox = join(dir, 'connector', 'inbox');
  mkdirSync(inbox, { recursive: true });

  const startGateway = async () => {
    const g = child(['serve', '--data', gwData, '--port', String(gwPort), '--quiet']);
    await until(async () => (await fetch(`${gwUrl}/ready`)).ok, 90_000, 'gateway ready');
    return g;
  };
  const startConnector = async () => {
    const c = child(['connector', 'run', '-c', cfgFile, '--json']);
    await until(async () => (await fetch(`${conUrl}/health`)).ok, 90_000, 'connector ready');
    return c;
  };
  let last: any;
  const status = async () => (last = (await (await fetch(`${conUrl}/api/v1/status`)).json()) as any);

  lastSeen = () => last;
  const N = 16;
  const maLks: string[] = [];
  const file = (i: number, count: number) => {
    const p = validPackage({ macskcb, count, seed: 1000 + i * 10, maLk: `E2E-${i}` });
    for (const d of p.dossiers) maLks.push(d.tables.XML1![0].MA_LK);
    return buildPackage(p);
  };

  let gw = await startGateway();
  let con: ChildProcess | undefined;
  try {
    con = await startConnector();
    // 1. Normal flow: a check-in at reception, then dossiers at the end of the visit.
    drop(inbox, 'checkin-1.xml', buildCheckIn(macskcb, validCheckInRows(validDossier({ macskcb, seed: 999 }))));
    drop(inbox, 'batch-0.xml', file(0, 4));
    await until(async () => (await status()).items.accepted >= 4, 60_000, 'first dossiers accepted');
    // 2. Gateway stopped part-way: dossiers keep arriving, the connector retries.
    await stop(gw);
    drop(inbox, 'batch-1.xml', file(1, 4));
    await until(async () => {
      const s = await status();
      return s.packages.lastError?.code === 'CON_GATEWAY_DOWN' && s.items.sending + s.items.queued >= 4;
    }, 30_000, 'connector notices the gateway is down');
    gw = await startGateway();
    await until(async () => (await status()).items.accepted >= 8, 60_000, 'sent after the gateway restart');
    // 3. kill -9 of the connector mid-run: many small packages in flight.
    for (let i = 2; i < 6; i++) drop(inbox, `batch-${i}.xml`, file(i, 2));
    await until(async () => (await status()).items.accepted >= 9, 60_000, 'some of the next dossiers accepted');
    await stop(con, 'SIGKILL');
    con = await startConnector();
    await until(async () => {
      const s = await status();
      return s.items.accepted === N && s.items.queued === 0 && s.items.sending === 0 && s.checkins.accepted === 1;
    }, 90_000, 'every dossier accepted after the restart');
    assert.deepEqual(readdirSync(inbox), [], 'every file taken from the folder');
    // Reconciliation against the gateway: no differences.
    const rec = await (await fetch(`${conUrl}/api/v1/reconcile?from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json() as any;
    assert.equal(rec.ok, true, JSON.stringify(rec.differences));
    assert.equal(rec.local.accepted, N);
    // Replacement: the HIS re-exports one dossier with a correction → a new version, linked.
    const fixed = validPackage({ macskcb, count: 4, seed: 1000, maLk: 'E2E-0' });
    fixed.dossiers = [fixed.dossiers[0]];
    fixed.dossiers[0].tables.XML1![0].GHI_CHU = 'Đã sửa / corrected';
    drop(inbox, 'batch-0-fix.xml', buildPackage(fixed));
    await until(async () => (await status()).items.replaced === 1 && (await status()).items.accepted === N, 60_000, 'replacement accepted');
  } finally {
    if (con) await stop(con);
    await stop(gw);
  }
  // The gateway's own records: each MA_LK exactly once (one version), the replaced one twice, linked.
  const db = await openDb({ dataDir: gwData });
  try {
    const rows = (await db.query(`SELECT ma_lk, version, replaces_id FROM dossier WHERE macskcb = $1 ORDER BY ma_lk, version`, [macskcb])).rows;
    const byMaLk = new Map<string, any[]>();
    for (const r of rows) byMaLk.set(r.ma_lk, [...(byMaLk.get(r.ma_lk) ?? []), r]);
    assert.equal(maLks.length, N);
    assert.deepEqual([...byMaLk.keys()].sort(), [...maLks].sort(), 'every dossier arrived, nothing else');
    for (const [maLk, versions] of byMaLk) {
      if (maLk === maLks[0]) {
        assert.deepEqual(versions.map((v) => v.version), [1, 2], 'the replacement is version 2');
        assert.ok(versions[1].replaces_id, 'linked to the version it replaces');
      } else assert.equal(versions.length, 1, `${maLk} arrived exactly once`);
    }
    const checkins = (await db.query(`SELECT count(*)::int AS n FROM checkin`)).rows[0].n;
    assert.equal(checkins, 1, 'the check-in arrived exactly once');
    // Health book: every accepted dossier projected (the outbox worker runs in the gateway).
    const book = (await db.query(`SELECT count(DISTINCT ma_lk)::int AS n FROM book_entry WHERE macskcb = $1 AND current`, [macskcb])).rows[0].n;
    assert.equal(book, N);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
